import { once } from "node:events";
import { createServer, type Server } from "node:https";
import { connect as h2connect, createSecureServer, type Http2SecureServer } from "node:http2";
import type { AddressInfo } from "node:net";
import { connect, type PeerCertificate, type SecureVersion, type TLSSocket } from "node:tls";
import { inspect } from "node:util";
import { authorizeId, type Authorizer, authorizeMemberOf, X509BundleSet } from "@spike-ts/spiffe";
import { createStaticX509Source, type IssuedSvid, type StaticX509Source } from "@spike-ts/spiffe/testing";
import type { Dispatcher } from "undici";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createMtlsAgent, createMtlsServerOptions, MtlsError, type MtlsServerOptions, peerIdOf } from "../src/index.js";
import { BAD_PEERS, type Cas, closeServer, listen, makeCas, PEER_ID, SELF_ID } from "./support.js";

let cas: Cas;
const servers: Array<Server | Http2SecureServer> = [];
const sources: StaticX509Source[] = [];
const agents: Dispatcher[] = [];
const sockets: TLSSocket[] = [];

beforeAll(() => {
  cas = makeCas();
});

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(agents.splice(0).map((a) => a.close()));
  await Promise.all(servers.splice(0).map((s) => closeServer(s as Server)));
  await Promise.all(sources.splice(0).map((s) => s.close()));
});

function serverSource(): StaticX509Source {
  const source = createStaticX509Source(cas.ca.issueSvid(SELF_ID).svid, new X509BundleSet(cas.ca.bundle, cas.other.bundle));
  sources.push(source);
  return source;
}

interface Harness {
  readonly mtls: MtlsServerOptions;
  readonly source: StaticX509Source;
  readonly server: Server;
  readonly port: number;
  readonly origin: string;
  readonly rejected: MtlsError[];
  readonly handled: Array<{ peerId: string; reused: boolean }>;
}

async function startServer(
  authorize: Authorizer = authorizeId(PEER_ID),
  override: Record<string, unknown> = {},
  maxVersion?: SecureVersion,
): Promise<Harness> {
  const source = serverSource();
  const mtls = createMtlsServerOptions({ source, authorize, ...(maxVersion ? { maxVersion } : {}) });
  const handled: Array<{ peerId: string; reused: boolean }> = [];
  const server = createServer({ ...mtls, ...override }, (req, res) => {
    handled.push({ peerId: mtls.peerIdOf(req).toString(), reused: (req.socket as TLSSocket).isSessionReused() });
    res.end(`hello ${peerIdOf(req).toString()}`);
  });
  servers.push(server);
  mtls.attach(server);
  const rejected: MtlsError[] = [];
  server.on("tlsClientError", (e: unknown) => {
    if (MtlsError.is(e)) rejected.push(e);
  });
  const origin = await listen(server);
  return { mtls, source, server, port: (server.address() as AddressInfo).port, origin, rejected, handled };
}

interface RawResult {
  readonly response: string;
  readonly error: string | undefined;
  readonly session: Buffer | undefined;
  readonly serverCert: PeerCertificate | undefined;
}

/** One HTTP/1.1 request over a raw TLS client that presents `client` (or nothing). */
async function rawRequest(
  port: number,
  client: IssuedSvid | undefined,
  opts: { session?: Buffer; maxVersion?: SecureVersion } = {},
): Promise<RawResult> {
  const socket = connect({
    host: "127.0.0.1",
    port,
    rejectUnauthorized: false,
    ...(client ? { cert: client.certPem, key: client.keyPem } : {}),
    ...(opts.session ? { session: opts.session } : {}),
    ...(opts.maxVersion ? { maxVersion: opts.maxVersion } : {}),
  });
  sockets.push(socket);
  let response = "";
  let error: string | undefined;
  let session: Buffer | undefined;
  let serverCert: PeerCertificate | undefined;
  socket.on("session", (s: Buffer) => {
    session = s;
  });
  socket.on("secureConnect", () => {
    serverCert = socket.getPeerCertificate();
    socket.write("GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
  });
  socket.on("data", (d: Buffer) => {
    response += d.toString();
  });
  socket.on("error", (e: NodeJS.ErrnoException) => {
    error = e.code ?? e.message;
  });
  await once(socket, "close");
  return { response, error, session, serverCert };
}

describe("createMtlsServerOptions with node:https", () => {
  it("accepts a good client and gives the handler its SPIFFE ID", async () => {
    const h = await startServer();
    const client = createStaticX509Source(cas.ca.issueSvid(PEER_ID).svid, cas.ca.bundle);
    sources.push(client);
    const agent = createMtlsAgent({ source: client, authorize: authorizeId(SELF_ID) });
    agents.push(agent);
    const res = await agent.request({ origin: h.origin, path: "/", method: "GET" });
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe(`hello ${PEER_ID}`);
    expect(h.handled).toEqual([{ peerId: PEER_ID, reused: false }]);
    expect(h.rejected).toEqual([]);
  });

  it("accepts a good client whose chain goes through an intermediate CA", async () => {
    const h = await startServer();
    const r = await rawRequest(h.port, cas.ca.issueIntermediate().issueSvid(PEER_ID));
    expect(r.response).toMatch(/^HTTP\/1\.1 200/);
    expect(r.response).toContain(`hello ${PEER_ID}`);
  });

  for (const bad of BAD_PEERS) {
    it(`rejects a client with ${bad.name} as ${bad.code}`, async () => {
      const h = await startServer();
      const r = await rawRequest(h.port, bad.issue(cas));
      expect(r.response).toBe("");
      expect(h.handled).toEqual([]);
      expect(h.rejected.map((e) => e.code)).toEqual([bad.code]);
      expect(h.rejected[0]?.role).toBe("server");
    });
  }

  it("rejects a client that sends no certificate as no_peer_certificate", async () => {
    const h = await startServer();
    const r = await rawRequest(h.port, undefined);
    expect(r.response).toBe("");
    expect(h.handled).toEqual([]);
    expect(h.rejected.map((e) => e.code)).toEqual(["no_peer_certificate"]);
  });

  it("gates secureConnection listeners added after attach() too", async () => {
    const h = await startServer();
    const late: Array<{ peerId: string }> = [];
    h.server.on("secureConnection", (socket: TLSSocket) => {
      late.push({ peerId: peerIdOf(socket).toString() });
    });
    const intruder = await rawRequest(h.port, cas.ca.issueSvid("spiffe://example.org/intruder"));
    expect(intruder.response).toBe("");
    expect(h.rejected.map((e) => e.code)).toEqual(["unauthorized"]);
    expect(late).toEqual([]);
    const good = await rawRequest(h.port, cas.ca.issueSvid(PEER_ID));
    expect(good.response).toContain(`hello ${PEER_ID}`);
    expect(late).toEqual([{ peerId: PEER_ID }]);
  });

  it("refuses TLS 1.2 renegotiation by a verified client (it could swap its certificate)", async () => {
    const h = await startServer();
    const serverErrors: string[] = [];
    h.server.on("secureConnection", (socket: TLSSocket) => {
      socket.on("error", (e: NodeJS.ErrnoException) => serverErrors.push(e.code ?? e.message));
    });
    // After a rotation too: setSecureContext() keeps the secure options.
    h.source.set(cas.ca.issueSvid(SELF_ID).svid);
    const good = cas.ca.issueSvid(PEER_ID);
    const socket = connect({ host: "127.0.0.1", port: h.port, cert: good.certPem, key: good.keyPem, rejectUnauthorized: false, maxVersion: "TLSv1.2" });
    sockets.push(socket);
    await once(socket, "secureConnect");
    const outcome = await new Promise<string>((resolve) => {
      socket.once("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      socket.renegotiate({ rejectUnauthorized: false }, (err) => resolve(err ? ((err as NodeJS.ErrnoException).code ?? err.message) : "renegotiated"));
    });
    expect(outcome).toBe("ERR_SSL_NO_RENEGOTIATION");
    expect(h.mtls.secureOptions & 0x40000000).toBe(0x40000000);
  });

  it("refuses to attach one server to two options objects", async () => {
    const h = await startServer();
    const second = createMtlsServerOptions({ source: h.source, authorize: authorizeMemberOf("example.org") });
    expect(() => second.attach(h.server)).toThrow(expect.objectContaining({ code: "invalid_options" }));
    expect(h.mtls.attach(h.server)).toBe(h.server);
  });

  it("refuses to attach to a server that does not ask for client certificates", () => {
    const mtls = createMtlsServerOptions({ source: serverSource(), authorize: authorizeMemberOf("example.org") });
    const lax = createServer({ ...mtls, requestCert: false });
    const openssl = createServer({ ...mtls, rejectUnauthorized: true });
    expect(() => mtls.attach(lax)).toThrow(expect.objectContaining({ code: "invalid_options" }));
    expect(() => mtls.attach(openssl)).toThrow(expect.objectContaining({ code: "invalid_options" }));
  });

  it("does not resume sessions by default: a resumption attempt gets a full, re-verified handshake", async () => {
    let allow = true;
    const authorize: Authorizer = (id, chain) => (allow ? authorizeId(PEER_ID)(id, chain) : { allowed: false, reason: "now refused" });
    const h = await startServer(authorize);
    const client = cas.ca.issueSvid(PEER_ID);
    const first = await rawRequest(h.port, client);
    expect(first.response).toMatch(/^HTTP\/1\.1 200/);
    const second = await rawRequest(h.port, client, { session: first.session });
    expect(second.response).toMatch(/^HTTP\/1\.1 200/);
    expect(h.handled.map((x) => x.reused)).toEqual([false, false]);
    allow = false;
    const third = await rawRequest(h.port, client, { session: second.session ?? first.session });
    expect(third.response).toBe("");
    expect(h.rejected.map((e) => e.code)).toEqual(["unauthorized"]);
  });

  for (const maxVersion of ["TLSv1.2", "TLSv1.3"] as const) {
    it(`re-verifies a resumed session when tickets are turned back on (${maxVersion})`, async () => {
      let allow = true;
      const authorize: Authorizer = (id, chain) =>
        allow ? authorizeId(PEER_ID)(id, chain) : { allowed: false, reason: `now refusing "${id.toString()}"` };
      const h = await startServer(authorize, { secureOptions: 0 }, maxVersion);
      const client = cas.ca.issueIntermediate().issueSvid(PEER_ID);
      const first = await rawRequest(h.port, client, { maxVersion });
      expect(first.session).toBeDefined();
      // Resumed, chain with an intermediate: still verified and accepted.
      const second = await rawRequest(h.port, client, { session: first.session, maxVersion });
      expect(second.response).toMatch(/^HTTP\/1\.1 200/);
      expect(h.handled).toEqual([
        { peerId: PEER_ID, reused: false },
        { peerId: PEER_ID, reused: true },
      ]);
      allow = false;
      const third = await rawRequest(h.port, client, { session: second.session ?? first.session, maxVersion });
      expect(third.response).toBe("");
      expect(h.handled).toHaveLength(2);
      expect(h.rejected.map((e) => [e.code, e.expected])).toEqual([["unauthorized", `now refusing "${PEER_ID}"`]]);
    });
  }

  it("rotates the server certificate for new connections and keeps open ones", async () => {
    const h = await startServer();
    const client = cas.ca.issueSvid(PEER_ID);
    const before = await rawRequest(h.port, client);
    // A keep-alive connection opened before the rotation.
    const open = connect({ host: "127.0.0.1", port: h.port, rejectUnauthorized: false, cert: client.certPem, key: client.keyPem });
    sockets.push(open);
    await once(open, "secureConnect");
    const openCert = open.getPeerCertificate().fingerprint256;
    const next = cas.ca.issueSvid(SELF_ID).svid;
    h.source.set(next);
    const after = await rawRequest(h.port, client);
    expect(before.serverCert?.fingerprint256).toBe(openCert);
    expect(after.serverCert?.fingerprint256).not.toBe(before.serverCert?.fingerprint256);
    expect(Buffer.from(after.serverCert?.raw ?? []).equals(Buffer.from(next.certificates[0] ?? []))).toBe(true);
    expect(after.response).toMatch(/^HTTP\/1\.1 200/);
    open.write("GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
    let text = "";
    open.on("data", (d: Buffer) => {
      text += d.toString();
    });
    await once(open, "end");
    expect(text).toMatch(/^HTTP\/1\.1 200/);
  });

  it("fails closed: peerIdOf refuses a connection it did not verify", async () => {
    const own = cas.ca.issueSvid(SELF_ID);
    const codes: string[] = [];
    const plain = createServer({ cert: own.certPem, key: own.keyPem, requestCert: true, rejectUnauthorized: false }, (req, res) => {
      try {
        peerIdOf(req);
        codes.push("verified");
      } catch (e) {
        codes.push(MtlsError.is(e) ? e.code : "other");
      }
      res.end("x");
    });
    servers.push(plain);
    const port = Number(new URL(await listen(plain)).port);
    const r = await rawRequest(port, cas.ca.issueSvid(PEER_ID));
    expect(r.response).toMatch(/^HTTP\/1\.1 200/);
    expect(codes).toEqual(["not_verified"]);
  });

  it("keeps the private key out of inspect() and JSON", () => {
    const mtls = createMtlsServerOptions({ source: serverSource(), authorize: authorizeMemberOf("example.org") });
    expect(mtls.key).toContain("PRIVATE KEY");
    expect(inspect(mtls)).not.toContain("PRIVATE KEY");
    expect(JSON.stringify(mtls)).not.toContain("PRIVATE KEY");
    expect(inspect(mtls)).toContain("[redacted]");
  });

  it("fails on the spot without an SVID", async () => {
    const source = serverSource();
    await source.close();
    expect(() => createMtlsServerOptions({ source, authorize: authorizeMemberOf("example.org") })).toThrow(
      expect.objectContaining({ code: "no_svid" }),
    );
  });
});

describe("createMtlsServerOptions with node:http2", () => {
  it("gives the stream handler the client's SPIFFE ID and rejects bad clients", async () => {
    const source = serverSource();
    const mtls = createMtlsServerOptions({ source, authorize: authorizeId(PEER_ID) });
    const server = mtls.attach(
      createSecureServer(mtls, (req, res) => {
        res.end(`h2 ${mtls.peerIdOf(req).toString()} ${peerIdOf(req.stream).toString()}`);
      }),
    );
    servers.push(server);
    const rejected: string[] = [];
    server.on("tlsClientError", (e: unknown) => rejected.push(MtlsError.is(e) ? e.code : "other"));
    const origin = await listen(server as unknown as Server);
    const good = cas.ca.issueSvid(PEER_ID);
    const session = h2connect(origin, { cert: good.certPem, key: good.keyPem, rejectUnauthorized: false });
    const stream = session.request({ ":path": "/" });
    let body = "";
    stream.on("data", (d: Buffer) => {
      body += d.toString();
    });
    await once(stream, "end");
    session.close();
    expect(body).toBe(`h2 ${PEER_ID} ${PEER_ID}`);

    const bad = cas.ca.issueSvid("spiffe://example.org/intruder");
    const badSession = h2connect(origin, { cert: bad.certPem, key: bad.keyPem, rejectUnauthorized: false });
    badSession.on("error", () => {});
    await once(badSession, "close");
    expect(rejected).toEqual(["unauthorized"]);
  });
});
