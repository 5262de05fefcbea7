import { createMtlsAgent } from "@spike-ts/mtls-transport";
import { authorizeId } from "@spike-ts/spiffe";
import { createStaticX509Source, createTestCa } from "@spike-ts/spiffe/testing";
import { type Dispatcher, request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { createDevNexus, type DevNexus } from "./dev-nexus.js";
import { NexusDevError } from "./errors.js";

const ca = createTestCa({ trustDomain: "example.org" });
const NEXUS = "spiffe://example.org/spike/nexus";
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function nexus(extra: Partial<Parameters<typeof createDevNexus>[0]> = {}): Promise<DevNexus> {
  const source = createStaticX509Source(ca.issueSvid(NEXUS).svid, ca.bundle);
  const n = await createDevNexus({ source, ...extra });
  cleanup.push(() => n.close(), () => source.close());
  return n;
}

function agentFor(id: string): Dispatcher {
  const source = createStaticX509Source(ca.issueSvid(id).svid, ca.bundle);
  const agent = createMtlsAgent({ source, authorize: authorizeId(NEXUS) });
  cleanup.push(() => agent.close(), () => source.close());
  return agent;
}

async function post(n: DevNexus, agent: Dispatcher, path: string, body: unknown): Promise<{ status: number; text: string }> {
  const res = await request(`${n.url}${path}`, { method: "POST", dispatcher: agent, body: JSON.stringify(body), headers: { "content-type": "application/json" } });
  return { status: res.statusCode, text: await res.body.text() };
}

describe("createDevNexus", () => {
  it("serves over mTLS and classifies callers by the SPIFFE ID of their certificate", async () => {
    const n = await nexus();
    expect(n.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(n.spiffeId).toBe(NEXUS);
    const pilot = agentFor("spiffe://example.org/spike/pilot/role/superuser");
    expect(await post(n, pilot, "/v1/store/secrets", { path: "a", values: { k: "v" } })).toEqual({ status: 200, text: "{}" });
    expect(await post(n, pilot, "/v1/store/secrets?action=get", { path: "a" })).toEqual({ status: 200, text: '{"data":{"k":"v"}}' });
    const app = agentFor("spiffe://example.org/demo/app");
    expect(await post(n, app, "/v1/store/secrets?action=get", { path: "a" })).toEqual({ status: 401, text: '{"err":"access_unauthorized"}' });
  });

  it("speaks HTTP/2 as well as HTTP/1.1 (ALPN), with the same answers", async () => {
    const n = await nexus();
    const { svid } = ca.issueSvid("spiffe://example.org/spike/pilot/role/superuser");
    const { connect } = await import("node:http2");
    const session = connect(n.url, { cert: svid.certificatesPem(), key: svid.privateKeyPem(), ca: ca.bundle.toPem(), checkServerIdentity: () => undefined });
    cleanup.push(() => new Promise<void>((r) => session.close(() => r())));
    const answer = await new Promise<{ status: number; cache: unknown; body: string; alpn: unknown }>((resolve, reject) => {
      const req = session.request({ ":method": "POST", ":path": "/v1/store/secrets?action=list", "content-type": "application/json" });
      let body = "";
      let status = 0;
      let cache: unknown;
      req.on("response", (h) => {
        status = Number(h[":status"]);
        cache = h["cache-control"];
      });
      req.setEncoding("utf8").on("data", (d: string) => (body += d));
      req.on("end", () => resolve({ status, cache, body, alpn: session.alpnProtocol }));
      req.on("error", reject);
      req.end("{}");
    });
    expect(answer).toEqual({ status: 200, cache: "no-store, no-cache, must-revalidate, private", body: '{"keys":[]}', alpn: "h2" });
  });

  it("bounds request bodies over HTTP/2 and HTTP/1.1 alike (maxRequestBytes), and keeps serving", async () => {
    const n = await nexus({ maxRequestBytes: 200 });
    const { svid } = ca.issueSvid("spiffe://example.org/spike/pilot/role/superuser");
    const { connect } = await import("node:http2");
    const session = connect(n.url, { cert: svid.certificatesPem(), key: svid.privateKeyPem(), ca: ca.bundle.toPem(), checkServerIdentity: () => undefined });
    cleanup.push(() => new Promise<void>((r) => session.close(() => r())));
    const h2 = (body: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = session.request({ ":method": "POST", ":path": "/v1/store/secrets", "content-type": "application/json" });
        let text = "";
        let status = 0;
        req.on("response", (h) => (status = Number(h[":status"])));
        req.setEncoding("utf8").on("data", (d: string) => (text += d));
        req.on("end", () => resolve({ status, body: text }));
        req.on("close", () => resolve({ status, body: text }));
        req.on("error", reject);
        req.end(body);
      });
    const big = JSON.stringify({ path: "big", values: { k: "v".repeat(300) } });
    expect(await h2(big)).toEqual({ status: 400, body: '{"Code":"data_read_failure","Msg":"failed to read request body","Wrapped":null}' });
    expect(await h2(JSON.stringify({ path: "small", values: { k: "v" } }))).toEqual({ status: 200, body: "{}" });
    const pilot = agentFor("spiffe://example.org/spike/pilot/role/superuser");
    // HTTP/1.1 (undici): the whole small body is out before the server answers, so the 400 arrives
    const res = await request(`${n.url}/v1/store/secrets`, { method: "POST", dispatcher: pilot, body: big });
    expect([res.statusCode, await res.body.text()]).toEqual([400, '{"Code":"data_read_failure","Msg":"failed to read request body","Wrapped":null}']);
    expect(await post(n, pilot, "/v1/store/secrets?action=list", {})).toEqual({ status: 200, text: '{"keys":["small"]}' });
  });

  it("refuses clients without a certificate at the TLS layer", async () => {
    const n = await nexus();
    const { Agent } = await import("undici");
    const plain = new Agent({ connect: { rejectUnauthorized: false } });
    cleanup.push(() => plain.close());
    await expect(request(`${n.url}/v1/store/secrets?action=list`, { method: "POST", body: "{}", dispatcher: plain })).rejects.toThrow();
  });

  it("refuses to start with an SVID that is not a Nexus ID, and validates options", async () => {
    const source = createStaticX509Source(ca.issueSvid("spiffe://example.org/web").svid, ca.bundle);
    cleanup.push(() => source.close());
    await expect(createDevNexus({ source })).rejects.toSatisfy((e) => NexusDevError.is(e, "not_nexus_identity"));
    const ok = createStaticX509Source(ca.issueSvid(NEXUS).svid, ca.bundle);
    cleanup.push(() => ok.close());
    await expect(createDevNexus({ source: ok, trustRoot: "other.org" })).rejects.toSatisfy((e) => NexusDevError.is(e, "not_nexus_identity"));
    await expect(createDevNexus({ source: ok, port: -1 })).rejects.toSatisfy((e) => NexusDevError.is(e, "invalid_options"));
    await expect(createDevNexus({ source: ok, maxSecretVersions: 0 })).rejects.toSatisfy((e) => NexusDevError.is(e, "invalid_options"));
    await expect(createDevNexus({ source: ok, cipherKey: new Uint8Array(3) })).rejects.toSatisfy((e) => NexusDevError.is(e, "invalid_options"));
    // @ts-expect-error missing source
    await expect(createDevNexus({})).rejects.toSatisfy((e) => NexusDevError.is(e, "invalid_options"));
  });

  it("reports a busy port as listen_failed", async () => {
    const n = await nexus();
    const source = createStaticX509Source(ca.issueSvid(NEXUS).svid, ca.bundle);
    cleanup.push(() => source.close());
    await expect(createDevNexus({ source, port: n.port })).rejects.toSatisfy((e) => NexusDevError.is(e, "listen_failed"));
  });
});
