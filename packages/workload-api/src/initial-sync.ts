import { timerDelay } from "./backoff.js";
import { WorkloadApiError } from "./errors.js";

/** Options of {@link waitForFirst}. */
export interface InitialSyncOptions {
  /** What is awaited, for messages, e.g. "X.509-SVID". */
  what: string;
  /** Where from, for messages. */
  address: string;
  /** Give up after this many ms (`Infinity` = never). */
  timeoutMs: number;
  /** Cancels the wait. */
  signal: AbortSignal | undefined;
  /** The latest error seen while waiting (surfaced in the timeout error). */
  lastError(): WorkloadApiError | undefined;
  /** How many attempts (streams opened) have failed so far (named in the timeout error). */
  failedAttempts?(): number;
}

/** A pending first update: `resolve()` when it arrives, `reject(err)` to fail creation. */
export interface InitialSync {
  readonly promise: Promise<void>;
  /** True until resolved or rejected. */
  readonly pending: boolean;
  resolve(): void;
  reject(err: unknown): void;
}

/** Checks a `timeoutMs` option. */
export function checkTimeout(timeoutMs: number | undefined, fallback: number): number {
  const t = timeoutMs ?? fallback;
  if (typeof t !== "number" || Number.isNaN(t) || t <= 0) {
    throw new WorkloadApiError("invalid_argument", `workload-api: timeoutMs must be a positive number of milliseconds or Infinity, got ${String(timeoutMs)}`);
  }
  return t;
}

/**
 * Waits for the first update with a timeout and an abort signal. The timeout error names the
 * address, the limit and the last error seen (no socket, agent refused, no identity issued).
 */
export function waitForFirst(o: InitialSyncOptions): InitialSync {
  let pending = true;
  let resolveP!: () => void;
  let rejectP!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolveP = res;
    rejectP = rej;
  });
  let timer: NodeJS.Timeout | undefined;
  const done = () => {
    pending = false;
    if (timer) clearTimeout(timer);
    o.signal?.removeEventListener("abort", onAbort);
  };
  const sync: InitialSync = {
    promise,
    get pending() {
      return pending;
    },
    resolve() {
      if (!pending) return;
      done();
      resolveP();
    },
    reject(err) {
      if (!pending) return;
      done();
      rejectP(err);
    },
  };
  const onAbort = () =>
    sync.reject(new WorkloadApiError("aborted", `workload-api: waiting for the first ${o.what} was aborted`, { cause: o.signal?.reason }));
  if (o.signal?.aborted) {
    onAbort();
    return sync;
  }
  o.signal?.addEventListener("abort", onAbort, { once: true });
  if (Number.isFinite(o.timeoutMs)) {
    timer = setTimeout(() => {
      const last = o.lastError();
      const failed = o.failedAttempts?.() ?? 0;
      const reason = !last
        ? "the agent accepted the call but sent nothing yet (SPIRE holds the first message until the workload's SVID is minted; check the registration entry)"
        : `${failed > 0 ? `${failed} ${failed === 1 ? "attempt" : "attempts"} failed, the last with` : "last error"}: ${last.message.replace(/^workload-api: /, "")}`;
      sync.reject(
        new WorkloadApiError("timeout", `workload-api: no ${o.what} from the Workload API at ${o.address} within ${o.timeoutMs} ms; ${reason}`, {
          cause: last,
        }),
      );
    }, timerDelay(o.timeoutMs)); // beyond Node's timer range: the longest timer, not 1 ms
  }
  return sync;
}
