/** One retry sequence: `next()` gives the delay before the next attempt, `reset()` starts over. */
export interface Backoff {
  /** Milliseconds to wait before the next attempt; advances the sequence. */
  next(): number;
  /** Back to the first delay (called after every message received). */
  reset(): void;
}

/** Makes a fresh {@link Backoff} for each watch (go-spiffe's `BackoffStrategy`). */
export interface BackoffStrategy {
  /** A new, independent retry sequence. */
  newBackoff(): Backoff;
}

/** Options of {@link linearBackoff}. */
export interface LinearBackoffOptions {
  /** Step added per consecutive failure, ms (default 1000). */
  stepMs?: number;
  /** Largest delay, ms (default 30000). */
  maxMs?: number;
}

function positive(name: string, v: number): number {
  if (!Number.isFinite(v) || v < 0) throw new RangeError(`workload-api: backoff ${name} must be a finite number >= 0, got ${v}`);
  return v;
}

/**
 * The go-spiffe default retry policy: `min(step * (n + 1), max)` for the n-th consecutive
 * failure (1 s, 2 s, 3 s ... 30 s), no jitter.
 *
 * @example
 * ```ts
 * createWorkloadApiClient({ backoff: linearBackoff({ stepMs: 100, maxMs: 2_000 }) });
 * ```
 */
export function linearBackoff(options: LinearBackoffOptions = {}): BackoffStrategy {
  const step = positive("stepMs", options.stepMs ?? 1000);
  const max = positive("maxMs", options.maxMs ?? 30_000);
  return {
    newBackoff() {
      let n = 0;
      return {
        next() {
          const d = Math.min(step * (n + 1), max);
          n++;
          return d;
        },
        reset() {
          n = 0;
        },
      };
    },
  };
}

/** Options of {@link exponentialBackoff}. */
export interface ExponentialBackoffOptions {
  /** First delay, ms (default 1000). */
  initialMs?: number;
  /** Multiplier per failure (default 2). */
  factor?: number;
  /** Largest delay, ms (default 60000). */
  maxMs?: number;
  /** Fraction of random jitter, 0..1 (default 0); the delay is scaled by `1 - jitter * random()`. */
  jitter?: number;
  /** Random source for jitter, returns [0, 1) (default `Math.random`). */
  random?: () => number;
}

/**
 * An exponential retry policy (java-spiffe style: 1 s, 2 s, 4 s ... 60 s), optionally jittered.
 *
 * @example
 * ```ts
 * createX509Source({ client: createWorkloadApiClient({ backoff: exponentialBackoff({ jitter: 0.2 }) }) });
 * ```
 */
export function exponentialBackoff(options: ExponentialBackoffOptions = {}): BackoffStrategy {
  const initial = positive("initialMs", options.initialMs ?? 1000);
  const factor = positive("factor", options.factor ?? 2);
  const max = positive("maxMs", options.maxMs ?? 60_000);
  const jitter = options.jitter ?? 0;
  if (!(jitter >= 0 && jitter <= 1)) throw new RangeError(`workload-api: backoff jitter must be in [0, 1], got ${jitter}`);
  const random = options.random ?? Math.random;
  return {
    newBackoff() {
      let current = initial;
      return {
        next() {
          const d = Math.min(current, max);
          current = Math.min(current * factor, max);
          return jitter === 0 ? d : d * (1 - jitter * random());
        },
        reset() {
          current = initial;
        },
      };
    },
  };
}

/** The longest delay a Node timer takes; longer ones fire after 1 ms (TimeoutOverflowWarning). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Turns what a (possibly custom) backoff returned into a delay a timer honours: `Infinity` and
 * anything beyond Node's timer range become the longest timer (instead of firing after 1 ms and
 * turning the retry loop into a tight one); NaN, negative or non-number values become 1 s.
 * @internal
 */
export function timerDelay(ms: unknown): number {
  if (typeof ms !== "number" || Number.isNaN(ms) || ms < 0) return 1000;
  return Math.min(ms, MAX_TIMER_MS);
}
