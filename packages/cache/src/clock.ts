import { performance } from "node:perf_hooks";

/**
 * A source of time in milliseconds. Only differences matter, so a monotonic clock is best;
 * the default is `performance.now()`, which does not jump when the wall clock is set.
 */
export interface CacheClock {
  /** The current time in milliseconds. */
  now(): number;
}

/** An opaque handle returned by {@link CacheTimers.setTimeout}. */
export type TimerHandle = unknown;

/**
 * The timer functions the cache schedules refreshes and load timeouts with. Inject them (with
 * a matching {@link CacheClock}) to drive time from tests; `createManualClock()` from
 * `@spike-ts/cache/testing` gives both. If a handle has an `unref()` method the cache calls it,
 * so cache timers never keep a process alive.
 */
export interface CacheTimers {
  /** Runs `callback` once after `delayMs`; returns a handle for `clearTimeout`. */
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  /** Cancels a timer made by `setTimeout`; a handle that already fired is ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/** The default clock: monotonic `performance.now()`. */
export const monotonicClock: CacheClock = { now: () => performance.now() };

/** The default timers: Node's global `setTimeout`/`clearTimeout`. */
export const nodeTimers: CacheTimers = {
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Calls `unref()` on a handle that has one. */
export function unrefTimer(handle: TimerHandle): void {
  if (typeof handle === "object" && handle !== null && "unref" in handle) {
    const unref = (handle as { unref?: unknown }).unref;
    if (typeof unref === "function") unref.call(handle);
  }
}
