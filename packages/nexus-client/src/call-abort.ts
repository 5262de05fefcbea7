import { EventEmitter } from "node:events";

/** Why a call was stopped before it finished. @internal */
export type StopReason = "timeout" | "aborted" | "closed";

/**
 * The abort handle of one call, handed to undici as its request `signal`.
 *
 * undici accepts an `EventEmitter` with `aborted` / `reason` as well as an `AbortSignal`; an
 * `AbortController` per call costs about 25 µs on the warm path (EventTarget listeners in
 * undici), this handle a few. The first {@link CallAbort.stop} wins; an `AbortSignal` mirror is
 * made only when a retry backoff needs one.
 * @internal
 */
export class CallAbort extends EventEmitter {
  /** Why the call was stopped, or `undefined` while it runs. */
  why: StopReason | undefined = undefined;
  /** The error undici rejects with once stopped. */
  reason: Error | undefined = undefined;
  #controller: AbortController | undefined = undefined;

  /** The timer callback of the per-call timeout. */
  readonly onTimeout: () => void = timeoutCallback(this);

  /** `true` once stopped (read by undici). */
  get aborted(): boolean {
    return this.why !== undefined;
  }

  /** Stops the call (the first reason wins) and aborts the request in flight. */
  stop(why: StopReason): void {
    if (this.why !== undefined) return;
    this.why = why;
    this.reason = new Error(`nexus: ${why}`);
    this.#controller?.abort(this.reason);
    this.emit("abort");
  }

  /** An `AbortSignal` that fires with this handle, made on first use. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.why !== undefined) this.#controller.abort(this.reason);
    }
    return this.#controller.signal;
  }
}

/** The timeout callback of `call`; an unnamed arrow, so builds with `keepNames` add no per-call `__name`. */
function timeoutCallback(call: CallAbort): () => void {
  return () => call.stop("timeout");
}

/**
 * The calls of one client that are in flight, so `close()` stops each of them. A set instead of
 * one shared close signal: no listener per call on a shared emitter (which warned with
 * `MaxListenersExceededWarning` past 10 concurrent calls).
 * @internal
 */
export class InFlightCalls {
  readonly #calls = new Set<CallAbort>();
  #closed = false;

  /** `true` after {@link InFlightCalls.close}. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Tracks a call until {@link InFlightCalls.delete}. */
  add(call: CallAbort): void {
    this.#calls.add(call);
  }

  /** Stops tracking a finished call. */
  delete(call: CallAbort): void {
    this.#calls.delete(call);
  }

  /** How many calls are in flight. */
  get size(): number {
    return this.#calls.size;
  }

  /** Refuses new calls and stops every call in flight with `closed`. */
  close(): void {
    this.#closed = true;
    for (const call of this.#calls) call.stop("closed");
    this.#calls.clear();
  }
}

/** The calls watching each caller signal: one `abort` listener per signal, not one per call. */
const watchers = new WeakMap<AbortSignal, Set<CallAbort>>();

function onCallerAbort(event: Event): void {
  const signal = event.target as AbortSignal;
  const calls = watchers.get(signal);
  watchers.delete(signal);
  if (calls !== undefined) for (const call of calls) call.stop("aborted");
}

/**
 * Stops `call` with `aborted` when the caller's `signal` fires. Calls sharing one signal share one
 * listener on it, so many concurrent calls under one signal never trip Node's listener warning.
 * @internal
 */
export function watchCallerSignal(signal: AbortSignal, call: CallAbort): void {
  let calls = watchers.get(signal);
  if (calls === undefined) {
    calls = new Set();
    watchers.set(signal, calls);
    signal.addEventListener("abort", onCallerAbort, { once: true });
  }
  calls.add(call);
}

/** Undoes {@link watchCallerSignal}; the last call under a signal removes its listener. @internal */
export function unwatchCallerSignal(signal: AbortSignal, call: CallAbort): void {
  const calls = watchers.get(signal);
  if (calls === undefined) return;
  calls.delete(call);
  if (calls.size === 0) {
    watchers.delete(signal);
    signal.removeEventListener("abort", onCallerAbort);
  }
}
