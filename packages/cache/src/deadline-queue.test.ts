import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DeadlineQueue } from "./deadline-queue.js";
import type { Deadline } from "./deadline-queue.js";
import { createManualClock } from "./testing/index.js";

interface Item extends Deadline {
  name: number;
}

describe("DeadlineQueue", () => {
  it("fires every queued item once, in due order, at its due time, with at most one timer", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            item: fc.integer({ min: 0, max: 9 }),
            at: fc.integer({ min: 0, max: 1_000 }),
            cancel: fc.boolean(),
          }),
          { maxLength: 40 },
        ),
        async (ops) => {
          const clock = createManualClock();
          const fired: Array<[number, number]> = [];
          const queue = new DeadlineQueue<Item>(clock, clock, (item) => fired.push([item.name, clock.now()]));
          const items = Array.from({ length: 10 }, (_, name): Item => ({ name, dueAt: 0, heapIndex: -1 }));
          const expected = new Map<number, number>();
          for (const { item, at, cancel } of ops) {
            const it = items[item] as Item;
            if (cancel) {
              queue.cancel(it);
              expected.delete(item);
            } else {
              queue.schedule(it, at);
              expected.set(item, at);
            }
            expect(clock.pendingTimers).toBe(queue.size > 0 ? 1 : 0);
          }
          expect(queue.size).toBe(expected.size);
          await clock.advance(2_000);
          const want = [...expected.entries()].sort((a, b) => a[1] - b[1]);
          expect(fired.map(([, t]) => t)).toEqual(want.map(([, t]) => t));
          expect(new Set(fired.map(([n]) => n))).toEqual(new Set(want.map(([n]) => n)));
          for (const [n, t] of fired) expect(t).toBe(expected.get(n));
          expect(queue.size).toBe(0);
          expect(clock.pendingTimers).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("lets an item reschedule itself from its own callback, and clear() stops the timer", async () => {
    const clock = createManualClock();
    const times: number[] = [];
    const item: Item = { name: 1, dueAt: 0, heapIndex: -1 };
    const queue = new DeadlineQueue<Item>(clock, clock, (it) => {
      times.push(clock.now());
      if (times.length < 3) queue.schedule(it, clock.now() + 10);
    });
    queue.schedule(item, 10);
    await clock.advance(100);
    expect(times).toEqual([10, 20, 30]);
    queue.schedule(item, 500);
    queue.clear();
    expect(clock.pendingTimers).toBe(0);
    expect(item.heapIndex).toBe(-1);
  });
});
