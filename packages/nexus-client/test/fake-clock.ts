import type { NexusClientClock } from "../src/clock.js";

interface Timer {
  id: number;
  at: number;
  ms: number;
  fn: () => void;
}

/** A manual clock: timers fire only when the test advances it. */
export interface FakeClock extends NexusClientClock {
  /** Every delay ever scheduled, in order (backoff waits and call timeouts). */
  readonly scheduled: number[];
  /** Timers still pending. */
  pending(): number;
  /** Fires the earliest pending timer, moving `now` to its time. Returns false if none. */
  fireNext(): boolean;
  /**
   * Drives `p` to completion: lets I/O and microtasks run, then fires the
   * earliest timer, until `p` settles. Fails after `maxTimers` timers.
   */
  run<T>(p: Promise<T>, maxTimers?: number): Promise<T>;
}

const turn = () => new Promise<void>((r) => setImmediate(r));

export function createFakeClock(start = 1_000): FakeClock {
  let now = start;
  let next = 1;
  const timers: Timer[] = [];
  const scheduled: number[] = [];
  const clock: FakeClock = {
    scheduled,
    now: () => now,
    setTimeout(fn, ms) {
      const t = { id: next++, at: now + ms, ms, fn };
      timers.push(t);
      scheduled.push(ms);
      return t.id;
    },
    clearTimeout(handle) {
      const i = timers.findIndex((t) => t.id === handle);
      if (i >= 0) timers.splice(i, 1);
    },
    pending: () => timers.length,
    fireNext() {
      if (timers.length === 0) return false;
      timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const t = timers.shift() as Timer;
      now = Math.max(now, t.at);
      t.fn();
      return true;
    },
    async run(p, maxTimers = 50) {
      let settled = false;
      const watched = p.then(
        (v) => {
          settled = true;
          return v;
        },
        (e: unknown) => {
          settled = true;
          throw e;
        },
      );
      watched.catch(() => undefined);
      for (let i = 0; i <= maxTimers; i++) {
        for (let k = 0; k < 5 && !settled; k++) await turn();
        if (settled) return watched;
        if (!clock.fireNext()) {
          // nothing scheduled: wait for I/O a little more
          for (let k = 0; k < 50 && !settled; k++) await turn();
          if (settled) return watched;
          throw new Error("fake clock: promise is stuck with no timers pending");
        }
      }
      throw new Error(`fake clock: promise still pending after ${maxTimers} timers`);
    },
  };
  return clock;
}

/** Lets the event loop turn until `cond()` holds; fails after `maxTurns` turns (no wall-clock waits). */
export async function until(cond: () => boolean, maxTurns = 2000): Promise<void> {
  for (let i = 0; i < maxTurns; i++) {
    if (cond()) return;
    await turn();
  }
  throw new Error("until: condition not met");
}
