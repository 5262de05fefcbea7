import { describe, expect, it } from "vitest";
import { caught, useMockNexus } from "../test/client-setup.js";
import { type FakeClock, until } from "../test/fake-clock.js";
import { type MockNexus, netError } from "../test/mock-nexus.js";
import { createNexusClient, type NexusClient, type NexusClientOptions } from "./client.js";
import { backoffDelay, resolveRetry, transportPhase } from "./retry.js";

let nexus: MockNexus;
let clock: FakeClock;
let client: NexusClient;
const make = (extra: Partial<NexusClientOptions> = {}) =>
  createNexusClient({ baseUrl: "https://nexus.test", dispatcher: nexus.agent, clock, random: () => 0.5, ...extra });

useMockNexus((s) => ({ nexus, clock, client } = s), { random: () => 0.5 });

/** The backoff waits scheduled (the first timer of each call is its 30 s timeout). */
const backoffWaits = () => clock.scheduled.filter((ms) => ms !== 30_000);

describe("backoff", () => {
  it("grows exponentially, caps, and jitters within ±jitter", () => {
    const r = resolveRetry({ initialDelayMs: 100, maxDelayMs: 1000, multiplier: 2, jitter: 0.5 });
    if (typeof r === "string") throw new Error(r);
    expect([0, 1, 2, 3, 4, 5].map((n) => backoffDelay(r, n, () => 0.5))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(r, 0, () => 0)).toBe(50);
    expect(backoffDelay(r, 0, () => 0.999999)).toBe(150);
    expect(backoffDelay(r, 4, () => 0)).toBe(500);
  });
  it("refuses bad settings", () => {
    expect(resolveRetry({ maxAttempts: 0 })).toBe("retry.maxAttempts must be an integer >= 1");
    expect(resolveRetry({ jitter: 2 })).toBe("retry.jitter must be between 0 and 1");
    expect(resolveRetry(false)).toMatchObject({ maxAttempts: 1 });
  });
  it("classifies transport failures by whether the request may have been written", () => {
    expect(transportPhase(netError("ECONNREFUSED"))).toBe("not-sent");
    expect(transportPhase(netError("UND_ERR_CONNECT_TIMEOUT"))).toBe("not-sent");
    expect(transportPhase(Object.assign(new Error("wrapped"), { cause: netError("ENOTFOUND") }))).toBe("not-sent");
    expect(transportPhase(netError("ECONNRESET"))).toBe("maybe-sent");
    expect(transportPhase(netError("UND_ERR_SOCKET"))).toBe("maybe-sent");
    expect(transportPhase(netError("ERR_TLS_CERT_ALTNAME_INVALID"))).toBe("config");
    expect(transportPhase(new Error("no code"))).toBe("config");
  });
});

describe("retry rules", () => {
  it("a get is retried after a connection reset", async () => {
    nexus.on("/v1/store/secrets?action=get", { error: netError("ECONNRESET", "read ECONNRESET") });
    nexus.on("/v1/store/secrets?action=get", { status: 200, json: { data: { k: "v" } } });
    expect(await clock.run(client.getSecret("a"))).toEqual({ k: "v" });
    expect(nexus.seen).toHaveLength(2);
    expect(nexus.seen[1]?.text).toBe('{"path":"a"}');
    expect(backoffWaits()).toEqual([250]);
  });

  it("counts attempts into a bad_response after a retry", async () => {
    nexus.on("/v1/store/secrets?action=get", { status: 503, json: { err: "state_not_ready" } });
    nexus.on("/v1/store/secrets?action=get", { status: 200, json: { data: "oops" } });
    const e = await caught(clock.run(client.getSecret("a")));
    expect(e.code).toBe("bad_response");
    expect(e.attempts).toBe(2);
  });

  it("a put that fails with a connection reset after write is not retried", async () => {
    nexus.on("/v1/store/secrets", { error: netError("ECONNRESET", "read ECONNRESET") });
    nexus.on("/v1/store/secrets", { status: 200, json: {} });
    const e = await caught(clock.run(client.putSecret("a", { password: "s3cr3t" })));
    expect(e.code).toBe("transport");
    expect(e.attempts).toBe(1);
    expect(nexus.seen).toHaveLength(1);
    expect(e.message).toBe(
      "nexus: secret.put failed after the request may have been sent to https://nexus.test/ (ECONNRESET); it was not retried because secret.put changes state; check the result before repeating it",
    );
    expect(e.message).not.toContain("s3cr3t");
    expect((e.cause as { code?: string }).code).toBe("ECONNRESET");
    expect(backoffWaits()).toEqual([]);
  });

  it("a socket error on delete, undelete and policy put is not retried either", async () => {
    nexus.on("/v1/store/secrets?action=delete", { error: netError("UND_ERR_SOCKET", "other side closed") });
    nexus.on("/v1/acl/policy", { error: netError("EPIPE") });
    expect((await caught(clock.run(client.deleteSecret("a")))).attempts).toBe(1);
    const p = { name: "p", spiffeIdPattern: "^spiffe://a\\.org/x$", pathPattern: "^a/", permissions: ["read"] as const };
    expect((await caught(clock.run(client.putPolicy(p)))).attempts).toBe(1);
    expect(nexus.seen).toHaveLength(2);
  });

  it("a put is retried when the connection was refused (nothing was written)", async () => {
    nexus.on("/v1/store/secrets", { error: netError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:8553") });
    nexus.on("/v1/store/secrets", { status: 200, json: {} });
    await clock.run(client.putSecret("a", { k: "v" }));
    expect(nexus.seen).toHaveLength(2);
    expect(nexus.seen.map((s) => s.text)).toEqual(['{"path":"a","values":{"k":"v"}}', '{"path":"a","values":{"k":"v"}}']);
  });

  it("not_ready 503 is retried with exponential backoff, even for a put", async () => {
    for (let i = 0; i < 2; i++) nexus.on("/v1/store/secrets", { status: 503, json: { err: "state_not_ready" } });
    nexus.on("/v1/store/secrets", { status: 200, json: {} });
    await clock.run(client.putSecret("a", { k: "v" }));
    expect(nexus.seen).toHaveLength(3);
    expect(backoffWaits()).toEqual([250, 500]);
  });

  it("a 503 without state_not_ready (a proxy that may have forwarded it) is never retried for a put", async () => {
    nexus.on("/v1/store/secrets", { status: 503, text: "<html>upstream reset</html>", contentType: "text/html" });
    nexus.on("/v1/store/secrets", { status: 200, json: {} });
    const e = await caught(clock.run(client.putSecret("a", { k: "v" })));
    expect(e.status).toBe(503);
    expect(e.attempts).toBe(1);
    expect(nexus.seen).toHaveLength(1);
    expect(backoffWaits()).toEqual([]);
  });

  it("a 503 without state_not_ready is still retried for a read", async () => {
    nexus.on("/v1/store/secrets?action=get", { status: 503, text: "busy", contentType: "text/plain" });
    nexus.on("/v1/store/secrets?action=get", { status: 200, json: { data: { k: "v" } } });
    expect(await clock.run(client.getSecret("a"))).toEqual({ k: "v" });
    expect(nexus.seen).toHaveLength(2);
  });

  it("gives up after maxAttempts with the last error", async () => {
    for (let i = 0; i < 4; i++) nexus.on("/v1/store/secrets?action=list", { status: 503, json: { err: "state_not_ready" } });
    const e = await caught(clock.run(client.listSecrets()));
    expect(e.code).toBe("not_ready");
    expect(e.attempts).toBe(4);
    expect(e.status).toBe(503);
    expect(e.message).toBe(
      "nexus: nexus is not ready for secret.list (503 state_not_ready); it has no root key yet: wait for the keepers or run an operator restore",
    );
    expect(backoffWaits()).toEqual([250, 500, 1000]);
  });

  it("uses the injected random for jitter", async () => {
    const c = make({ random: () => 0, retry: { initialDelayMs: 1000, jitter: 0.5 } });
    nexus.on("/v1/store/secrets?action=get", { status: 503, json: { err: "state_not_ready" } });
    nexus.on("/v1/store/secrets?action=get", { status: 200, json: { data: {} } });
    await clock.run(c.getSecret("a"));
    expect(backoffWaits()).toEqual([500]);
    await c.close();
  });

  it("does not retry 400, 401, 404 or 500", async () => {
    for (const [status, err] of [
      [400, "api_bad_request"],
      [401, "access_unauthorized"],
      [404, "api_not_found"],
      [500, "api_internal_error"],
    ] as const) {
      nexus.on("/v1/store/secrets?action=get", { status, json: { err } });
      const e = await caught(clock.run(client.getSecret("a")));
      expect(e.status).toBe(status);
      expect(e.attempts).toBe(1);
    }
    expect(nexus.seen).toHaveLength(4);
    expect(backoffWaits()).toEqual([]);
  });

  it("does not retry TLS or peer-ID failures, even for reads", async () => {
    nexus.on("/v1/store/secrets?action=get", { error: netError("ERR_TLS_CERT_ALTNAME_INVALID", "cert mismatch") });
    const e = await caught(clock.run(client.getSecret("a")));
    expect(e.code).toBe("transport");
    expect(e.attempts).toBe(1);
    expect(e.message).toContain("while connecting");
    expect(e.message).toContain("check the base url, the trust bundle and that the server presents a nexus spiffe id");
  });

  it("does not retry an mTLS-layer error, even one caused by a reset, and passes its message on", async () => {
    // What @spike-ts/mtls-transport raises for a plaintext server (recognized by its Symbol.for brand).
    const mtls = Object.assign(
      new Error("mtls: the server at 127.0.0.1:8553 did not answer tls (ECONNRESET); check that the url points at the server's mtls port", {
        cause: netError("ECONNRESET"),
      }),
      { code: "not_tls", [Symbol.for("@spike-ts/mtls-transport.error")]: true },
    );
    expect(transportPhase(mtls)).toBe("config");
    nexus.on("/v1/store/secrets?action=get", { error: mtls });
    const e = await caught(clock.run(client.getSecret("a")));
    expect(e.code).toBe("transport");
    expect(e.attempts).toBe(1);
    expect(e.cause).toBe(mtls);
    expect(e.message).toBe(
      "nexus: secret.get failed while connecting to https://nexus.test/ (not_tls): mtls: the server at 127.0.0.1:8553 did not answer tls (ECONNRESET); check that the url points at the server's mtls port",
    );
    expect(backoffWaits()).toEqual([]);
  });

  it("says no server is listening when the connection is refused", async () => {
    const refused = Object.assign(netError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:8553"), { address: "127.0.0.1", port: 8553 });
    nexus.on("/v1/store/secrets?action=get", { error: refused });
    const once = make({ retry: false });
    const e = await caught(clock.run(once.getSecret("a")));
    await once.close();
    expect(e.code).toBe("transport");
    expect(e.message).toBe(
      "nexus: secret.get failed: no server listening at 127.0.0.1:8553 (ECONNREFUSED); check that nexus is running and that the base url (https://nexus.test/, SPIKE_NEXUS_API_URL) points at it",
    );
  });

  it("retry: false makes one attempt", async () => {
    const c = make({ retry: false });
    nexus.on("/v1/store/secrets?action=get", { status: 503, json: { err: "state_not_ready" } });
    const e = await caught(clock.run(c.getSecret("a")));
    expect(e.attempts).toBe(1);
    await c.close();
  });

  it("does not start a backoff that would end after the deadline", async () => {
    const c = make({ timeoutMs: 600 });
    nexus.on("/v1/store/secrets?action=get", { status: 503, json: { err: "state_not_ready" } });
    nexus.on("/v1/store/secrets?action=get", { status: 503, json: { err: "state_not_ready" } });
    const e = await caught(clock.run(c.getSecret("a")));
    expect(e.code).toBe("not_ready");
    expect(e.attempts).toBe(2);
    expect(clock.scheduled).toEqual([600, 250]);
    await c.close();
  });

  it("retries 502/504 from a proxy for reads only", async () => {
    nexus.on("/v1/store/secrets?action=get", { status: 502, text: "bad gateway", contentType: "text/plain" });
    nexus.on("/v1/store/secrets?action=get", { status: 200, json: { data: {} } });
    await clock.run(client.getSecret("a"));
    nexus.on("/v1/store/secrets", { status: 504, text: "gateway timeout", contentType: "text/plain" });
    const e = await caught(clock.run(client.putSecret("a", { k: "v" })));
    expect(e.code).toBe("bad_response");
    expect(e.attempts).toBe(1);
    expect(nexus.seen).toHaveLength(3);
  });
});

describe("abort, timeout, close", () => {
  it("an already aborted signal sends nothing", async () => {
    const ac = new AbortController();
    ac.abort(new Error("stop"));
    const e = await caught(client.getSecret("a", { signal: ac.signal }));
    expect(e.code).toBe("aborted");
    expect(e.attempts).toBe(0);
    expect(nexus.seen).toHaveLength(0);
  });

  it("aborting in flight rejects with aborted", async () => {
    nexus.on("/v1/store/secrets?action=get", { hang: true });
    const ac = new AbortController();
    const p = client.getSecret("a", { signal: ac.signal });
    await until(() => nexus.seen.length > 0);
    ac.abort(new Error("user stop"));
    const e = await caught(p);
    expect(e.code).toBe("aborted");
    expect(e.message).toBe("nexus: secret.get was aborted by the caller");
    expect((e.cause as Error).message).toBe("user stop");
    expect(clock.pending()).toBe(0);
  });

  it("the per-call timeout fires and says what to do", async () => {
    nexus.on("/v1/store/secrets?action=get", { hang: true });
    const e = await caught(clock.run(client.getSecret("a", { timeoutMs: 1500 })));
    expect(e.code).toBe("timeout");
    expect(e.message).toBe(
      "nexus: secret.get timed out after 1500 ms (1 attempt); raise timeoutMs or check that nexus at https://nexus.test/ answers",
    );
    expect(clock.scheduled).toEqual([1500]);
  });

  it("aborting during a backoff stops the retries", async () => {
    nexus.on("/v1/store/secrets?action=get", { status: 503, json: { err: "state_not_ready" } });
    const ac = new AbortController();
    const p = client.getSecret("a", { signal: ac.signal });
    await until(() => clock.pending() >= 2);
    ac.abort();
    const e = await caught(p);
    expect(e.code).toBe("aborted");
    expect(e.attempts).toBe(1);
    expect(clock.pending()).toBe(0);
  });

  it("close() aborts calls in flight and refuses new ones", async () => {
    nexus.on("/v1/store/secrets?action=get", { hang: true });
    const p = client.getSecret("a");
    await until(() => nexus.seen.length > 0);
    await client.close();
    expect((await caught(p)).code).toBe("closed");
    const e = await caught(client.listSecrets());
    expect(e.code).toBe("closed");
    expect(e.message).toBe("nexus: the client is closed; create a new one to call secret.list");
  });

  it("refuses a bad per-call timeout", async () => {
    const e = await caught(client.getSecret("a", { timeoutMs: 0 }));
    expect(e.code).toBe("invalid_input");
  });
});
