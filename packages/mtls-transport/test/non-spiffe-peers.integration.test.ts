import { once } from "node:events";
import { createServer as createHttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { type AddressInfo, createServer as createTcpServer, type Server as TcpServer, type Socket } from "node:net";
import { authorizeId, X509BundleSet } from "@spike-ts/spiffe";
import { createStaticX509Source, type StaticX509Source } from "@spike-ts/spiffe/testing";
import { type Dispatcher, errors } from "undici";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createMtlsAgent, MtlsError, type MtlsErrorCode } from "../src/index.js";
import { type Cas, failure, makeCas, PEER_ID, SELF_ID } from "./support.js";

let cas: Cas;
const servers: TcpServer[] = [];
const sockets = new Set<Socket>();
const agents: Dispatcher[] = [];
const sources: StaticX509Source[] = [];

beforeAll(() => {
  cas = makeCas();
});

afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.close()));
  for (const s of sockets) s.destroy();
  sockets.clear();
  await Promise.all(
    servers.splice(0).map(async (server) => {
      const closed = once(server, "close");
      server.close();
      await closed;
    }),
  );
  await Promise.all(sources.splice(0).map((s) => s.close()));
});

/** Listens on 127.0.0.1:0, tracks its sockets for afterEach, returns `host:port`. */
async function listen(server: TcpServer): Promise<string> {
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function agent(extra: Record<string, unknown> = {}): Dispatcher {
  const source = createStaticX509Source(cas.ca.issueSvid(SELF_ID).svid, new X509BundleSet(cas.ca.bundle));
  sources.push(source);
  const a = createMtlsAgent({ source, authorize: authorizeId(PEER_ID), ...extra });
  agents.push(a);
  return a;
}

function request(dispatcher: Dispatcher, address: string): Promise<unknown> {
  return dispatcher
    .request({ origin: `https://${address}`, path: "/v1/store/secrets", method: "GET" })
    .then((res) => res.body.text());
}

async function rejection(dispatcher: Dispatcher, address: string): Promise<unknown> {
  try {
    await request(dispatcher, address);
  } catch (error) {
    return error;
  }
  throw new Error("expected the request to fail");
}

async function mtlsRejection(dispatcher: Dispatcher, address: string, code: MtlsErrorCode): Promise<MtlsError> {
  const error = await failure(request(dispatcher, address));
  expect(error).toBeInstanceOf(MtlsError);
  expect(error.code).toBe(code);
  expect(error.role).toBe("client");
  expect(error.address).toBe(address);
  expect(error.message).toContain(address);
  return error;
}

describe("createMtlsAgent against servers that are not SPIFFE mTLS servers", () => {
  it("names a plaintext http server not_tls, keeping the openssl error as cause", async () => {
    let requests = 0;
    const address = await listen(createHttpServer((_req, res) => {
      requests++;
      res.end("plain");
    }));
    const error = await mtlsRejection(agent(), address, "not_tls");
    expect((error.cause as NodeJS.ErrnoException).code).toBe("ERR_SSL_WRONG_VERSION_NUMBER");
    expect(error.message).toBe(
      `mtls: the server at ${address} did not answer tls (ERR_SSL_WRONG_VERSION_NUMBER); it is not a tls server ` +
        "(plain http or another protocol?): check that the url points at the server's mtls port (for spike nexus: SPIKE_NEXUS_API_URL)",
    );
    // Our ClientHello is not an http request, so the plaintext server answered 400 and ran no handler.
    expect(requests).toBe(0);
  });

  it("names a server that resets after reading our hello, before any tls reply, not_tls", async () => {
    const address = await listen(createTcpServer((s) => s.once("data", () => s.resetAndDestroy())));
    const error = await mtlsRejection(agent(), address, "not_tls");
    expect((error.cause as NodeJS.ErrnoException).code).toBe("ECONNRESET");
    expect(error.message).toContain("closed the connection without answering the tls handshake");
  });

  it("names a server that reads our hello and closes without a reply not_tls", async () => {
    const address = await listen(createTcpServer((s) => s.once("data", () => s.end())));
    await mtlsRejection(agent(), address, "not_tls");
  });

  it("names a server that answers garbage not_tls", async () => {
    const address = await listen(createTcpServer((s) => s.once("data", () => s.end(Buffer.from("SSH-2.0-OpenSSH_9.6\r\n")))));
    const error = await mtlsRejection(agent(), address, "not_tls");
    expect((error.cause as NodeJS.ErrnoException).code).toMatch(/^ERR_SSL_/);
  });

  it("names a tls server with a non-spiffe (dns-only) certificate invalid_peer_svid, before client auth", async () => {
    const web = cas.unknown.issueSvid(PEER_ID, { uriSans: [], dnsSans: ["nexus.example.com"] });
    const address = await listen(createHttpsServer({ cert: web.certPem, key: web.keyPem }, (_req, res) => res.end("web")));
    const error = await mtlsRejection(agent(), address, "invalid_peer_svid");
    expect(error.message).toContain(`server certificate at ${address} rejected (invalid_peer_svid)`);
  });

  it("names a tls server with an https uri san certificate invalid_peer_svid", async () => {
    const web = cas.unknown.issueSvid(PEER_ID, { uriSans: ["https://nexus.example.com/"] });
    const address = await listen(createHttpsServer({ cert: web.certPem, key: web.keyPem }, (_req, res) => res.end("web")));
    await mtlsRejection(agent(), address, "invalid_peer_svid");
  });

  it("names a tls server with no common protocol version handshake_failed", async () => {
    const peer = cas.ca.issueSvid(PEER_ID);
    const address = await listen(
      createHttpsServer({ cert: peer.certPem, key: peer.keyPem, requestCert: true, rejectUnauthorized: false, minVersion: "TLSv1.3" }),
    );
    const error = await mtlsRejection(agent({ maxVersion: "TLSv1.2" }), address, "handshake_failed");
    expect((error.cause as NodeJS.ErrnoException).code).toBe("ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION");
  });

  it("leaves a refused connection as the network error (nothing listens there)", async () => {
    const server = createTcpServer();
    const address = await listen(server);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    servers.splice(servers.indexOf(server), 1);
    const error = await rejection(agent(), address);
    expect(MtlsError.is(error)).toBe(false);
    expect((error as NodeJS.ErrnoException).code).toBe("ECONNREFUSED");
  });

  it("says a server that accepts tcp but never answers tls timed out in the handshake", async () => {
    const address = await listen(createTcpServer(() => {}));
    const error = await rejection(agent({ connect: { timeout: 200 } }), address);
    expect(error).toBeInstanceOf(errors.ConnectTimeoutError);
    expect((error as Error).message).toBe(
      `mtls: the server at ${address} accepted the connection but did not complete a tls handshake within 200 ms; ` +
        "check that the url points at the server's mtls port (for spike nexus: SPIKE_NEXUS_API_URL)",
    );
  });
});
