import { setImmediate as nextMacrotask } from "node:timers/promises";
import type { CacheClock, CacheTimers, TimerHandle } from "../clock.js";

/** A timer handle made by a {@link ManualClock}; `unref()` is recorded, not acted on. */
export interface ManualTimerHandle {
  /** A unique id, in creation order. */
  readonly id: number;
  /** When the timer is due, in the clock's milliseconds. */
  readonly dueAt: number;
  /** Whether `unref()` was called. */
  readonly unrefed: boolean;
  /** Records that the owner does not want the timer to keep a process alive. */
  unref(): void;
}

/**
 * A clock and timer set that only move when told to: pass it as both `clock` and `timers` to
 * `createSecretCache()`, then `await advance(ms)` to run due timers in order, letting promise
 * callbacks settle after each one, without any real waiting.
 */
export interface ManualClock extends CacheClock, CacheTimers {
  /** The current time in milliseconds. */
  now(): number;
  /** Moves time forward by `ms`, running every timer that falls due on the way, in order. */
  advance(ms: number): Promise<void>;
  /** Lets pending promise callbacks (and their follow-ups) run without moving time. */
  settle(): Promise<void>;
  /** How many timers are scheduled and not yet fired or cleared. */
  readonly pendingTimers: number;
  /** The scheduled timers, soonest first. */
  timers(): ManualTimerHandle[];
}

interface Scheduled {
  handle: ManualTimerHandle & { unrefed: boolean };
  callback: () => void;
}

/**
 * Makes a {@link ManualClock} starting at `start` ms (default 0).
 *
 * @example
 * ```ts
 * const clock = createManualClock();
 * const cache = createSecretCache({ load, ttlMs: 1_000, clock, timers: clock });
 * await clock.advance(1_000);
 * ```
 */
export function createManualClock(start = 0): ManualClock {
  let now = start;
  let nextId = 1;
  const scheduled = new Map<number, Scheduled>();

  function soonestDue(limit: number): Scheduled | undefined {
    let best: Scheduled | undefined;
    for (const s of scheduled.values()) {
      if (s.handle.dueAt > limit) continue;
      if (best === undefined || s.handle.dueAt < best.handle.dueAt || (s.handle.dueAt === best.handle.dueAt && s.handle.id < best.handle.id)) {
        best = s;
      }
    }
    return best;
  }

  async function settle(): Promise<void> {
    // A few macrotask turns drain chains of promise callbacks that hop through other promises.
    for (let i = 0; i < 5; i++) await nextMacrotask();
  }

  return {
    now: () => now,
    setTimeout(callback: () => void, delayMs: number): TimerHandle {
      const delay = Number.isFinite(delayMs) && delayMs > 0 ? delayMs : 0;
      const handle = {
        id: nextId++,
        dueAt: now + delay,
        unrefed: false,
        unref() {
          handle.unrefed = true;
        },
      };
      scheduled.set(handle.id, { handle, callback });
      return handle;
    },
    clearTimeout(handle: TimerHandle): void {
      if (typeof handle === "object" && handle !== null && "id" in handle) {
        scheduled.delete((handle as ManualTimerHandle).id);
      }
    },
    async advance(ms: number): Promise<void> {
      if (!(ms >= 0)) throw new RangeError("manual clock: advance() needs a non-negative number of ms");
      const target = now + ms;
      await settle();
      for (let s = soonestDue(target); s !== undefined; s = soonestDue(target)) {
        scheduled.delete(s.handle.id);
        now = Math.max(now, s.handle.dueAt);
        s.callback();
        await settle();
      }
      now = target;
      await settle();
    },
    settle,
    get pendingTimers() {
      return scheduled.size;
    },
    timers() {
      return [...scheduled.values()].map((s) => s.handle).sort((a, b) => a.dueAt - b.dueAt || a.id - b.id);
    },
  };
}
