import { afterEach, describe, expect, it, vi } from "vitest";
import { WorkloadApiError } from "./errors.js";
import { checkTimeout, waitForFirst } from "./initial-sync.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("waitForFirst", () => {
  it("keeps a timeout beyond Node's timer range (about 24.8 days) instead of firing after 1 ms", async () => {
    vi.useFakeTimers();
    const spy = vi.spyOn(globalThis, "setTimeout");
    const sync = waitForFirst({ what: "x", address: "a", timeoutMs: 30 * 24 * 3_600_000, signal: undefined, lastError: () => undefined });
    expect(spy.mock.calls.at(-1)?.[1]).toBe(2 ** 31 - 1);
    vi.advanceTimersByTime(1_000);
    expect(sync.pending).toBe(true);
    sync.resolve();
    await expect(sync.promise).resolves.toBeUndefined();
    spy.mockRestore();
  });

  it("times out with the last error in the message and as cause", async () => {
    vi.useFakeTimers();
    const last = new WorkloadApiError("no_identity", 'workload-api: FetchX509SVID refused by the agent: PERMISSION_DENIED "no identity issued"');
    const sync = waitForFirst({ what: "X.509-SVID", address: "unix:/tmp/a.sock", timeoutMs: 1000, signal: undefined, lastError: () => last });
    const caught = sync.promise.catch((e: unknown) => e);
    vi.advanceTimersByTime(1000);
    const e = (await caught) as WorkloadApiError;
    expect(e.code).toBe("timeout");
    expect(e.message).toBe(
      'workload-api: no X.509-SVID from the Workload API at unix:/tmp/a.sock within 1000 ms; last error: FetchX509SVID refused by the agent: PERMISSION_DENIED "no identity issued"',
    );
    expect(e.cause).toBe(last);
    expect(sync.pending).toBe(false);
  });

  it("names how many attempts failed and the last reason", async () => {
    vi.useFakeTimers();
    const last = new WorkloadApiError("unreachable", "workload-api: FetchX509SVID failed: no Workload API agent answers at unix:/tmp/n.sock: no socket at /tmp/n.sock (ENOENT); is the agent running and is the path right?");
    let failed = 0;
    const sync = waitForFirst({ what: "X.509-SVID", address: "unix:/tmp/n.sock", timeoutMs: 500, signal: undefined, lastError: () => last, failedAttempts: () => failed });
    const caught = sync.promise.catch((e: unknown) => e);
    failed = 3;
    vi.advanceTimersByTime(500);
    const e = (await caught) as WorkloadApiError;
    expect(e.message).toBe(
      "workload-api: no X.509-SVID from the Workload API at unix:/tmp/n.sock within 500 ms; 3 attempts failed, the last with: FetchX509SVID failed: no Workload API agent answers at unix:/tmp/n.sock: no socket at /tmp/n.sock (ENOENT); is the agent running and is the path right?",
    );
    expect(e.cause).toBe(last);
    failed = 1;
    const one = waitForFirst({ what: "x", address: "a", timeoutMs: 5, signal: undefined, lastError: () => last, failedAttempts: () => failed });
    const caughtOne = one.promise.catch((err: unknown) => err);
    vi.advanceTimersByTime(5);
    expect(((await caughtOne) as Error).message).toMatch(/within 5 ms; 1 attempt failed, the last with: FetchX509SVID failed/);
  });

  it("resolves once and clears its timer", async () => {
    vi.useFakeTimers();
    const sync = waitForFirst({ what: "x", address: "a", timeoutMs: 1000, signal: undefined, lastError: () => undefined });
    sync.resolve();
    sync.reject(new Error("late"));
    await expect(sync.promise).resolves.toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("rejects on abort, also when already aborted", async () => {
    const ac = new AbortController();
    const a = waitForFirst({ what: "x", address: "a", timeoutMs: Number.POSITIVE_INFINITY, signal: ac.signal, lastError: () => undefined });
    ac.abort(new Error("bye"));
    await expect(a.promise).rejects.toMatchObject({ code: "aborted" });
    const b = waitForFirst({ what: "x", address: "a", timeoutMs: 5, signal: ac.signal, lastError: () => undefined });
    await expect(b.promise).rejects.toMatchObject({ code: "aborted" });
  });
});

describe("checkTimeout", () => {
  it("accepts positive numbers and Infinity, rejects the rest", () => {
    expect(checkTimeout(undefined, 30_000)).toBe(30_000);
    expect(checkTimeout(Number.POSITIVE_INFINITY, 1)).toBe(Number.POSITIVE_INFINITY);
    for (const bad of [0, -1, Number.NaN]) expect(() => checkTimeout(bad, 1)).toThrowError(/timeoutMs/);
  });
});
