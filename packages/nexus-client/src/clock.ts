/**
 * The time source of a client: `now()` for deadlines and timers for the
 * per-call timeout and the retry backoff. Tests pass a fake one.
 */
export interface NexusClientClock {
  /** Milliseconds since some fixed point (only differences are used). */
  now(): number;
  /** Schedules `fn` after `ms` milliseconds and returns a handle. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a handle from {@link NexusClientClock.setTimeout}. */
  clearTimeout(handle: unknown): void;
}

/** The longest delay Node's timers can hold (about 24.8 days); longer ones would fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** The real clock: `performance.now()` and the global timers. */
export const systemClock: NexusClientClock = Object.freeze({
  now: () => performance.now(),
  setTimeout: (fn: () => void, ms: number) => {
    // Node fires a timer of more than 2^31-1 ms after 1 ms (TimeoutOverflowWarning): clamp instead.
    const t = setTimeout(fn, Math.min(ms, MAX_TIMER_MS));
    t.unref?.();
    return t;
  },
  clearTimeout: (h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>),
});

/** Waits out one retry backoff of `ms` on `clock`; rejects with `signal.reason` when `signal` fires first. @internal */
export function waitBackoff(clock: NexusClientClock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clock.clearTimeout(handle);
      reject(signal.reason);
    };
    const handle = clock.setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
