import { SpiffeError } from "../errors.js";
import type { X509Source } from "../source.js";
import type { TrustDomain } from "../trust-domain.js";
import { X509Bundle } from "../x509-bundle.js";
import { X509BundleSet } from "../x509-bundle-set.js";
import type { X509Svid } from "../x509-svid.js";

/** Options of {@link createStaticX509Source}. */
export interface StaticX509SourceOptions {
  /** The clock used to refuse an expired SVID (default: the current time). */
  readonly now?: () => Date;
}

/** A fixed {@link X509Source} for tests; `set()` swaps the material and fires `onUpdate`. */
export interface StaticX509Source extends X509Source {
  /** Replaces the SVID (and the bundles, if given) and notifies listeners. */
  set(svid: X509Svid, bundles?: X509BundleSet | X509Bundle): void;
  /** Closes the source: later calls throw `source_closed`, listeners are dropped. */
  close(): Promise<void>;
}

function toSet(bundles: X509BundleSet | X509Bundle): X509BundleSet {
  if (bundles instanceof X509Bundle) return new X509BundleSet(bundles);
  if (bundles instanceof X509BundleSet) return bundles.clone();
  throw new SpiffeError("invalid_argument", "createStaticX509Source: bundles must be an X509Bundle or X509BundleSet");
}

/**
 * Creates an in-memory X509Source holding one SVID and a bundle set. `getX509Svid()` refuses an
 * expired SVID with `svid_expired` (by the injected clock) like a real source.
 *
 * @example
 * ```ts
 * const ca = createTestCa();
 * const source = createStaticX509Source(ca.issueSvid("spiffe://example.org/api").svid, ca.bundle);
 * source.set(ca.issueSvid("spiffe://example.org/api").svid); // rotation, fires onUpdate
 * ```
 */
export function createStaticX509Source(
  svid: X509Svid,
  bundles: X509BundleSet | X509Bundle,
  options: StaticX509SourceOptions = {},
): StaticX509Source {
  const clock = options.now ?? (() => new Date());
  let current = svid;
  let set = toSet(bundles);
  let closed = false;
  const listeners = new Set<() => void>();
  const ensureOpen = (): void => {
    if (closed) throw new SpiffeError("source_closed", "x509 source is closed");
  };
  return {
    getX509Svid() {
      ensureOpen();
      const now = clock();
      if (now.getTime() > current.notAfter.getTime()) {
        throw new SpiffeError(
          "svid_expired",
          `x509-svid "${current.id.toString()}" expired at ${current.notAfter.toISOString()} (now ${now.toISOString()})`,
        );
      }
      return current;
    },
    getX509BundleForTrustDomain(td: TrustDomain) {
      ensureOpen();
      return set.getX509BundleForTrustDomain(td);
    },
    onUpdate(listener) {
      ensureOpen();
      const wrapped = (): void => listener();
      listeners.add(wrapped);
      return () => {
        listeners.delete(wrapped);
      };
    },
    set(next, nextBundles) {
      ensureOpen();
      current = next;
      if (nextBundles !== undefined) set = toSet(nextBundles);
      const errors: unknown[] = [];
      for (const l of [...listeners]) {
        try {
          l();
        } catch (e) {
          errors.push(e);
        }
      }
      if (errors.length > 0) throw errors[0];
    },
    async close() {
      closed = true;
      listeners.clear();
    },
  };
}
