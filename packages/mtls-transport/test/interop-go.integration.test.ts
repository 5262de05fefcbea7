import { createServer, type Server } from "node:https";
import { authorizeId } from "@spike-ts/spiffe";
import { createTestCa, type TestCa } from "@spike-ts/spiffe/testing";
import { createX509Source, type WorkloadX509Source } from "@spike-ts/workload-api";
import { type DevWorkloadApi, startDevWorkloadApi } from "@spike-ts/workload-api/testing";
import type { Dispatcher } from "undici";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createMtlsAgent, createMtlsServerOptions, MtlsError } from "../src/index.js";
import { locateGoPeers, type PeerProcess, runPeer } from "./go-peers.js";
import { closeServer, failure, listen } from "./support.js";

const TS_ID = "spiffe://example.org/ts";
const GO_SERVER_ID = "spiffe://example.org/go/server";
const GO_CLIENT_ID = "spiffe://example.org/go/client";

let bin: string;
let ca: TestCa;
let tsApi: DevWorkloadApi;
let goServerApi: DevWorkloadApi;
let goClientApi: DevWorkloadApi;
let tsSource: WorkloadX509Source;
const peers: PeerProcess[] = [];
const agents: Dispatcher[] = [];
const servers: Server[] = [];

beforeAll(async () => {
  bin = locateGoPeers();
  ca = createTestCa({ trustDomain: "example.org" });
  tsApi = await startDevWorkloadApi({ ca, identities: [{ spiffeId: TS_ID }], autoRotate: false });
  goServerApi = await startDevWorkloadApi({ ca, identities: [{ spiffeId: GO_SERVER_ID }], autoRotate: false });
  goClientApi = await startDevWorkloadApi({ ca, identities: [{ spiffeId: GO_CLIENT_ID }], autoRotate: false });
  tsSource = await createX509Source({ address: tsApi.address });
});

afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.stop()));
  await Promise.all(agents.splice(0).map((a) => a.close()));
  await Promise.all(servers.splice(0).map((s) => closeServer(s)));
});

afterAll(async () => {
  await tsSource?.close();
  await Promise.all([tsApi?.close(), goServerApi?.close(), goClientApi?.close()]);
});

async function goServer(authorizeFlag: string): Promise<string> {
  const p = runPeer(bin, "mtls-server", ["-addr", goServerApi.address, "-listen", "127.0.0.1:0", authorizeFlag]);
  peers.push(p);
  const listening = await p.waitFor("listening");
  expect(listening.spiffeId).toBe(GO_SERVER_ID);
  return `https://127.0.0.1:${String(listening.port)}`;
}

function agent(expect: string): Dispatcher {
  const a = createMtlsAgent({ source: tsSource, authorize: authorizeId(expect) });
  agents.push(a);
  return a;
}

describe("interop: our agent -> go-spiffe mTLS server", () => {
  it("accepts the matching server ID, and the Go server sees our SPIFFE ID", async () => {
    const origin = await goServer(`-authorize-id=${TS_ID}`);
    const res = await agent(GO_SERVER_ID).request({ origin, path: "/v1/ping", method: "POST", body: "{}" });
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toEqual({ peerId: TS_ID, method: "POST", path: "/v1/ping" });
  });

  it("rejects the Go server when its ID does not match", async () => {
    const origin = await goServer(`-authorize-id=${TS_ID}`);
    const error = await failure(agent("spiffe://example.org/not-go").request({ origin, path: "/", method: "GET" }));
    expect(error.code).toBe("unauthorized");
    expect(error.peerId).toBe(GO_SERVER_ID);
  });

  it("reports the Go server refusing our ID as rejected_by_peer", async () => {
    const origin = await goServer("-authorize-id=spiffe://example.org/someone-else");
    const error = await failure(agent(GO_SERVER_ID).request({ origin, path: "/", method: "GET" }));
    expect(error.code).toBe("rejected_by_peer");
  });
});

describe("interop: go-spiffe mTLS client -> our server options", () => {
  async function ourServer(allowed: string): Promise<{ origin: string; rejected: MtlsError[] }> {
    const mtls = createMtlsServerOptions({ source: tsSource, authorize: authorizeId(allowed) });
    const server = mtls.attach(createServer(mtls, (req, res) => res.end(`hello ${mtls.peerIdOf(req).toString()}`)));
    servers.push(server);
    const rejected: MtlsError[] = [];
    server.on("tlsClientError", (e: unknown) => {
      if (MtlsError.is(e)) rejected.push(e);
    });
    return { origin: await listen(server), rejected };
  }

  it("accepts the matching Go client and gives the handler its ID", async () => {
    const { origin, rejected } = await ourServer(GO_CLIENT_ID);
    const p = runPeer(bin, "mtls-client", ["-addr", goClientApi.address, "-url", `${origin}/x`, `-expect-id=${TS_ID}`, "-count=2"]);
    peers.push(p);
    expect(await p.exited()).toBe(0);
    const responses = p.events.filter((e) => e.event === "response");
    expect(responses.map((r) => [r.status, r.body, r.serverId])).toEqual([
      [200, `hello ${GO_CLIENT_ID}`, TS_ID],
      [200, `hello ${GO_CLIENT_ID}`, TS_ID],
    ]);
    expect(rejected).toEqual([]);
  });

  it("rejects a Go client whose ID is not authorized", async () => {
    const { origin, rejected } = await ourServer("spiffe://example.org/someone-else");
    const p = runPeer(bin, "mtls-client", ["-addr", goClientApi.address, "-url", `${origin}/x`, `-expect-id=${TS_ID}`]);
    peers.push(p);
    expect(await p.exited()).toBe(1);
    expect(p.events.filter((e) => e.event === "response")).toEqual([]);
    expect(p.events.some((e) => e.event === "error")).toBe(true);
    expect(rejected.map((e) => [e.code, e.peerId])).toEqual([["unauthorized", GO_CLIENT_ID]]);
  });

  it("is rejected by a Go client that expects another server ID", async () => {
    const { origin } = await ourServer(GO_CLIENT_ID);
    const p = runPeer(bin, "mtls-client", ["-addr", goClientApi.address, "-url", `${origin}/x`, "-expect-id=spiffe://example.org/other"]);
    peers.push(p);
    expect(await p.exited()).toBe(1);
    const error = p.events.find((e) => e.event === "error");
    expect(String(error?.message)).toContain(TS_ID);
  });
});
