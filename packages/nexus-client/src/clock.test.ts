import { describe, expect, it } from "vitest";
import { createFakeClock } from "../test/fake-clock.js";
import { MAX_TIMER_MS, systemClock, waitBackoff } from "./clock.js";

describe("systemClock", () => {
  it("clamps delays Node's timers cannot hold instead of firing them after 1 ms", () => {
    for (const [asked, held] of [
      [3e9, MAX_TIMER_MS],
      [MAX_TIMER_MS, MAX_TIMER_MS],
      [30_000, 30_000],
    ] as const) {
      const handle = systemClock.setTimeout(() => {
        throw new Error("must not fire");
      }, asked) as { _idleTimeout?: number };
      try {
        expect(handle._idleTimeout).toBe(held);
      } finally {
        systemClock.clearTimeout(handle);
      }
    }
  });
});

describe("waitBackoff", () => {
  it("resolves when the clock fires the backoff delay", async () => {
    const clock = createFakeClock();
    let done = false;
    const wait = waitBackoff(clock, 250, new AbortController().signal).then(() => {
      done = true;
    });
    expect(clock.scheduled).toEqual([250]);
    await Promise.resolve();
    expect(done).toBe(false);
    expect(clock.fireNext()).toBe(true);
    await wait;
    expect(done).toBe(true);
    expect(clock.now()).toBe(1_250);
  });

  it("rejects with the signal's reason and clears its timer when aborted", async () => {
    const clock = createFakeClock();
    const controller = new AbortController();
    const wait = waitBackoff(clock, 500, controller.signal);
    controller.abort(new Error("stop"));
    await expect(wait).rejects.toThrow("stop");
    expect(clock.pending()).toBe(0);
  });

  it("rejects at once on an already aborted signal without scheduling", async () => {
    const clock = createFakeClock();
    await expect(waitBackoff(clock, 500, AbortSignal.abort(new Error("gone")))).rejects.toThrow("gone");
    expect(clock.scheduled).toEqual([]);
  });
});
