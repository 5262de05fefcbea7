import { SpiffeError } from "@spike-ts/spiffe";
import type { BackoffStrategy } from "./backoff.js";
import { type WorkloadApiClient, createWorkloadApiClient } from "./client.js";
import { WorkloadApiError } from "./errors.js";
import { checkTimeout, waitForFirst } from "./initial-sync.js";
import { waitForNextUpdate } from "./wait-for-update.js";

/** The options both sources take (`X509SourceOptions` and `JwtSourceOptions` extend it). */
export interface WorkloadSourceOptions {
  /** Endpoint address; default `SPIFFE_ENDPOINT_SOCKET`. Ignored when `client` is given. */
  address?: string;
  /** Use this client (the source then does not close it). */
  client?: WorkloadApiClient;
  /** Retry policy when the source creates its own client (default linear 1..30 s). */
  backoff?: BackoffStrategy;
  /** How long to wait for the first update, ms (default 30000; `Infinity` waits forever). */
  timeoutMs?: number;
  /** Cancels creation (not the running source; call `close()` for that). */
  signal?: AbortSignal;
  /**
   * Called with every watch error, from the first failed attempt on (creation included), so a
   * missing agent shows at once instead of only in the `timeout` error. The same errors reach
   * `source.onError()` listeners once the source exists.
   */
  onError?: (error: WorkloadApiError) => void;
  /**
   * `true` (default, as go-spiffe): keep retrying until `timeoutMs` when no agent answers, since
   * the agent may come up meanwhile. `false`: fail creation with the first `unreachable` error
   * (no socket, or nothing listening), for CLIs and checks that should not wait.
   */
  waitForAgent?: boolean;
  /** Clock for expiry checks (default: system clock). */
  now?: () => Date;
}

/** The members both sources have (`WorkloadX509Source` and `WorkloadJwtSource` extend it). */
export interface WorkloadSource {
  /** Calls `listener` after material changed (never for identical re-sends or the first message); returns unsubscribe. */
  onUpdate(listener: () => void): () => void;
  /** Calls `listener` with every watch error (reconnects, malformed messages, missing pick); returns unsubscribe. */
  onError(listener: (error: WorkloadApiError) => void): () => void;
  /** Resolves at the next change of material (not for identical re-sends), like go-spiffe's `WaitUntilUpdated`. */
  waitForUpdate(options?: { signal?: AbortSignal }): Promise<void>;
  /** The most recent watch error, if any. */
  readonly lastError: WorkloadApiError | undefined;
  /** Ends the stream and timers (and the client, if the source created it). */
  close(): Promise<void>;
}

/** What a source delegates to its lifecycle; the {@link WorkloadSource} members it exposes as is. */
export interface SourceLifecycle extends WorkloadSource {
  /** The Workload API client (given, or created from `address` / `backoff` / `now`). */
  readonly client: WorkloadApiClient;
  /** True until the first update arrived or creation failed. */
  readonly pending: boolean;
  /** True after close() or a failed creation. */
  readonly closed: boolean;
  /** `SpiffeError` `source_closed` naming the source. */
  closedError(): SpiffeError;
  /** Records and broadcasts a watch error; while pending, counts failed attempts and applies `waitForAgent`. */
  report(err: WorkloadApiError): void;
  /** New material: the first one resolves creation, later ones notify update listeners. */
  updated(): void;
  /** Fails creation (no-op once created). */
  fail(err: unknown): void;
  /** The watch ended for good: fails creation, or is reported once created. */
  stopped(err: WorkloadApiError): void;
  /** Waits for the first update; on failure stops the watch, closes an owned client and rethrows. */
  ready(stopWatch: () => void): Promise<void>;
}

function safeCall(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    process.emitWarning(`workload-api: a source listener threw: ${(e as Error)?.message ?? String(e)}`, "WorkloadApiWarning");
  }
}

function subscribe<T>(set: Set<T>, listener: T): () => void {
  set.add(listener);
  return () => {
    set.delete(listener);
  };
}

/**
 * The lifecycle both sources share: client ownership, waiting for the first update (timeout,
 * abort, `waitForAgent`), update/error listeners, `waitForUpdate()` and `close()`.
 *
 * @param label - names the source in `source_closed` messages, e.g. "x509 source"
 * @param what - what the first update carries, e.g. "X.509-SVID"
 */
export function createSourceLifecycle(label: string, what: string, options: WorkloadSourceOptions, now: () => Date): SourceLifecycle {
  const timeoutMs = checkTimeout(options.timeoutMs, 30_000);
  const waitForAgent = options.waitForAgent ?? true;
  if (typeof waitForAgent !== "boolean") {
    throw new WorkloadApiError("invalid_argument", `workload-api: waitForAgent must be a boolean, got ${JSON.stringify(waitForAgent)}`);
  }
  if (options.onError !== undefined && typeof options.onError !== "function") {
    throw new WorkloadApiError("invalid_argument", "workload-api: onError must be a function");
  }
  const ownsClient = options.client === undefined;
  const client =
    options.client ??
    createWorkloadApiClient({
      ...(options.address !== undefined ? { address: options.address } : {}),
      ...(options.backoff !== undefined ? { backoff: options.backoff } : {}),
      now,
    });
  let lastError: WorkloadApiError | undefined;
  let failedAttempts = 0;
  let closed = false;
  let stopWatch: () => void = () => {};
  const updateListeners = new Set<() => void>();
  const errorListeners = new Set<(e: WorkloadApiError) => void>();
  if (options.onError) errorListeners.add(options.onError);
  const closeWaiters = new Set<() => void>();
  const sync = waitForFirst({ what, address: client.address.target, timeoutMs, signal: options.signal, lastError: () => lastError, failedAttempts: () => failedAttempts });
  const closedError = () => new SpiffeError("source_closed", `${label}: the workload api source is closed`);

  const life: SourceLifecycle = {
    client,
    get pending() {
      return sync.pending;
    },
    get closed() {
      return closed;
    },
    get lastError() {
      return lastError;
    },
    closedError,
    report(err) {
      lastError = err;
      // A stream that ended carries a gRPC status; a malformed or expired message does not.
      if (sync.pending && err.grpcCode !== undefined) failedAttempts++;
      for (const l of [...errorListeners]) safeCall(() => l(err));
      if (sync.pending && !waitForAgent && err.code === "unreachable") sync.reject(err);
    },
    updated() {
      if (closed) return;
      if (sync.pending) {
        sync.resolve();
        return;
      }
      for (const l of [...updateListeners]) safeCall(l);
    },
    fail: (err) => sync.reject(err),
    stopped(err) {
      if (sync.pending) sync.reject(err);
      else if (!closed) life.report(err);
    },
    async ready(stop) {
      stopWatch = stop;
      try {
        await sync.promise;
      } catch (e) {
        closed = true;
        stop();
        errorListeners.clear();
        if (ownsClient) await client.close();
        throw e;
      }
    },
    onUpdate: (listener) => subscribe(updateListeners, listener),
    onError: (listener) => subscribe(errorListeners, listener),
    waitForUpdate(o = {}) {
      if (closed) return Promise.reject(closedError());
      return waitForNextUpdate(label, updateListeners, closeWaiters, o.signal);
    },
    async close() {
      if (closed) return;
      closed = true;
      stopWatch();
      updateListeners.clear();
      errorListeners.clear();
      for (const w of [...closeWaiters]) w();
      closeWaiters.clear();
      if (ownsClient) await client.close();
    },
  };
  return life;
}

/**
 * Adds the {@link WorkloadSource} members of `life` to `members` (`lastError` stays a live getter,
 * which an object spread would freeze).
 */
export function withSourceMembers<T extends object>(life: SourceLifecycle, members: T): T & WorkloadSource {
  return Object.defineProperties(members, {
    onUpdate: { value: life.onUpdate, enumerable: true },
    onError: { value: life.onError, enumerable: true },
    waitForUpdate: { value: life.waitForUpdate, enumerable: true },
    lastError: { get: () => life.lastError, enumerable: true },
    close: { value: life.close, enumerable: true },
  }) as T & WorkloadSource;
}
