import type { JwtBundle, JwtBundleSet, JwtBundleSource, JwtSvid, TrustDomain } from "@spike-ts/spiffe";
import type { JwtSvidParams } from "./jwt.js";
import { type SvidPick, checkPick, pickSvid } from "./picker.js";
import { type WorkloadSource, type WorkloadSourceOptions, createSourceLifecycle, withSourceMembers } from "./source-lifecycle.js";

/** Options of {@link createJwtSource}; the shared ones are in {@link WorkloadSourceOptions}. */
export interface JwtSourceOptions extends WorkloadSourceOptions {
  /** Which JWT-SVID `fetchJwtSvid()` returns when several arrive and no subject is asked for. */
  pick?: SvidPick<JwtSvid>;
}

/** A JWT source: live JWT bundles from the Workload API plus JWT-SVID fetches. */
export interface WorkloadJwtSource extends JwtBundleSource, WorkloadSource {
  /** Fetches a JWT-SVID (one RPC per call); picks by `subject`, else by the `pick` option, else the first. */
  fetchJwtSvid(params: JwtSvidParams): Promise<JwtSvid>;
  /** Fetches all JWT-SVIDs for the audience. */
  fetchJwtSvids(params: JwtSvidParams): Promise<JwtSvid[]>;
  /** The JWT bundle of `td`; throws `SpiffeError` `bundle_missing` / `source_closed`. */
  getJwtBundleForTrustDomain(td: TrustDomain): JwtBundle;
  /** All JWT bundles of the last good update. */
  getJwtBundles(): JwtBundleSet;
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
  return withSourceMembers<Omit<WorkloadJwtSource, keyof WorkloadSource>>(life, {
    async fetchJwtSvid(params) {
      if (life.closed) return closedReject();
      const svids = await client.fetchJwtSvids(params);
      if (params.subject !== undefined && params.subject !== "") return svids[0] as JwtSvid;
      return pickSvid(svids, options.pick);
    },
    fetchJwtSvids: (params) => (life.closed ? closedReject() : client.fetchJwtSvids(params)),
    getJwtBundleForTrustDomain: (td) => current().getJwtBundleForTrustDomain(td),
    getJwtBundles: current,
  });
}
