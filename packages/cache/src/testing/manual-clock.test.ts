import { describe, expect, it } from "vitest";
import { createManualClock } from "./manual-clock.js";

describe("createManualClock", () => {
  it("runs due timers in order, at their due time, and skips cleared ones", async () => {
    const clock = createManualClock(100);
    const seen: Array<[string, number]> = [];
    clock.setTimeout(() => seen.push(["b", clock.now()]), 20);
    const cleared = clock.setTimeout(() => seen.push(["x", clock.now()]), 5);
    clock.setTimeout(() => {
      seen.push(["a", clock.now()]);
      clock.setTimeout(() => seen.push(["c", clock.now()]), 5);
    }, 10);
    clock.clearTimeout(cleared);
    expect(clock.pendingTimers).toBe(2);
    await clock.advance(15); // "c" is set by "a" and falls due at 115, inside this advance
    expect(seen).toEqual([["a", 110], ["c", 115]]);
    expect(clock.now()).toBe(115);
    await clock.advance(100);
    expect(seen).toEqual([["a", 110], ["c", 115], ["b", 120]]);
    expect(clock.now()).toBe(215);
    expect(clock.pendingTimers).toBe(0);
  });

  it("lets promise chains started by a timer finish before the next timer", async () => {
    const clock = createManualClock();
    const order: string[] = [];
    clock.setTimeout(() => {
      void Promise.resolve()
        .then(() => Promise.resolve())
        .then(() => order.push("chain done"));
    }, 1);
    clock.setTimeout(() => order.push("second timer"), 2);
    await clock.advance(2);
    expect(order).toEqual(["chain done", "second timer"]);
    await expect(clock.advance(-1)).rejects.toThrow(RangeError);
  });
});
