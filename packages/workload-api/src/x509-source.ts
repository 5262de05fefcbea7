import { SpiffeError } from "@spike-ts/spiffe";
import type { TrustDomain, X509Bundle, X509BundleSet, X509Source, X509Svid } from "@spike-ts/spiffe";
import { WorkloadApiError } from "./errors.js";
import { type SvidPick, checkPick, pickSvid } from "./picker.js";
import { type WorkloadSource, type WorkloadSourceOptions, createSourceLifecycle, withSourceMembers } from "./source-lifecycle.js";
import { type X509Context, x509ContextFingerprint } from "./x509-context.js";

/** Options of {@link createX509Source}; the shared ones are in {@link WorkloadSourceOptions}. */
export interface X509SourceOptions extends WorkloadSourceOptions {
  /**
   * Which SVID to serve: `{ hint }`, `{ id }` (both must match when both are set) or a function
   * over the list; default the first. If the picked SVID is missing from the first answer
   * creation fails with `pick_missing`; later, such an update is reported and skipped.
   */
  pick?: SvidPick<X509Svid>;
  /**
   * What `PERMISSION_DENIED` on an established stream does: `"keep"` (default, as go-spiffe)
   * keeps serving the last SVID until it expires; `"clear"` (the standard's SHOULD) stops
   * serving it until the agent sends a new one (`getX509Svid()` throws `no_identity`).
   */
  onPermissionDenied?: "keep" | "clear";
}

/** An auto-rotating X.509 source fed by the Workload API; implements spiffe's `X509Source`. */
export interface WorkloadX509Source extends X509Source, WorkloadSource {
  /** The picked SVID; throws `SpiffeError` `svid_expired` if it has expired, `source_closed` after close. */
  getX509Svid(): X509Svid;
  /** The SVIDs of the last good update that have not expired (none after a `"clear"` revocation). */
  getX509Svids(): readonly X509Svid[];
  /** The bundle of `td` (own or federated); throws `SpiffeError` `bundle_missing` / `source_closed`. */
  getX509BundleForTrustDomain(td: TrustDomain): X509Bundle;
  /** All bundles of the last good update. */
  getX509Bundles(): X509BundleSet;
  /** The last good X.509 context. */
  getX509Context(): X509Context;
}

/**
 * Creates an X.509 source: resolves when the first SVID arrives, then keeps it fresh from the
 * `FetchX509SVID` stream, reconnecting with backoff when the agent restarts. The last good SVID
 * is served while reconnecting, but never after its `notAfter`.
 *
 * PERMISSION_DENIED mid-stream keeps the last material (as go-spiffe does) and is reported
 * through `onError`; the expiry rule still applies.
 *
 * @example
 * ```ts
 * const source = await createX509Source({ pick: { hint: "internal" }, timeoutMs: 10_000 });
 * const svid = source.getX509Svid();
 * source.onUpdate(() => console.log("rotated", source.getX509Svid().notAfter));
 * await source.close();
 * ```
 */
export async function createX509Source(options: X509SourceOptions = {}): Promise<WorkloadX509Source> {
  checkPick(options.pick);
  const onDenied = options.onPermissionDenied ?? "keep";
  if (onDenied !== "keep" && onDenied !== "clear") {
    throw new WorkloadApiError("invalid_argument", `workload-api: onPermissionDenied must be "keep" or "clear", got ${JSON.stringify(onDenied)}`);
  }
  const now = options.now ?? (() => new Date());
  const life = createSourceLifecycle("x509 source", "X.509-SVID", options, now);

  let ctx: X509Context | undefined;
  let svid: X509Svid | undefined;
  let fingerprint: string | undefined;
  let revoked: WorkloadApiError | undefined;

  const report = (err: WorkloadApiError) => {
    if (err.code === "no_identity" && onDenied === "clear" && !life.pending) {
      revoked = err;
      fingerprint = undefined;
    }
    life.report(err);
  };

  const stop = life.client.watchX509Context({
    onUpdate(next) {
      if (life.closed) return;
      let picked: X509Svid;
      try {
        picked = pickSvid(next.svids, options.pick);
      } catch (e) {
        const err = e as WorkloadApiError;
        report(err);
        life.fail(err);
        return;
      }
      if (now().getTime() >= picked.notAfter.getTime()) {
        report(
          new WorkloadApiError("expired", `workload-api: the agent sent an X.509-SVID for ${picked.id.toString()} that expired at ${picked.notAfter.toISOString()}; update skipped`, {
            rpc: "FetchX509SVID",
          }),
        );
        return;
      }
      const fp = `${x509ContextFingerprint(next)}\npicked ${next.svids.indexOf(picked)}`;
      if (fp === fingerprint) return;
      ctx = next;
      svid = picked;
      fingerprint = fp;
      revoked = undefined;
      life.updated();
    },
    onError: report,
    onStop: life.stopped,
  });
  await life.ready(stop);

  const current = (): X509Context => {
    if (life.closed) throw life.closedError();
    return ctx as X509Context;
  };

  return withSourceMembers<Omit<WorkloadX509Source, keyof WorkloadSource>>(life, {
    getX509Svid() {
      current();
      if (revoked) {
        throw new WorkloadApiError("no_identity", `workload-api: the agent no longer issues an identity to this workload (${revoked.message}); waiting for a new SVID`, {
          cause: revoked,
        });
      }
      const s = svid as X509Svid;
      if (now().getTime() >= s.notAfter.getTime()) {
        const lastError = life.lastError;
        const last = lastError ? ` (last workload api error: ${lastError.message})` : "";
        throw new SpiffeError(
          "svid_expired",
          `x509 source: the x.509-svid of ${s.id.toString()} expired at ${s.notAfter.toISOString()} and no fresh one arrived from the workload api${last}`,
        );
      }
      return s;
    },
    getX509Svids() {
      // The same rules as getX509Svid(): never an expired SVID, none after a "clear" revocation.
      const all = current().svids;
      if (revoked) return [];
      const t = now().getTime();
      return all.every((s) => t < s.notAfter.getTime()) ? all : all.filter((s) => t < s.notAfter.getTime());
    },
    getX509BundleForTrustDomain: (td) => current().bundles.getX509BundleForTrustDomain(td),
    getX509Bundles: () => current().bundles,
    getX509Context: current,
  });
}
