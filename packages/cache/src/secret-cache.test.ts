import { inspect } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import fc from "fast-check";
import { createFakeStore, deferred } from "../test/fake-store.js";
import type { FakeStore } from "../test/fake-store.js";
import { CacheError, createSecretCache } from "./index.js";
import type { CacheChangeEvent, SecretCache, SecretCacheOptions } from "./index.js";
import { createManualClock } from "./testing/index.js";
import type { ManualClock } from "./testing/index.js";

type Secret = Record<string, string>;

const SECRET = "hunter2-very-secret";
const open: Array<SecretCache<Secret>> = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

function setup(options: Partial<SecretCacheOptions<Secret>> = {}, store: FakeStore = createFakeStore()) {
  const clock = createManualClock(1_000);
  const cache = createSecretCache<Secret>({
    load: store.load,
    ttlMs: 10_000,
    clock,
    timers: clock,
    random: () => 0.5,
    ...options,
  });
  open.push(cache);
  return { cache, clock, store };
}

async function rejection(p: Promise<unknown>): Promise<CacheError> {
  try {
    await p;
  } catch (error) {
    if (CacheError.is(error)) return error;
    throw error;
  }
  throw new Error("expected a rejection");
}

function thrown(fn: () => unknown): CacheError {
  try {
    fn();
  } catch (error) {
    if (CacheError.is(error)) return error;
    throw error;
  }
  throw new Error("expected a throw");
}

describe("hits and misses", () => {
  it("loads once, then serves the same resolved promise from memory", async () => {
    const { cache, store } = setup();
    store.put("apps/db", { password: SECRET });
    const first = await cache.get("apps/db");
    const p1 = cache.get("apps/db");
    const p2 = cache.get("apps/db");
    expect(p1).toBe(p2);
    expect(await p1).toEqual({ password: SECRET });
    expect(await p1).toBe(first);
    expect(cache.getIfFresh("apps/db")).toBe(first);
    expect(store.loadCalls).toHaveLength(1);
    expect(store.loadCalls[0]).toMatchObject({ path: "apps/db", version: undefined, reason: "miss" });
    expect(cache.stats()).toMatchObject({ hits: 3, misses: 1, loads: 1, errors: 0, size: 1 });
  });

  it("getIfFresh never loads and reports a miss as undefined", () => {
    const { cache, store } = setup();
    store.put("a", { k: "v" });
    expect(cache.getIfFresh("a")).toBeUndefined();
    expect(store.loadCalls).toHaveLength(0);
    expect(cache.stats()).toMatchObject({ hits: 0, misses: 1, loads: 0 });
  });

  it("shares one load among concurrent gets (single-flight)", async () => {
    const { cache, store } = setup();
    store.put("a", { k: "v" });
    const release = store.hold();
    const gets = Array.from({ length: 50 }, () => cache.get("a"));
    expect(store.loadCalls).toHaveLength(1);
    release();
    const values = await Promise.all(gets);
    expect(new Set(values).size).toBe(1);
    expect(values[0]).toEqual({ k: "v" });
    expect(cache.stats()).toMatchObject({ misses: 50, loads: 1 });
  });

  it("keeps pinned versions apart from the current one; version 0 means current", async () => {
    const { cache, store } = setup();
    store.put("a", { k: "one" });
    store.put("a", { k: "two" });
    expect(await cache.get("a", { version: 1 })).toEqual({ k: "one" });
    expect(await cache.get("a")).toEqual({ k: "two" });
    expect(await cache.get("a", { version: 0 })).toEqual({ k: "two" });
    expect(cache.getIfFresh("a", { version: 1 })).toEqual({ k: "one" });
    expect(store.loadCalls.map((c) => c.version)).toEqual([1, undefined]);
    expect(cache.size).toBe(2);
  });

  it("rejects bad paths and versions with invalid_argument", async () => {
    const { cache } = setup();
    expect((await rejection(cache.get(""))).code).toBe("invalid_argument");
    expect((await rejection(cache.get("a", { version: -1 }))).code).toBe("invalid_argument");
    expect((await rejection(cache.get("a", { version: 1.5 }))).code).toBe("invalid_argument");
    expect(thrown(() => cache.peek("a", { version: Number.NaN })).code).toBe("invalid_argument");
    expect(thrown(() => cache.invalidate("")).code).toBe("invalid_argument");
  });

  it("never shows cached values when the cache is logged or serialised", async () => {
    const { cache, store } = setup({ identity: "spiffe://example.org/a" });
    store.put("apps/db", { password: SECRET });
    await cache.get("apps/db");
    expect(inspect(cache, { depth: 10, showHidden: true })).toBe(
      'SecretCache { size: 1, identity: "spiffe://example.org/a", closed: false }',
    );
    expect(JSON.stringify(cache)).not.toContain(SECRET);
    expect(JSON.parse(JSON.stringify(cache))).toMatchObject({ size: 1, loads: 1, closed: false });
  });

  it("freezes plain values so callers sharing them cannot change them", async () => {
    const { cache, store } = setup();
    store.put("a", { k: "v" });
    const value = await cache.get("a");
    expect(Object.isFrozen(value)).toBe(true);
    expect(() => {
      (value as Record<string, string>).k = "changed";
    }).toThrow(TypeError);
  });

  it("peek shows the entry without loading, counting or refreshing", async () => {
    const { cache, clock, store } = setup({ backgroundRefresh: false });
    store.put("a", { k: "v" });
    expect(cache.peek("a")).toBeUndefined();
    await cache.get("a");
    await clock.advance(4_000);
    expect(cache.peek("a")).toEqual({ path: "a", value: { k: "v" }, version: undefined, fresh: true, ageMs: 4_000 });
    await clock.advance(6_000);
    expect(cache.peek("a")).toBeUndefined(); // dropped at expiry (staleIfErrorMs 0)
    expect(cache.stats()).toMatchObject({ hits: 0, misses: 1, loads: 1 });
  });
});

describe("ttl and background refresh", () => {
  it("reloads after ttlMs when background refresh is off", async () => {
    const { cache, clock, store } = setup({ backgroundRefresh: false });
    store.put("a", { k: "one" });
    await cache.get("a");
    await clock.advance(9_999);
    expect(cache.getIfFresh("a")).toEqual({ k: "one" });
    store.put("a", { k: "two" });
    await clock.advance(1);
    expect(cache.getIfFresh("a")).toBeUndefined();
    expect(await cache.get("a")).toEqual({ k: "two" });
    expect(store.loadCalls).toHaveLength(2);
  });

  it("schedules the refresh within [ttl * (1 - jitter), ttl * (1 - jitter / 2)) for any random draw", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.double({ min: 0, max: 0.9, noNaN: true }),
        async (r, jitter) => {
          const { cache, clock, store } = setup({ random: () => r, refreshJitter: jitter });
          store.put("a", { k: "v" });
          await cache.get("a");
          const timers = clock.timers();
          expect(timers).toHaveLength(1);
          const delay = (timers[0]?.dueAt ?? Number.NaN) - clock.now();
          expect(delay).toBeGreaterThanOrEqual(10_000 * (1 - jitter) - 1e-6);
          expect(delay).toBeLessThanOrEqual(10_000 * (1 - jitter / 2) + 1e-6);
          await cache.close();
          expect(clock.pendingTimers).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("spreads refreshes with the random draw", async () => {
    const due: number[] = [];
    for (const r of [0, 0.5, 0.999_999]) {
      const { cache, clock, store } = setup({ random: () => r });
      store.put("a", { k: "v" });
      await cache.get("a");
      due.push((clock.timers()[0]?.dueAt ?? 0) - clock.now());
      await cache.close();
    }
    expect(due[0]).toBe(9_000);
    expect(due[1]).toBe(9_250);
    expect(due[2]).toBeCloseTo(9_500, 2);
  });

  it("refreshes an entry that was read before it expires, so readers never miss", async () => {
    const { cache, clock, store } = setup({ refreshJitter: 0.2, random: () => 0 }); // refresh at 8_000
    store.put("a", { k: "one" });
    await cache.get("a");
    await clock.advance(1_000);
    expect(cache.getIfFresh("a")).toEqual({ k: "one" });
    store.put("a", { k: "two" });
    await clock.advance(7_000);
    expect(store.loadCalls.map((c) => c.reason)).toEqual(["miss", "refresh"]);
    expect(cache.getIfFresh("a")).toEqual({ k: "two" });
    expect(cache.peek("a")?.ageMs).toBe(0);
    expect(cache.stats()).toMatchObject({ refreshes: 1, loads: 2, misses: 1 });
  });

  it("refreshes once for the read that loaded it, then lets an unread entry lapse and drops it, leaving no timers", async () => {
    const { cache, clock, store } = setup();
    store.put("a", { k: "v" });
    await cache.get("a");
    await clock.advance(20_000);
    expect(store.loadCalls.map((c) => c.reason)).toEqual(["miss", "refresh"]);
    expect(cache.size).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it("starts a refresh when an idle entry is read before it expires", async () => {
    const { cache, clock, store } = setup({ refreshJitter: 0.2, random: () => 0 });
    store.put("a", { k: "v" });
    await cache.get("a");
    await clock.advance(8_500); // refresh for the loading read, at 9_000
    expect(store.loadCalls).toHaveLength(2);
    await clock.advance(8_000); // next refresh point (17_000) passed while unread
    expect(store.loadCalls).toHaveLength(2);
    expect(cache.getIfFresh("a")).toEqual({ k: "v" });
    await clock.settle();
    expect(store.loadCalls.map((c) => c.reason)).toEqual(["miss", "refresh", "refresh"]);
    expect(cache.peek("a")?.fresh).toBe(true);
    expect(cache.peek("a")?.ageMs).toBe(0);
  });

  it("unrefs every timer it sets", async () => {
    const { cache, clock, store } = setup({ staleIfErrorMs: 1_000 });
    store.put("a", { k: "v" });
    const release = store.hold();
    const p = cache.get("a");
    expect(clock.timers().map((t) => t.unrefed)).toEqual([true]); // load timeout
    release();
    await p;
    expect(clock.timers().map((t) => t.unrefed)).toEqual([true]); // refresh
  });
});

describe("stale on error", () => {
  it("serves an expired value within staleIfErrorMs when reloading fails, then fails", async () => {
    const { cache, clock, store } = setup({ backgroundRefresh: false, staleIfErrorMs: 5_000 });
    store.put("a", { password: SECRET });
    await cache.get("a");
    const outage = new Error("nexus: unreachable");
    store.failWith(outage);
    await clock.advance(12_000);
    expect(cache.getIfFresh("a")).toBeUndefined();
    expect(await cache.get("a")).toEqual({ password: SECRET });
    expect(cache.stats()).toMatchObject({ staleServed: 1, errors: 1 });
    await clock.advance(3_000); // 15_000 after load: past ttl + stale bound, dropped
    expect(cache.size).toBe(0);
    const error = await rejection(cache.get("a"));
    expect(error.code).toBe("load_failed");
    expect(error.cause).toBe(outage);
    expect(error.path).toBe("a");
    expect(error.message).toBe("cache: could not load path a");
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain(SECRET);
  });

  it("fails with stale when a reload outlives the stale bound", async () => {
    const { cache, clock, store } = setup({ backgroundRefresh: false, staleIfErrorMs: 2_000, loadTimeoutMs: 60_000 });
    store.put("a", { password: SECRET });
    await cache.get("a");
    await clock.advance(11_000);
    const release = store.hold();
    const outage = new Error("nexus: 503");
    store.failWith(outage);
    const p = cache.get("a");
    await clock.advance(2_000); // now past ttl + stale bound with the load still running
    release();
    const error = await rejection(p);
    expect(error.code).toBe("stale");
    expect(error.cause).toBe(outage);
    expect(error.message).not.toContain(SECRET);
    expect(cache.size).toBe(0);
  });

  it("with no stale bound, an expired value is never served", async () => {
    const { cache, clock, store } = setup({ backgroundRefresh: false });
    store.put("a", { k: "v" });
    await cache.get("a");
    store.failWith(new Error("down"));
    await clock.advance(10_000);
    expect((await rejection(cache.get("a"))).code).toBe("load_failed");
  });

  it("keeps serving a fresh value while background refreshes fail, retrying with backoff", async () => {
    const errors: CacheError[] = [];
    const { cache, clock, store } = setup({
      refreshJitter: 0.5,
      random: () => 0, // refresh at 5_000; retries after 500, 1_000, 2_000 ms
      staleIfErrorMs: 20_000,
      retryBaseMs: 1_000,
      onError: (e) => errors.push(e),
    });
    store.put("a", { k: "one" });
    await cache.get("a");
    cache.getIfFresh("a");
    store.failWith(new Error("down"));
    await clock.advance(5_010);
    expect(errors.map((e) => e.code)).toEqual(["refresh_failed"]);
    expect(errors[0]?.cause).toEqual(new Error("down"));
    expect(cache.getIfFresh("a")).toEqual({ k: "one" });
    await clock.advance(1_000); // first retry at 5_500
    expect(store.loadCalls.length).toBe(3);
    await clock.advance(2_000); // second retry at 6_500
    expect(store.loadCalls.length).toBe(4);
    store.failWith(undefined);
    store.put("a", { k: "two" });
    await clock.advance(4_000); // third retry at 8_500 succeeds
    expect(store.loadCalls.length).toBe(5);
    expect(cache.getIfFresh("a")).toEqual({ k: "two" });
    expect(cache.stats().refreshes).toBe(4);
    expect(errors).toHaveLength(3);
  });
});

describe("more refresh and eviction cases", () => {
  it("refreshes pinned versions too, with the same version number", async () => {
    const { cache, clock, store } = setup({ refreshJitter: 0.2, random: () => 0 });
    store.put("a", { k: "one" });
    await cache.get("a", { version: 1 });
    cache.getIfFresh("a", { version: 1 });
    await clock.advance(8_000);
    expect(store.loadCalls.map((c) => [c.version, c.reason])).toEqual([
      [1, "miss"],
      [1, "refresh"],
    ]);
  });

  it("counts a stale answer when an expired get joins a failing background refresh", async () => {
    const { cache, clock, store } = setup({ refreshJitter: 0.2, random: () => 0, staleIfErrorMs: 5_000, loadTimeoutMs: 60_000 });
    store.put("a", { k: "one" });
    await cache.get("a");
    cache.getIfFresh("a");
    const release = store.hold();
    store.failWith(new Error("down"));
    await clock.advance(8_000); // refresh starts and hangs
    await clock.advance(2_500); // the value expires meanwhile
    const p = cache.get("a");
    expect(store.loadCalls).toHaveLength(2); // joined the refresh, no new load
    release();
    expect(await p).toEqual({ k: "one" });
    expect(cache.stats()).toMatchObject({ staleServed: 1, errors: 1, refreshes: 1 });
  });

  it("does not store a load whose entry was evicted while it ran", async () => {
    const { cache, store } = setup({ maxEntries: 1 });
    store.put("a", { k: "a" });
    store.put("b", { k: "b" });
    const release = store.hold();
    const pa = cache.get("a");
    const pb = cache.get("b"); // evicts the loading "a"
    release();
    expect(await pa).toEqual({ k: "a" });
    expect(await pb).toEqual({ k: "b" });
    expect(cache.size).toBe(1);
    expect(cache.peek("a")).toBeUndefined();
    expect(cache.stats().evictions).toBe(1);
  });
});

describe("version-aware refresh", () => {
  it("loads the value only when the current version changed", async () => {
    const store = createFakeStore();
    const events: CacheChangeEvent[] = [];
    const { cache, clock } = setup({ loadVersion: store.loadVersion, refreshJitter: 0.2, random: () => 0 }, store);
    store.put("a", { k: "one" });
    expect(await cache.get("a")).toEqual({ k: "one" });
    cache.onChange((e) => events.push(e));
    expect(store.versionCalls).toHaveLength(1);
    expect(store.loadCalls.map((c) => c.version)).toEqual([1]); // exactly the version reported
    expect(cache.peek("a")?.version).toBe(1);

    cache.getIfFresh("a");
    await clock.advance(8_000); // refresh: version unchanged, no load
    expect(store.versionCalls).toHaveLength(2);
    expect(store.loadCalls).toHaveLength(1);
    expect(cache.peek("a")).toMatchObject({ fresh: true, ageMs: 0, version: 1 });

    cache.getIfFresh("a");
    const v2 = store.put("a", { k: "two" });
    await clock.advance(8_000); // refresh: version changed, load v2
    expect(store.versionCalls).toHaveLength(3);
    expect(store.loadCalls.map((c) => c.version)).toEqual([1, v2]);
    expect(cache.getIfFresh("a")).toEqual({ k: "two" });
    expect(events).toEqual([{ path: "a", identity: undefined, oldVersion: 1, newVersion: 2, reason: "refresh" }]);
    expect(cache.stats()).toMatchObject({ versionChecks: 3, loads: 2, refreshes: 2 });
  });

  it("revalidates an expired entry with a version check instead of a load", async () => {
    const store = createFakeStore();
    const { cache, clock } = setup({ loadVersion: store.loadVersion, backgroundRefresh: false, staleIfErrorMs: 60_000 }, store);
    store.put("a", { k: "one" });
    const first = await cache.get("a");
    await clock.advance(10_000);
    expect(await cache.get("a")).toBe(first);
    expect(store.loadCalls).toHaveLength(1);
    expect(store.versionCalls).toHaveLength(2);
  });

  it("does not ask for versions of pinned gets", async () => {
    const store = createFakeStore();
    const { cache } = setup({ loadVersion: store.loadVersion }, store);
    store.put("a", { k: "one" });
    await cache.get("a", { version: 1 });
    expect(store.versionCalls).toHaveLength(0);
  });

  it("treats a bad version from loadVersion as a load failure", async () => {
    const { cache, store } = setup({ loadVersion: async () => 0 }); // 0 would mean "current" to Nexus
    store.put("a", { k: "v" });
    const error = await rejection(cache.get("a"));
    expect(error.code).toBe("load_failed");
    expect(CacheError.is(error.cause, "invalid_argument")).toBe(true);
    expect(store.loadCalls).toHaveLength(0);
  });
});

describe("identity", () => {
  it("passes the identity to loaders and flushes on setIdentity with a new id", async () => {
    const { cache, store } = setup({ identity: "spiffe://example.org/a" });
    store.put("a", { k: "v" });
    await cache.get("a");
    cache.setIdentity("spiffe://example.org/a");
    expect(cache.size).toBe(1);
    cache.setIdentity("spiffe://example.org/b");
    expect(cache.size).toBe(0);
    expect(cache.identity).toBe("spiffe://example.org/b");
    await cache.get("a");
    expect(store.loadCalls.map((c) => c.identity)).toEqual(["spiffe://example.org/a", "spiffe://example.org/b"]);
    expect(cache.stats().flushes).toBe(1);
  });

  it("checks an identity getter on every access", async () => {
    let id = "spiffe://example.org/a";
    const { cache, store } = setup({ identity: () => id });
    store.put("a", { k: "v" });
    await cache.get("a");
    expect(cache.getIfFresh("a")).toEqual({ k: "v" });
    id = "spiffe://example.org/b";
    expect(cache.getIfFresh("a")).toBeUndefined();
    expect(cache.stats()).toMatchObject({ flushes: 1, size: 0 });
  });

  it("does not store a load that started under the old identity", async () => {
    const { cache, store } = setup({ identity: "spiffe://example.org/a" });
    store.put("a", { k: "v" });
    const release = store.hold();
    const p = cache.get("a");
    cache.setIdentity("spiffe://example.org/b");
    release();
    expect(await p).toEqual({ k: "v" });
    expect(cache.size).toBe(0);
    expect(cache.getIfFresh("a")).toBeUndefined();
  });

  it("fails closed when the identity getter throws", async () => {
    let broken = false;
    const { cache, store } = setup({
      identity: () => {
        if (broken) throw new Error("svid expired");
        return "spiffe://example.org/a";
      },
    });
    store.put("a", { k: "v" });
    await cache.get("a");
    broken = true;
    const error = await rejection(cache.get("a"));
    expect(error.code).toBe("identity_unavailable");
    expect(error.cause).toEqual(new Error("svid expired"));
    expect(cache.size).toBe(0);
    expect(thrown(() => cache.getIfFresh("a")).code).toBe("identity_unavailable");
  });
});

describe("lru bound", () => {
  it("evicts the least recently used entry beyond maxEntries", async () => {
    const { cache, store } = setup({ maxEntries: 3 });
    for (const p of ["a", "b", "c", "d"]) store.put(p, { p });
    await cache.get("a");
    await cache.get("b");
    await cache.get("c");
    cache.getIfFresh("a"); // a is now newer than b
    await cache.get("d");
    expect(cache.size).toBe(3);
    expect(cache.peek("b")).toBeUndefined();
    expect(cache.peek("a")?.value).toEqual({ p: "a" });
    expect(cache.stats().evictions).toBe(1);
  });

  it("matches a reference LRU model for any sequence of operations", async () => {
    const keys = ["a", "b", "c", "d", "e", "f"];
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.array(
          fc.record({ op: fc.constantFrom("get", "peek", "fresh", "invalidate"), key: fc.constantFrom(...keys) }),
          { maxLength: 40 },
        ),
        async (max, ops) => {
          const store = createFakeStore();
          for (const k of keys) store.put(k, { k });
          const { cache } = setup({ maxEntries: max }, store);
          const model: string[] = []; // most recent first
          for (const { op, key } of ops) {
            const i = model.indexOf(key);
            if (op === "get") {
              await cache.get(key);
              if (i >= 0) model.splice(i, 1);
              model.unshift(key);
              model.length = Math.min(model.length, max);
            } else if (op === "fresh") {
              const v = cache.getIfFresh(key);
              expect(v === undefined).toBe(i < 0);
              if (i >= 0) model.unshift(...model.splice(i, 1));
            } else if (op === "peek") {
              expect(cache.peek(key) === undefined).toBe(i < 0);
            } else {
              expect(cache.invalidate(key)).toBe(i >= 0 ? 1 : 0);
              if (i >= 0) model.splice(i, 1);
            }
            expect(cache.size).toBe(model.length);
            expect(cache.size).toBeLessThanOrEqual(max);
          }
          for (const k of keys) expect(cache.peek(k) !== undefined).toBe(model.includes(k));
          await cache.close();
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("onChange", () => {
  it("tells global and per-path listeners about a changed value, and stops after unsubscribe", async () => {
    const { cache, clock, store } = setup({ backgroundRefresh: false, staleIfErrorMs: 60_000 });
    store.put("a", { k: "one" });
    store.put("b", { k: "one" });
    await cache.get("a");
    await cache.get("b");
    const all: string[] = [];
    const onlyA: CacheChangeEvent[] = [];
    const offAll = cache.onChange((e) => all.push(e.path));
    const offA = cache.onChange("a", (e) => onlyA.push(e));
    store.put("a", { k: "two" });
    await clock.advance(10_000);
    await cache.get("a");
    await cache.get("b"); // reloaded, same value: no event
    expect(all).toEqual(["a"]);
    expect(onlyA).toEqual([{ path: "a", identity: undefined, oldVersion: undefined, newVersion: undefined, reason: "reload" }]);
    offAll();
    offA();
    store.put("a", { k: "three" });
    await clock.advance(10_000);
    await cache.get("a");
    expect(all).toHaveLength(1);
    expect(onlyA).toHaveLength(1);
  });

  it("reports a change on reload after the entry lapsed unread (the version is remembered, not the value)", async () => {
    const store = createFakeStore();
    const { cache, clock } = setup({ loadVersion: store.loadVersion, ttlMs: 500 }, store);
    store.put("a", { k: "one" });
    await cache.get("a");
    const events: CacheChangeEvent[] = [];
    cache.onChange((e) => events.push(e));
    await clock.advance(2_000); // one refresh for the loading read, then it lapses unread
    expect(cache.size).toBe(0);
    store.put("a", { k: "two" });
    expect(await cache.get("a")).toEqual({ k: "two" });
    expect(events).toEqual([{ path: "a", identity: undefined, oldVersion: 1, newVersion: 2, reason: "reload" }]);
    expect(inspect(cache, { depth: 10 })).not.toContain("one");
    expect(JSON.stringify(cache)).not.toContain("one");
  });

  it("reports a change without versions by fingerprint, and nothing when the value is the same", async () => {
    const { cache, clock, store } = setup({ backgroundRefresh: false });
    store.put("a", { k: "one" });
    store.put("b", { k: "same" });
    await cache.get("a");
    await cache.get("b");
    const events: CacheChangeEvent[] = [];
    cache.onChange((e) => events.push(e));
    await clock.advance(10_000); // both dropped at expiry
    expect(cache.size).toBe(0);
    store.put("a", { k: "two" });
    await cache.get("a");
    await cache.get("b");
    expect(events).toEqual([{ path: "a", identity: undefined, oldVersion: undefined, newVersion: undefined, reason: "reload" }]);
  });

  it("reports a change after an LRU eviction and after invalidate, but not after an identity flush or clear", async () => {
    const store = createFakeStore();
    const { cache } = setup({ loadVersion: store.loadVersion, maxEntries: 1 }, store);
    store.put("a", { k: "one" });
    store.put("b", { k: "one" });
    const events: string[] = [];
    cache.onChange((e) => events.push(`${e.path}:${e.oldVersion}->${e.newVersion}`));
    await cache.get("a");
    await cache.get("b"); // evicts a
    store.put("a", { k: "two" });
    await cache.get("a"); // evicts b
    expect(events).toEqual(["a:1->2"]);
    store.put("a", { k: "three" });
    cache.invalidate("a");
    await cache.get("a");
    expect(events).toEqual(["a:1->2", "a:2->3"]);
    store.put("a", { k: "four" });
    cache.setIdentity("spiffe://example.org/other");
    await cache.get("a");
    store.put("a", { k: "five" });
    cache.clear();
    await cache.get("a");
    expect(events).toEqual(["a:1->2", "a:2->3"]);
  });

  it("keeps at most maxEntries tombstones, dropping the oldest", async () => {
    const store = createFakeStore();
    const { cache } = setup({ loadVersion: store.loadVersion, maxEntries: 2 }, store);
    for (const p of ["a", "b", "c", "d", "e"]) {
      store.put(p, { k: "one" });
      await cache.get(p); // a, b, c are evicted; c's tombstone pushes out a's
    }
    const events: string[] = [];
    cache.onChange((e) => events.push(e.path));
    store.put("a", { k: "two" });
    store.put("c", { k: "two" });
    await cache.get("c"); // c's tombstone is still there
    await cache.get("a"); // a's was pushed out
    expect(events).toEqual(["c"]);
  });

  it("reports a throwing listener to onError and still calls the others", async () => {
    const errors: CacheError[] = [];
    const { cache, clock, store } = setup({ backgroundRefresh: false, staleIfErrorMs: 60_000, onError: (e) => errors.push(e) });
    store.put("a", { k: "one" });
    await cache.get("a");
    const seen: number[] = [];
    cache.onChange(() => {
      throw new Error("listener bug");
    });
    cache.onChange("a", () => seen.push(1));
    store.put("a", { k: "two" });
    await clock.advance(10_000);
    await cache.get("a");
    expect(seen).toEqual([1]);
    expect(errors.map((e) => e.code)).toEqual(["listener_failed"]);
  });
});

describe("abort and timeout", () => {
  it("rejects an aborted caller but finishes the load for the others", async () => {
    const { cache, store } = setup();
    store.put("a", { k: "v" });
    const release = store.hold();
    const controller = new AbortController();
    const aborted = cache.get("a", { signal: controller.signal });
    const other = cache.get("a");
    controller.abort(new Error("user gave up"));
    const error = await rejection(aborted);
    expect(error.code).toBe("aborted");
    expect(error.cause).toEqual(new Error("user gave up"));
    release();
    expect(await other).toEqual({ k: "v" });
    expect(store.loadCalls[0]?.signal.aborted).toBe(false);
  });

  it("aborts the load when its only caller gives up", async () => {
    const { cache, clock, store } = setup();
    store.put("a", { k: "v" });
    store.hold();
    const controller = new AbortController();
    const p = cache.get("a", { signal: controller.signal });
    controller.abort();
    expect((await rejection(p)).code).toBe("aborted");
    expect(store.loadCalls[0]?.signal.aborted).toBe(true);
    await clock.settle();
    expect(cache.size).toBe(0);
    expect(cache.stats().errors).toBe(0);
  });

  it("rejects at once when the signal is already aborted", async () => {
    const { cache, store } = setup();
    store.put("a", { k: "v" });
    await cache.get("a");
    expect((await rejection(cache.get("a", { signal: AbortSignal.abort() }))).code).toBe("aborted");
    expect((await rejection(cache.get("b", { signal: AbortSignal.abort() }))).code).toBe("aborted");
    expect(store.loadCalls).toHaveLength(1);
  });

  it("fails a load that outlives loadTimeoutMs, even if the loader ignores its signal", async () => {
    const never = deferred<Secret>();
    let signal: AbortSignal | undefined;
    const { cache, clock } = setup({
      loadTimeoutMs: 5_000,
      load: (_path, ctx) => {
        signal = ctx.signal;
        return never.promise;
      },
    });
    const p = cache.get("a");
    await clock.advance(5_000);
    const error = await rejection(p);
    expect(error.code).toBe("load_failed");
    expect(CacheError.is(error.cause, "timeout")).toBe(true);
    expect(signal?.aborted).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it("turns a synchronous throw in load into load_failed", async () => {
    const { cache } = setup({
      load: () => {
        throw new Error("boom");
      },
    });
    const error = await rejection(cache.get("a"));
    expect(error.code).toBe("load_failed");
    expect(error.cause).toEqual(new Error("boom"));
  });
});

describe("invalidate, clear and close", () => {
  it("invalidate drops the current and pinned entries of one path", async () => {
    const { cache, store } = setup();
    store.put("a", { k: "1" });
    store.put("b", { k: "1" });
    await cache.get("a");
    await cache.get("a", { version: 1 });
    await cache.get("b");
    expect(cache.invalidate("a")).toBe(2);
    expect(cache.size).toBe(1);
    await cache.get("a");
    expect(store.loadCalls).toHaveLength(4);
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it("close stops every timer, fails pending gets and refuses new work", async () => {
    const { cache, clock, store } = setup();
    store.put("a", { k: "v" });
    store.put("b", { k: "v" });
    await cache.get("a");
    store.hold();
    const pending = cache.get("b");
    expect(clock.pendingTimers).toBe(2);
    await cache.close();
    expect(clock.pendingTimers).toBe(0);
    expect((await rejection(pending)).code).toBe("closed");
    expect(store.loadCalls[1]?.signal.aborted).toBe(true);
    expect((await rejection(cache.get("a"))).code).toBe("closed");
    expect(thrown(() => cache.getIfFresh("a")).code).toBe("closed");
    expect(cache.size).toBe(0);
    await cache.close();
  });
});

describe("options", () => {
  const load = async (): Promise<Secret> => ({});
  it.each([
    ["ttlMs 0", { ttlMs: 0 }],
    ["ttlMs NaN", { ttlMs: Number.NaN }],
    ["ttlMs too long for a timer", { ttlMs: 2 ** 31 }],
    ["negative staleIfErrorMs", { staleIfErrorMs: -1 }],
    ["refreshJitter 1", { refreshJitter: 1 }],
    ["maxEntries 0", { maxEntries: 0 }],
    ["maxEntries 1.5", { maxEntries: 1.5 }],
    ["loadTimeoutMs 0", { loadTimeoutMs: 0 }],
    ["identity a number", { identity: 5 }],
    ["clock without now", { clock: {} }],
    ["load missing", { load: undefined }],
  ])("rejects %s with invalid_options", (_name, bad) => {
    const error = thrown(() => createSecretCache({ load, ttlMs: 1_000, ...(bad as object) } as SecretCacheOptions<Secret>));
    expect(error.code).toBe("invalid_options");
    expect(error.message).toMatch(/^cache: /);
  });

  it("accepts loadTimeoutMs Infinity and sets no load timer", async () => {
    const clock: ManualClock = createManualClock();
    const store = createFakeStore();
    store.put("a", { k: "v" });
    const cache = createSecretCache<Secret>({ load: store.load, ttlMs: 1_000, loadTimeoutMs: Number.POSITIVE_INFINITY, clock, timers: clock });
    open.push(cache);
    store.hold();
    void cache.get("a").catch(() => {});
    expect(clock.pendingTimers).toBe(0);
  });
});
