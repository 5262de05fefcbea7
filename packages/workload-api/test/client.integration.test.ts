import { mkdtemp, rm } from "node:fs/promises";
import { status } from "@grpc/grpc-js";
import { TrustDomain, X509Bundle } from "@spike-ts/spiffe";
import { createTestCa } from "@spike-ts/spiffe/testing";
import { describe, expect, it } from "vitest";
import { type BackoffStrategy, type WorkloadApiError, type X509Context, createWorkloadApiClient } from "../src/index.js";
import { type MalformedKind, startDevWorkloadApi } from "../src/testing/index.js";
import { rejection, useCleanup } from "./helpers.js";

const cleanup = useCleanup();
const API = "spiffe://example.org/api";
const WEB = "spiffe://example.org/web";

async function setup(opts: Partial<Parameters<typeof startDevWorkloadApi>[0]> = {}, clientOpts: Parameters<typeof createWorkloadApiClient>[0] = {}) {
  const agent = await startDevWorkloadApi({ identities: [{ spiffeId: API }], ...opts });
  cleanup(() => agent.close());
  const client = createWorkloadApiClient({ address: agent.address, ...clientOpts });
  cleanup(() => client.close());
  return { agent, client };
}

/** A backoff that records delays and waits `ms` each time. */
function recordingBackoff(ms = 5): BackoffStrategy & { delays: number[]; resets: number } {
  const out = {
    delays: [] as number[],
    resets: 0,
    newBackoff() {
      return {
        next() {
          out.delays.push(ms);
          return ms;
        },
        reset() {
          out.resets++;
        },
      };
    },
  };
  return out;
}

/** Collects watch events into a queue the test can await. */
function collector<T>() {
  const updates: T[] = [];
  const errors: WorkloadApiError[] = [];
  let stopped: WorkloadApiError | undefined;
  const waiters: (() => void)[] = [];
  const poke = () => {
    for (const w of waiters.splice(0)) w();
  };
  const until = (cond: () => boolean, ms = 10_000) =>
    new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error("condition not reached")), ms);
      const check = () => {
        if (cond()) {
          clearTimeout(t);
          resolve();
        } else waiters.push(check);
      };
      check();
    });
  return {
    updates,
    errors,
    get stopped() {
      return stopped;
    },
    until,
    watcher: {
      onUpdate: (v: T) => {
        updates.push(v);
        poke();
      },
      onError: (e: WorkloadApiError) => {
        errors.push(e);
        poke();
      },
      onStop: (e: WorkloadApiError) => {
        stopped = e;
        poke();
      },
    },
  };
}

describe("client: one-shot calls", () => {
  it("sends exactly one workload.spiffe.io: true on every call", async () => {
    const { agent, client } = await setup();
    await client.fetchX509Context();
    await client.fetchX509Bundles();
    await client.fetchJwtBundles();
    const jwt = await client.fetchJwtSvid({ audience: "a" });
    await client.validateJwtSvid(jwt.token, "a");
    expect(agent.calls.map((c) => [c.rpc, c.securityHeader])).toEqual([
      ["FetchX509SVID", ["true"]],
      ["FetchX509Bundles", ["true"]],
      ["FetchJWTBundles", ["true"]],
      ["FetchJWTSVID", ["true"]],
      ["ValidateJWTSVID", ["true"]],
    ]);
    expect(agent.calls[0]?.authority).toBe("localhost");
  });

  it("fetches the X.509 context: SVIDs in order with hints, own and federated bundles", async () => {
    const partner = createTestCa({ trustDomain: "partner.org" });
    const { agent, client } = await setup({
      identities: [{ spiffeId: API, hint: "internal" }, { spiffeId: WEB, hint: "external" }],
      federatedBundles: { "partner.org": partner.bundle, "empty.org": X509Bundle.empty("empty.org") },
    });
    const ctx = await client.fetchX509Context();
    expect(ctx.svids.map((s) => [s.id.toString(), s.hint])).toEqual([[API, "internal"], [WEB, "external"]]);
    expect(ctx.defaultSvid.id.toString()).toBe(API);
    expect(Buffer.from(ctx.defaultSvid.certificates[0] as Uint8Array).equals(Buffer.from(agent.svids[0]?.certificates[0] as Uint8Array))).toBe(true);
    expect(ctx.bundles.get("example.org")?.equals(agent.bundle)).toBe(true);
    expect(ctx.bundles.get("partner.org")?.equals(partner.bundle)).toBe(true);
    expect(ctx.bundles.bundles().map((b) => b.trustDomain.name)).toEqual(["empty.org", "example.org", "partner.org"]);
    expect((await client.fetchX509Svid()).id.toString()).toBe(API);
    expect((await client.fetchX509Svids()).map((s) => s.hint)).toEqual(["internal", "external"]);
  });

  it("fetches X.509 bundles", async () => {
    const partner = createTestCa({ trustDomain: "partner.org" });
    const { agent, client } = await setup({ federatedBundles: { "partner.org": partner.bundle } });
    const set = await client.fetchX509Bundles();
    expect(set.getX509BundleForTrustDomain(TrustDomain.parse("example.org")).equals(agent.bundle)).toBe(true);
    expect(set.has("partner.org")).toBe(true);
  });

  it("fetches JWT-SVIDs (audience + extras, subject filter, hints) and JWT bundles", async () => {
    const { agent, client } = await setup({ identities: [{ spiffeId: API, hint: "a" }, { spiffeId: WEB, hint: "b" }] });
    const all = await client.fetchJwtSvids({ audience: "db", extraAudiences: ["cache"] });
    expect(all.map((s) => [s.id.toString(), s.hint, s.audience])).toEqual([
      [API, "a", ["db", "cache"]],
      [WEB, "b", ["db", "cache"]],
    ]);
    const web = await client.fetchJwtSvid({ audience: ["db"], subject: WEB });
    expect(web.id.toString()).toBe(WEB);
    expect(web.expiry.getTime()).toBeGreaterThan(Date.now());
    const bundles = await client.fetchJwtBundles();
    expect(bundles.getJwtBundleForTrustDomain(TrustDomain.parse("example.org")).findKey(agent.ca.jwtKid)).toBeDefined();
    const missing = await rejection(client.fetchJwtSvid({ audience: "db", subject: "spiffe://example.org/nope" }));
    expect(missing.code).toBe("no_identity");
    expect(missing.grpcCode).toBe(status.PERMISSION_DENIED);
    expect(missing.message).toContain('"no identity issued"');
  });

  it("validates a JWT-SVID through the agent", async () => {
    const { agent, client } = await setup();
    const token = agent.ca.issueJwtSvid(API, { audience: "db" });
    const svid = await client.validateJwtSvid(token, "db");
    expect([svid.id.toString(), svid.audience]).toEqual([API, ["db"]]);
    const bad = await rejection(client.validateJwtSvid(token, "other"));
    expect(bad.code).toBe("invalid_argument");
    expect(bad.message).not.toContain(token);
  });

  it("checks arguments before calling", async () => {
    const { agent, client } = await setup();
    expect((await rejection(client.fetchJwtSvid({ audience: [] }))).code).toBe("invalid_argument");
    expect((await rejection(client.fetchJwtSvid({ audience: "x", subject: "not-an-id" }))).code).toBe("invalid_argument");
    expect((await rejection(client.validateJwtSvid("", "x"))).code).toBe("invalid_argument");
    expect(agent.calls).toHaveLength(0);
  });

  it("reports no identity, no socket and aborts clearly", async () => {
    const { client } = await setup({ identities: [] });
    const noId = await rejection(client.fetchX509Context());
    expect(noId.code).toBe("no_identity");
    expect(noId.message).toMatch(/registration entry/);

    const dir = await mkdtemp("/tmp/sts-");
    cleanup(() => rm(dir, { recursive: true, force: true }));
    const nowhere = createWorkloadApiClient({ address: `unix://${dir}/missing.sock` });
    cleanup(() => nowhere.close());
    const unreachable = await rejection(nowhere.fetchX509Context());
    expect(unreachable.code).toBe("unreachable");
    expect(unreachable.message).toContain(`no Workload API agent answers at unix:${dir}/missing.sock`);

    const ac = new AbortController();
    ac.abort(new Error("stop"));
    expect((await rejection(client.fetchX509Context({ signal: ac.signal }))).code).toBe("aborted");
  });

  it("aborts a pending fetch (the agent holds the first message)", async () => {
    const { agent, client } = await setup();
    const release = agent.holdFirstMessages();
    cleanup(release);
    const ac = new AbortController();
    const p = client.fetchX509Context({ signal: ac.signal });
    await agent.waitForStreams("FetchX509SVID");
    ac.abort();
    expect((await rejection(p)).code).toBe("aborted");
  });

  it("rejects every call after close()", async () => {
    const { client } = await setup();
    await client.close();
    expect((await rejection(client.fetchX509Context())).code).toBe("closed");
    expect((await rejection(client.fetchJwtSvid({ audience: "x" }))).code).toBe("closed");
  });

  it("surfaces injected statuses with their layer", async () => {
    const { agent, client } = await setup();
    agent.injectStatus("FetchX509SVID", { code: status.UNAVAILABLE, details: "workload attestation failed" }, 1);
    const e = await rejection(client.fetchX509Context());
    expect([e.code, e.grpcCode, e.rpc]).toEqual(["unavailable", status.UNAVAILABLE, "FetchX509SVID"]);
    expect(e.message).toContain("workload attestation failed");
    expect((await client.fetchX509Context()).svids).toHaveLength(1);
  });
});

describe("client: watches", () => {
  it("streams X.509 updates on rotation", async () => {
    const { agent, client } = await setup();
    const c = collector<X509Context>();
    const stop = client.watchX509Context(c.watcher);
    cleanup(stop);
    await c.until(() => c.updates.length === 1);
    agent.rotate();
    await c.until(() => c.updates.length === 2);
    const [a, b] = c.updates;
    expect(a?.defaultSvid.id.toString()).toBe(API);
    expect(Buffer.from(b?.defaultSvid.certificates[0] as Uint8Array).equals(Buffer.from(a?.defaultSvid.certificates[0] as Uint8Array))).toBe(false);
    expect(Buffer.from(b?.defaultSvid.certificates[0] as Uint8Array).equals(Buffer.from(agent.svids[0]?.certificates[0] as Uint8Array))).toBe(true);
  });

  it.each<MalformedKind>(["garbage-protobuf", "empty-svids", "garbage-der", "mismatched-key", "empty-bundle", "id-mismatch", "garbage-bundle"])(
    "reports a %s message as malformed_response and keeps the stream",
    async (kind) => {
      const { agent, client } = await setup();
      const c = collector<X509Context>();
      cleanup(client.watchX509Context(c.watcher));
      await c.until(() => c.updates.length === 1);
      expect(agent.sendMalformed(kind)).toBe(1);
      await c.until(() => c.errors.length === 1);
      expect(c.errors[0]?.code).toBe("malformed_response");
      expect(c.errors[0]?.message).toMatch(/^workload-api: malformed FetchX509SVID response: /);
      agent.rotate();
      await c.until(() => c.updates.length === 2);
      expect(agent.calls.filter((x) => x.rpc === "FetchX509SVID")).toHaveLength(1);
      expect(c.stopped).toBeUndefined();
    },
  );

  it("reports malformed bundle messages on bundle watches", async () => {
    const { agent, client } = await setup();
    const x = collector<unknown>();
    const j = collector<unknown>();
    cleanup(client.watchX509Bundles(x.watcher));
    cleanup(client.watchJwtBundles(j.watcher));
    await x.until(() => x.updates.length === 1);
    await j.until(() => j.updates.length === 1);
    agent.sendMalformed("garbage-bundle", "FetchX509Bundles");
    agent.sendMalformed("garbage-bundle", "FetchJWTBundles");
    agent.sendMalformed("garbage-protobuf", "FetchJWTBundles");
    await x.until(() => x.errors.length === 1);
    await j.until(() => j.errors.length === 2);
    expect([...x.errors, ...j.errors].map((e) => e.code)).toEqual(["malformed_response", "malformed_response", "malformed_response"]);
  });

  it("retries with the backoff strategy, resets it after a message, stops on INVALID_ARGUMENT", async () => {
    const backoff = recordingBackoff(5);
    const { agent, client } = await setup({}, { backoff });
    agent.injectStatus("FetchX509SVID", { code: status.UNAVAILABLE, details: "rate limit exceeded" }, 2);
    agent.injectStatus("FetchX509SVID", { code: status.PERMISSION_DENIED, details: "no identity issued" }, 1);
    const c = collector<X509Context>();
    cleanup(client.watchX509Context(c.watcher));
    await c.until(() => c.updates.length === 1);
    expect(c.errors.map((e) => e.code)).toEqual(["unavailable", "unavailable", "no_identity"]);
    expect(backoff.delays).toHaveLength(3);
    expect(backoff.resets).toBe(1);
    agent.injectStatus("FetchX509SVID", { code: status.INVALID_ARGUMENT, details: "security header missing from request" });
    agent.endStreams({ code: status.UNAVAILABLE, details: "agent restarting" });
    await c.until(() => c.stopped !== undefined);
    expect(c.stopped?.code).toBe("invalid_argument");
    expect(agent.calls.filter((x) => x.rpc === "FetchX509SVID")).toHaveLength(5);
  });

  it("survives an agent restart", async () => {
    const { agent, client } = await setup({}, { backoff: recordingBackoff(10) });
    const c = collector<X509Context>();
    cleanup(client.watchX509Context(c.watcher));
    await c.until(() => c.updates.length === 1);
    await agent.stop();
    await c.until(() => c.errors.some((e) => e.code === "unreachable"));
    agent.rotate();
    await agent.start();
    await c.until(() => c.updates.length === 2);
    expect(c.updates[1]?.defaultSvid.id.toString()).toBe(API);
    expect(c.stopped).toBeUndefined();
  });

  it("de-duplicates JWT bundle re-sends and reports CA rotation", async () => {
    const { agent, client } = await setup();
    const c = collector<{ size: number }>();
    cleanup(client.watchJwtBundles(c.watcher));
    await c.until(() => c.updates.length === 1);
    agent.rotate(); // SVIDs change, JWT keys do not: no message
    agent.rotateCa();
    await c.until(() => c.updates.length === 2);
    expect(c.updates).toHaveLength(2);
  });

  it("stops on abort and on close", async () => {
    const { client } = await setup();
    const ac = new AbortController();
    const a = collector<X509Context>();
    client.watchX509Context(a.watcher, { signal: ac.signal });
    await a.until(() => a.updates.length === 1);
    ac.abort();
    await a.until(() => a.stopped !== undefined);
    expect(a.stopped?.code).toBe("aborted");
    const b = collector<X509Context>();
    client.watchX509Context(b.watcher);
    await b.until(() => b.updates.length === 1);
    await client.close();
    await b.until(() => b.stopped !== undefined);
    expect(b.stopped?.code).toBe("closed");
  });
});

describe("client: tcp", () => {
  it("talks to a tcp://127.0.0.1:<port> endpoint", async () => {
    const agent = await startDevWorkloadApi({ identities: [{ spiffeId: API }], tcp: true });
    cleanup(() => agent.close());
    expect(agent.tcpAddress).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    const client = createWorkloadApiClient({ address: agent.tcpAddress as string });
    cleanup(() => client.close());
    expect(client.address.kind).toBe("tcp");
    expect((await client.fetchX509Svid()).id.toString()).toBe(API);
  });
});
