import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Agent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createNexusClient, type NexusClient } from "../src/client.js";
import { caught } from "./client-setup.js";

// Real sockets on 127.0.0.1 (plain HTTP: this checks how real undici failures are
// classified for retries; mTLS is the dispatcher's job and is tested with nexus-dev).

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

let server: Server;
let agent: Agent;
let client: NexusClient;
let handlers: Handler[];
let seen: Array<{ url: string; body: string }>;
let port: number;

beforeEach(async () => {
  handlers = [];
  seen = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString();
      seen.push({ url: req.url ?? "", body });
      const h = handlers.shift();
      if (!h) {
        res.writeHead(500, { "content-type": "application/json" }).end('{"err":"api_internal_error"}');
        return;
      }
      h(req, body, res);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  port = (server.address() as AddressInfo).port;
  agent = new Agent({ connections: 4 });
  client = createNexusClient({ baseUrl: `http://127.0.0.1:${port}`, dispatcher: agent, retry: { initialDelayMs: 1, maxDelayMs: 5 } });
});

afterEach(async () => {
  await client.close();
  await agent.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const json = (status: number, body: unknown): Handler => (_req, _body, res) => {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
};
const reset: Handler = (req) => req.socket.destroy();

describe("real sockets", () => {
  it("round-trips a put and a get", async () => {
    handlers.push(json(200, {}), json(200, { data: { k: "v" } }));
    await client.putSecret("apps/web/db", { k: "v" });
    expect(await client.getSecret("apps/web/db")).toEqual({ k: "v" });
    expect(seen).toEqual([
      { url: "/v1/store/secrets", body: '{"path":"apps/web/db","values":{"k":"v"}}' },
      { url: "/v1/store/secrets?action=get", body: '{"path":"apps/web/db"}' },
    ]);
  });

  it("a put whose connection is dropped after the server read it is not retried", async () => {
    handlers.push(reset, json(200, {}));
    const e = await caught(client.putSecret("apps/web/db", { k: "v" }));
    expect(e.code).toBe("transport");
    expect(e.attempts).toBe(1);
    expect(e.message).toContain("it was not retried because secret.put changes state");
    expect(seen).toHaveLength(1);
  });

  it("a get whose connection is dropped is retried", async () => {
    handlers.push(reset, json(200, { data: { k: "v" } }));
    expect(await client.getSecret("a")).toEqual({ k: "v" });
    expect(seen).toHaveLength(2);
  });

  it("a refused connection is retried, then reported as not sent", async () => {
    const closed = createServer();
    closed.listen(0, "127.0.0.1");
    await once(closed, "listening");
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const c = createNexusClient({ baseUrl: `http://127.0.0.1:${deadPort}`, dispatcher: agent, retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 } });
    const e = await caught(c.putSecret("a", { k: "v" }));
    expect(e.code).toBe("transport");
    expect(e.attempts).toBe(3);
    expect(e.message).toBe(
      `nexus: secret.put failed: no server listening at 127.0.0.1:${deadPort} (ECONNREFUSED); check that nexus is running and that the base url (http://127.0.0.1:${deadPort}/, SPIKE_NEXUS_API_URL) points at it`,
    );
    await c.close();
  });

  it("503 state_not_ready is retried until Nexus is ready", async () => {
    handlers.push(json(503, { err: "state_not_ready" }), json(503, { err: "state_not_ready" }), json(200, { keys: ["a"] }));
    expect(await client.listSecrets()).toEqual(["a"]);
    expect(seen).toHaveLength(3);
  });

  it("a per-call timeout aborts a request the server never answers", async () => {
    handlers.push(() => undefined);
    const e = await caught(client.getSecret("a", { timeoutMs: 200 }));
    expect(e.code).toBe("timeout");
    expect(e.attempts).toBe(1);
  });

  it("stops reading an endless chunked body at maxResponseBytes and destroys the stream", async () => {
    const small = createNexusClient({ baseUrl: `http://127.0.0.1:${port}`, dispatcher: agent, retry: false, maxResponseBytes: 1 << 20 });
    let written = 0;
    let closed!: () => void;
    const serverSawClose = new Promise<void>((resolve) => {
      closed = resolve;
    });
    handlers.push((_req, _body, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"data":{"a":"');
      const chunk = "x".repeat(64 * 1024);
      res.on("close", () => closed());
      const pump = (): void => {
        while (!res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) {
            res.once("drain", pump);
            return;
          }
        }
      };
      pump();
    });
    const e = await caught(small.getSecret("a"));
    await small.close();
    expect(e.code).toBe("bad_response");
    expect(e.message).toContain("maxResponseBytes is 1048576");
    await serverSawClose;
    // The server never finished: the client dropped the connection instead of buffering.
    expect(written).toBeGreaterThan(1 << 20);
  });

  it("an abort in the middle of a slow body rejects with aborted and drops the connection", async () => {
    let headersSent!: () => void;
    const started = new Promise<void>((resolve) => {
      headersSent = resolve;
    });
    let serverSawClose!: () => void;
    const closed = new Promise<void>((resolve) => {
      serverSawClose = resolve;
    });
    handlers.push((_req, _body, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"data":{"k":"');
      res.on("close", () => serverSawClose());
      headersSent();
    });
    const controller = new AbortController();
    const pending = caught(client.getSecret("a", { signal: controller.signal }));
    await started;
    controller.abort(new Error("user gave up"));
    const e = await pending;
    expect(e.code).toBe("aborted");
    expect(e.attempts).toBe(1);
    await closed;
    expect(seen).toHaveLength(1);
  });
});
