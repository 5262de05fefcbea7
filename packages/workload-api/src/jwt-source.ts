import { SpiffeError } from "@spike-ts/spiffe";
import type { JwtBundle, JwtBundleSet, JwtBundleSource, JwtSvid, TrustDomain } from "@spike-ts/spiffe";
import type { BackoffStrategy } from "./backoff.js";
import type { WorkloadApiClient } from "./client.js";
import type { WorkloadApiError } from "./errors.js";
import type { JwtSvidParams } from "./jwt.js";
import { type SvidPick, checkPick, pickSvid } from "./picker.js";
import { createSourceLifecycle } from "./source-lifecycle.js";

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
  const now = options.now ?? (() => new Date());
  const life = createSourceLifecycle("jwt source", "JWT bundle", options, now);
  const { client } = life;
  let bundles: JwtBundleSet | undefined;
  const stop = client.watchJwtBundles({
    onUpdate(next) {
      if (life.closed) return;
      bundles = next;
      life.updated();
    },
    onError: life.report,
    onStop: life.stopped,
  });
  await life.ready(stop);
  const current = (): JwtBundleSet => {
    if (life.closed) throw life.closedError();
    return bundles as JwtBundleSet;
  };
  const closedReject = () => Promise.reject(life.closedError());
  return {
    async fetchJwtSvid(params) {
      if (life.closed) return closedReject();
      const svids = await client.fetchJwtSvids(params);
      if (params.subject !== undefined && params.subject !== "") return svids[0] as JwtSvid;
      return pickSvid(svids, options.pick);
    },
    fetchJwtSvids: (params) => (life.closed ? closedReject() : client.fetchJwtSvids(params)),
    getJwtBundleForTrustDomain: (td) => current().getJwtBundleForTrustDomain(td),
    getJwtBundles: current,
    onUpdate: life.onUpdate,
    onError: life.onError,
    waitForUpdate: life.waitForUpdate,
    get lastError() {
      return life.lastError;
    },
    close: life.close,
  };
}
