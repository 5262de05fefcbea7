import { afterEach, describe, expect, it, vi } from "vitest";
import { callSignal } from "./call-signal.js";
import { SpikeError } from "./errors.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("callSignal", () => {
  it("fires with the caller's reason when the caller aborts", () => {
    const caller = new AbortController();
    const call = callSignal(caller.signal, 60_000, "getSecret");
    caller.abort(new Error("user gave up"));
    expect(call.signal.aborted).toBe(true);
    expect((call.signal.reason as Error).message).toBe("user gave up");
    call.done();
  });

  it("fires with a SpikeError aborted naming the setting when the limit passes", () => {
    vi.useFakeTimers();
    const call = callSignal(undefined, 5_000, "getSecret");
    vi.advanceTimersByTime(4_999);
    expect(call.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(call.signal.aborted).toBe(true);
    const reason = call.signal.reason as SpikeError;
    expect(SpikeError.is(reason, "aborted")).toBe(true);
    expect(reason.message).toContain("SPIKE_HTTP_CLIENT_TIMEOUT");
    call.done();
  });

  it("clears its timer and listener when done", () => {
    vi.useFakeTimers();
    const caller = new AbortController();
    const call = callSignal(caller.signal, 5_000, "getSecret");
    call.done();
    expect(vi.getTimerCount()).toBe(0);
    caller.abort();
    vi.advanceTimersByTime(10_000);
    expect(call.signal.aborted).toBe(false);
  });

  it("throws aborted at once for an already aborted signal", () => {
    const caller = new AbortController();
    caller.abort();
    expect(() => callSignal(caller.signal, 1_000, "putSecret")).toThrow(/putSecret was aborted before it started/);
  });
});
