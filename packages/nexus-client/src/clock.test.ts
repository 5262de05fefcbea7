import { describe, expect, it } from "vitest";
import { MAX_TIMER_MS, systemClock } from "./clock.js";

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
