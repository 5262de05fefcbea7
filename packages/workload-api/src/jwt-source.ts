import { SpiffeError } from "@spike-ts/spiffe";
import type { JwtBundle, JwtBundleSet, JwtBundleSource, JwtSvid, TrustDomain } from "@spike-ts/spiffe";
import type { BackoffStrategy } from "./backoff.js";
import { type WorkloadApiClient, createWorkloadApiClient } from "./client.js";
import type { WorkloadApiError } from "./errors.js";
import { checkTimeout, waitForFirst } from "./initial-sync.js";
import type { JwtSvidParams } from "./jwt.js";
import { type SvidPick, checkPick, pickSvid } from "./picker.js";
import { waitForNextUpdate } from "./wait-for-update.js";

/** Options of {@link createJwtSource}. */
export interface JwtSourceOptions {
  /** Endpoint address; default `SPIFFE_ENDPOINT_SOCKET`. Ignored when `client` is given. */
  address?: string;
  /** Use this client (the source then does not close it). */
  client?: WorkloadApiClient;
  /** Retry policy when the source creates its own client. */
  backoff?: BackoffStrategy;
  /** Which JWT-SVID `fetchJwtSvid()` returns when several arrive and no subject is asked for. */
  pick?: SvidPick<JwtSvid>;
  /** How long to wait for the first JWT bundles, ms (default 30000; `Infinity` waits forever). */
  timeoutMs?: number;
  /** Cancels creation. */
  signal?: AbortSignal;
  /** Clock for JWT expiry checks. */
  now?: () => Date;
}

/** A JWT source: live JWT bundles from the Workload API plus JWT-SVID fetches. */
export interface WorkloadJwtSource extends JwtBundleSource {
  /** Fetches a JWT-SVID (one RPC per call); picks by `subject`, else by the `pick` option, else the first. */
  fetchJwtSvid(params: JwtSvidParams): Promise<JwtSvid>;
  /** Fetches all JWT-SVIDs for the audience. */
  fetchJwtSvids(params: JwtSvidParams): Promise<JwtSvid[]>;
  /** The JWT bundle of `td`; throws `SpiffeError` `bundle_missing` / `source_closed`. */
  getJwtBundleForTrustDomain(td: TrustDomain): JwtBundle;
  /** All JWT bundles of the last good update. */
  getJwtBundles(): JwtBundleSet;
  /** Calls `listener` after the bundles changed; returns unsubscribe. */
  onUpdate(listener: () => void): () => void;
  /** Calls `listener` with every watch error; returns unsubscribe. */
  onError(listener: (error: WorkloadApiError) => void): () => void;
  /** Resolves at the next change of the bundles. */
  waitForUpdate(options?: { signal?: AbortSignal }): Promise<void>;
  /** The most recent watch error, if any. */
  readonly lastError: WorkloadApiError | undefined;
  /** Ends the stream and timers (and the client, if the source created it). */
  close(): Promise<void>;
}

function safeCall(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    process.emitWarning(`workload-api: a source listener threw: ${(e as Error)?.message ?? String(e)}`, "WorkloadApiWarning");
  }
}

/**
 * Creates a JWT source: resolves when the first `FetchJWTBundles` message arrives, then keeps
 * the bundles fresh (reconnecting with backoff). JWT-SVIDs are fetched per call, never cached.
 *
 * @example
 * ```ts
 * const jwt = await createJwtSource({ timeoutMs: 10_000 });
 * const { token } = await jwt.fetchJwtSvid({ audience: "spiffe://example.org/db" });
 * await jwt.close();
 * ```
 */
export async function createJwtSource(options: JwtSourceOptions = {}): Promise<WorkloadJwtSource> {
  checkPick(options.pick);
  const timeoutMs = checkTimeout(options.timeoutMs, 30_000);
  const now = options.now ?? (() => new Date());
  const ownsClient = options.client === undefined;
  const client =
    options.client ??
    createWorkloadApiClient({
      ...(options.address !== undefined ? { address: options.address } : {}),
      ...(options.backoff !== undefined ? { backoff: options.backoff } : {}),
      now,
    });
  let bundles: JwtBundleSet | undefined;
  let lastError: WorkloadApiError | undefined;
  let closed = false;
  const updateListeners = new Set<() => void>();
  const errorListeners = new Set<(e: WorkloadApiError) => void>();
  const closeWaiters = new Set<() => void>();
  const sync = waitForFirst({ what: "JWT bundle", address: client.address.target, timeoutMs, signal: options.signal, lastError: () => lastError });
  const report = (err: WorkloadApiError) => {
    lastError = err;
    for (const l of [...errorListeners]) safeCall(() => l(err));
  };
  const stop = client.watchJwtBundles({
    onUpdate(next) {
      if (closed) return;
      bundles = next;
      if (sync.pending) {
        sync.resolve();
        return;
      }
      for (const l of [...updateListeners]) safeCall(l);
    },
    onError: report,
    onStop(err) {
      if (sync.pending) sync.reject(err);
      else if (!closed) report(err);
    },
  });
  try {
    await sync.promise;
  } catch (e) {
    closed = true;
    stop();
    if (ownsClient) await client.close();
    throw e;
  }
  const current = (): JwtBundleSet => {
    if (closed) throw new SpiffeError("source_closed", "jwt source: the workload api source is closed");
    return bundles as JwtBundleSet;
  };
  const closedReject = () => Promise.reject(new SpiffeError("source_closed", "jwt source: the workload api source is closed"));
  return {
    async fetchJwtSvid(params) {
      if (closed) return closedReject();
      const svids = await client.fetchJwtSvids(params);
      if (params.subject !== undefined && params.subject !== "") return svids[0] as JwtSvid;
      return pickSvid(svids, options.pick);
    },
    fetchJwtSvids: (params) => (closed ? closedReject() : client.fetchJwtSvids(params)),
    getJwtBundleForTrustDomain: (td) => current().getJwtBundleForTrustDomain(td),
    getJwtBundles: current,
    onUpdate(listener) {
      updateListeners.add(listener);
      return () => {
        updateListeners.delete(listener);
      };
    },
    onError(listener) {
      errorListeners.add(listener);
      return () => {
        errorListeners.delete(listener);
      };
    },
    waitForUpdate(o = {}) {
      if (closed) return closedReject();
      return waitForNextUpdate("jwt source", updateListeners, closeWaiters, o.signal);
    },
    get lastError() {
      return lastError;
    },
    async close() {
      if (closed) return;
      closed = true;
      stop();
      updateListeners.clear();
      errorListeners.clear();
      for (const w of [...closeWaiters]) w();
      closeWaiters.clear();
      if (ownsClient) await client.close();
    },
  };
}
