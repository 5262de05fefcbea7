import { once } from "node:events";
import { createSecureServer } from "node:http2";
import { createServer, type Server } from "node:https";
import type { TLSSocket } from "node:tls";
import { authorizeId, type Authorizer, X509BundleSet } from "@spike-ts/spiffe";
import { createStaticX509Source, type StaticX509Source } from "@spike-ts/spiffe/testing";
import type { Dispatcher } from "undici";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";

const originalSetTimeout = globalThis.setTimeout;
import { createMtlsAgent, createMtlsServerOptions, MtlsError } from "../src/index.js";
import { BAD_PEERS, type Cas, closeServer, failure, HOUR, listen, makeCas, PEER_ID, SELF_ID } from "./support.js";

let cas: Cas;
const servers: Server[] = [];
const agents: Dispatcher[] = [];
const sources: StaticX509Source[] = [];

beforeAll(() => {
  cas = makeCas();
});

afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.close()));
  await Promise.all(servers.splice(0).map((s) => closeServer(s)));
  await Promise.all(sources.splice(0).map((s) => s.close()));
});

/** A plain Node https server presenting `cert`, recording the client certificate it saw. */
async function plainServer(
  cert: { certPem: string; keyPem: string },
  opts: { requestCert?: boolean; tickets?: boolean } = {},
): Promise<{ origin: string; seen: Array<{ clientId: string | undefined; reused: boolean }> }> {
  const seen: Array<{ clientId: string | undefined; reused: boolean }> = [];
  const server = createServer(
    {
      cert: cert.certPem,
      key: cert.keyPem,
      requestCert: opts.requestCert ?? true,
      rejectUnauthorized: false,
      ...(opts.tickets === false ? { secureOptions: 0x4000 } : {}),
    },
    (req, res) => {
      const socket = req.socket as TLSSocket;
      const san = socket.getPeerCertificate().subjectaltname;
      seen.push({ clientId: san?.replace(/^URI:/, ""), reused: socket.isSessionReused() });
      res.end("ok");
    },
  );
  servers.push(server);
  return { origin: await listen(server), seen };
}

function localSource(): StaticX509Source {
  const source = createStaticX509Source(
    cas.ca.issueSvid(SELF_ID).svid,
    new X509BundleSet(cas.ca.bundle, cas.other.bundle),
  );
  sources.push(source);
  return source;
}

function agent(authorize: Authorizer = authorizeId(PEER_ID), source = localSource(), extra = {}): Dispatcher {
  const a = createMtlsAgent({ source, authorize, ...extra });
  agents.push(a);
  return a;
}

async function get(dispatcher: Dispatcher, origin: string): Promise<{ status: number; body: string }> {
  const res = await dispatcher.request({ origin, path: "/", method: "GET" });
  return { status: res.statusCode, body: await res.body.text() };
}

describe("createMtlsAgent against a server", () => {
  it("accepts a good peer and presents our SVID", async () => {
    const { origin, seen } = await plainServer(cas.ca.issueSvid(PEER_ID));
    expect(await get(agent(), origin)).toEqual({ status: 200, body: "ok" });
    expect(seen).toEqual([{ clientId: SELF_ID, reused: false }]);
  });

  it("accepts a good peer whose chain goes through an intermediate CA", async () => {
    const intermediate = cas.ca.issueIntermediate();
    const { origin } = await plainServer(intermediate.issueSvid(PEER_ID));
    expect(await get(agent(), origin)).toEqual({ status: 200, body: "ok" });
  });

  for (const bad of BAD_PEERS) {
    it(`rejects a server with ${bad.name} as ${bad.code}`, async () => {
      const { origin, seen } = await plainServer(bad.issue(cas));
      const error = await failure(get(agent(), origin));
      expect(error).toBeInstanceOf(MtlsError);
      expect(error.code).toBe(bad.code);
      expect(error.role).toBe("client");
      expect(error.message).toMatch(/^mtls: /);
      expect(seen).toEqual([]);
    });
  }

  it("names the ID seen and the ID expected when unauthorized", async () => {
    const { origin } = await plainServer(cas.ca.issueSvid("spiffe://example.org/intruder"));
    const error = await failure(get(agent(), origin));
    expect(error.code).toBe("unauthorized");
    expect(error.peerId).toBe("spiffe://example.org/intruder");
    expect(error.expected).toContain(PEER_ID);
    expect(error.message).toContain("spiffe://example.org/intruder");
    expect(error.message).toContain(PEER_ID);
  });

  it("rejects a server that does not ask for a client certificate", async () => {
    const { origin, seen } = await plainServer(cas.ca.issueSvid(PEER_ID), { requestCert: false });
    const error = await failure(get(agent(), origin));
    expect(error.code).toBe("client_auth_not_requested");
    expect(seen).toEqual([]);
  });

  it("can be told to accept a server that does not ask for a client certificate", async () => {
    const { origin } = await plainServer(cas.ca.issueSvid(PEER_ID), { requestCert: false });
    expect(await get(agent(authorizeId(PEER_ID), localSource(), { requireClientAuth: false }), origin)).toEqual({
      status: 200,
      body: "ok",
    });
  });

  it("never resumes a session and re-verifies every new connection against the current authorizer", async () => {
    const { origin, seen } = await plainServer(cas.ca.issueSvid(PEER_ID));
    let allow = true;
    const authorize: Authorizer = (id, chain) =>
      allow ? authorizeId(PEER_ID)(id, chain) : { allowed: false, reason: `now refusing "${id.toString()}"` };
    const source = localSource();
    const first = agent(authorize, source);
    expect((await get(first, origin)).status).toBe(200);
    await first.close();
    const second = agent(authorize, source);
    expect((await get(second, origin)).status).toBe(200);
    await second.close();
    // The server offered tickets both times; we never used them.
    expect(seen.map((s) => s.reused)).toEqual([false, false]);
    allow = false;
    const error = await failure(get(agent(authorize, source), origin));
    expect(error.code).toBe("unauthorized");
    expect(error.expected).toBe(`now refusing "${PEER_ID}"`);
  });

  it("refuses a server's TLS 1.2 renegotiation (the server verified at the handshake stays the server)", async () => {
    const cert = cas.ca.issueSvid(PEER_ID);
    const refusals: string[] = [];
    const server = createServer(
      { cert: cert.certPem, key: cert.keyPem, requestCert: true, rejectUnauthorized: false, maxVersion: "TLSv1.2" },
      (req, res) => {
        const socket = req.socket as TLSSocket;
        socket.on("error", (e: NodeJS.ErrnoException) => refusals.push(e.code ?? e.message));
        socket.renegotiate({ requestCert: true, rejectUnauthorized: false }, (err) => {
          if (err) refusals.push((err as NodeJS.ErrnoException).code ?? err.message);
          res.end("renegotiated");
        });
      },
    );
    servers.push(server);
    const origin = await listen(server);
    const error = await failure(get(agent(), origin));
    expect(error.code).toBe("rejected_by_peer");
    expect(refusals).toContain("ERR_SSL_NO_RENEGOTIATION");
  });

  it("authorizes once per connection: a pooled connection outlives an authorizer that now refuses (documented)", async () => {
    const cert = cas.ca.issueSvid(PEER_ID);
    let handshakes = 0;
    const server = createServer({ cert: cert.certPem, key: cert.keyPem, requestCert: true, rejectUnauthorized: false }, (_req, res) =>
      res.end("ok"),
    );
    server.on("secureConnection", () => handshakes++);
    servers.push(server);
    const origin = await listen(server);
    let allow = true;
    const dispatcher = agent(
      () => (allow ? { allowed: true } : { allowed: false, reason: "revoked" }),
      localSource(),
      { connections: 1 },
    );
    expect(await get(dispatcher, origin)).toEqual({ status: 200, body: "ok" });
    allow = false;
    // Same keep-alive connection: no new handshake, so the authorizer is not asked again.
    expect(await get(dispatcher, origin)).toEqual({ status: 200, body: "ok" });
    expect(handshakes).toBe(1);
    // Once that connection is gone, the next one is checked and refused.
    const disconnected = once(dispatcher as unknown as NodeJS.EventEmitter, "disconnect");
    server.closeAllConnections();
    await disconnected;
    const error = await failure(get(dispatcher, origin));
    expect(error.code).toBe("unauthorized");
    expect(error.expected).toBe("revoked");
  });

  it("clamps a connect timeout beyond what a Node timer holds instead of failing at once", async () => {
    const { origin } = await plainServer(cas.ca.issueSvid(PEER_ID));
    const delays: number[] = [];
    const spy = vi.spyOn(globalThis, "setTimeout");
    spy.mockImplementation(((fn: () => void, ms?: number) => {
      delays.push(ms ?? 0);
      return originalSetTimeout(fn, ms);
    }) as typeof setTimeout);
    try {
      expect(await get(agent(authorizeId(PEER_ID), localSource(), { connect: { timeout: 3e9 } }), origin)).toEqual({
        status: 200,
        body: "ok",
      });
    } finally {
      spy.mockRestore();
    }
    expect(delays).toContain(2_147_483_647);
    expect(delays.filter((ms) => ms > 2_147_483_647)).toEqual([]);
  });

  it("fails with no_svid when the source is closed", async () => {
    const { origin } = await plainServer(cas.ca.issueSvid(PEER_ID));
    const source = localSource();
    const dispatcher = agent(authorizeId(PEER_ID), source);
    await source.close();
    const error = await failure(get(dispatcher, origin));
    expect(error.code).toBe("no_svid");
  });

  it("fails with svid_expired when our own SVID has expired", async () => {
    const { origin } = await plainServer(cas.ca.issueSvid(PEER_ID));
    const svid = cas.ca.issueSvid(SELF_ID, { ttlMs: HOUR }).svid;
    const source = createStaticX509Source(svid, cas.ca.bundle);
    sources.push(source);
    const later = () => new Date(svid.notAfter.getTime() + 1_000);
    const error = await failure(get(agent(authorizeId(PEER_ID), source, { now: later }), origin));
    expect(error.code).toBe("svid_expired");
  });

  for (const maxVersion of ["TLSv1.2", "TLSv1.3"] as const) {
    it(`reports a server that refuses our SVID as rejected_by_peer (${maxVersion})`, async () => {
      const serverSource = createStaticX509Source(cas.ca.issueSvid(PEER_ID).svid, cas.ca.bundle);
      sources.push(serverSource);
      const mtls = createMtlsServerOptions({
        source: serverSource,
        authorize: authorizeId("spiffe://example.org/someone-else"),
        maxVersion,
      });
      const server = mtls.attach(createServer(mtls, (_req, res) => res.end("should not happen")));
      servers.push(server);
      const refused: string[] = [];
      server.on("tlsClientError", (e: unknown) => refused.push(MtlsError.is(e) ? e.code : "other"));
      const origin = await listen(server);
      const error = await failure(get(agent(), origin));
      expect(error.code).toBe("rejected_by_peer");
      expect(refused).toEqual(["unauthorized"]);
    });
  }
});

describe("createMtlsAgent rotation and protocols", () => {
  it("drains on rotation: the in-flight request finishes on the old connection, new ones use the new SVID", async () => {
    const serverSource = createStaticX509Source(cas.ca.issueSvid(PEER_ID).svid, cas.ca.bundle);
    sources.push(serverSource);
    const mtls = createMtlsServerOptions({ source: serverSource, authorize: authorizeId(SELF_ID) });
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let firstArrived: () => void = () => {};
    const arrived = new Promise<void>((resolve) => {
      firstArrived = resolve;
    });
    const closedLeaves: string[] = [];
    const server = mtls.attach(
      createServer(mtls, (req, res) => {
        const leaf = Buffer.from((req.socket as TLSSocket).getPeerCertificate().raw).toString("base64");
        if (req.url === "/slow") {
          firstArrived();
          void held.then(() => res.end(`slow ${leaf}`));
        } else {
          res.end(`fast ${leaf}`);
        }
      }),
    );
    server.on("secureConnection", (socket: TLSSocket) => {
      const leaf = Buffer.from(socket.getPeerCertificate().raw).toString("base64");
      socket.on("close", () => closedLeaves.push(leaf));
    });
    servers.push(server);
    const origin = await listen(server);
    const source = localSource();
    const oldLeaf = Buffer.from(source.getX509Svid().certificates[0] ?? []).toString("base64");
    const dispatcher = agent(authorizeId(PEER_ID), source);

    const slow = dispatcher.request({ origin, path: "/slow", method: "GET" });
    await arrived;
    const next = cas.ca.issueSvid(SELF_ID).svid;
    const newLeaf = Buffer.from(next.certificates[0] ?? []).toString("base64");
    source.set(next);
    const fast = await dispatcher.request({ origin, path: "/fast", method: "GET" });
    expect(await fast.body.text()).toBe(`fast ${newLeaf}`);
    expect(closedLeaves).toEqual([]);
    release();
    const slowRes = await slow;
    expect(slowRes.statusCode).toBe(200);
    expect(await slowRes.body.text()).toBe(`slow ${oldLeaf}`);
    // The old pool closes its connection once its request is done.
    const deadline = Date.now() + 5_000;
    while (!closedLeaves.includes(oldLeaf) && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    expect(closedLeaves).toEqual([oldLeaf]);
  });

  it("speaks HTTP/2 with allowH2 and still verifies the server", async () => {
    const serverSource = createStaticX509Source(cas.ca.issueSvid(PEER_ID).svid, cas.ca.bundle);
    sources.push(serverSource);
    const mtls = createMtlsServerOptions({ source: serverSource, authorize: authorizeId(SELF_ID) });
    const server = mtls.attach(
      createSecureServer({ ...mtls, allowHTTP1: true }, (req, res) => res.end(`${req.httpVersion} ${mtls.peerIdOf(req).toString()}`)),
    );
    servers.push(server as unknown as Server);
    const origin = await listen(server as unknown as Server);
    const res = await agent(authorizeId(PEER_ID), localSource(), { allowH2: true }).request({ origin, path: "/", method: "GET" });
    expect(await res.body.text()).toBe(`2.0 ${SELF_ID}`);
    const error = await failure(
      agent(authorizeId("spiffe://example.org/not-it"), localSource(), { allowH2: true }).request({ origin, path: "/", method: "GET" }),
    );
    expect(error.code).toBe("unauthorized");
  });
});
