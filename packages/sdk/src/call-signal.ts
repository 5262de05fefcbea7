import { SpikeError } from "./errors.js";

/** A per-call signal: fires when the caller's signal fires or when `timeoutMs` passes. */
export interface CallSignal {
  /** The signal to hand to the lower layer. */
  readonly signal: AbortSignal;
  /** Stops the timer and detaches from the caller's signal. Call in `finally`. */
  done(): void;
}

/**
 * Combines the caller's `signal` with the overall call limit (`SPIKE_HTTP_CLIENT_TIMEOUT`). One
 * timer per call, cleared when the call settles, so nothing lingers.
 */
export function callSignal(caller: AbortSignal | undefined, timeoutMs: number, what: string): CallSignal {
  if (caller?.aborted) {
    throw new SpikeError("aborted", `spike: ${what} was aborted before it started`, { cause: caller.reason });
  }
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(caller?.reason);
  caller?.addEventListener("abort", onAbort, { once: true });
  const timer = setTimeout(() => {
    controller.abort(
      new SpikeError(
        "aborted",
        `spike: ${what} took longer than ${timeoutMs} ms (requestTimeoutMs / SPIKE_HTTP_CLIENT_TIMEOUT); check that nexus is reachable`,
      ),
    );
  }, timeoutMs);
  timer.unref?.();
  return {
    signal: controller.signal,
    done() {
      clearTimeout(timer);
      caller?.removeEventListener("abort", onAbort);
    },
  };
}
