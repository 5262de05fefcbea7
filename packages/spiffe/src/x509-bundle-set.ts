import { SpiffeError } from "./errors.js";
import { TrustDomain } from "./trust-domain.js";
import type { X509Bundle, X509BundleSource } from "./x509-bundle.js";

/**
 * X.509 bundles keyed by trust domain (own and federated). `add` replaces the bundle of the
 * same trust domain. A {@link X509BundleSource}.
 */
export class X509BundleSet implements X509BundleSource {
  readonly #bundles = new Map<string, X509Bundle>();

  /** Creates a set holding `bundles` (later ones replace earlier ones of the same trust domain). */
  constructor(...bundles: X509Bundle[]) {
    for (const b of bundles) this.add(b);
  }

  /** Adds `bundle`, replacing any bundle of the same trust domain. */
  add(bundle: X509Bundle): void {
    this.#bundles.set(bundle.trustDomain.name, bundle);
  }

  /** Removes the bundle of `td`, if any. */
  remove(td: TrustDomain | string): void {
    this.#bundles.delete(TrustDomain.from(td).name);
  }

  /** The bundle of `td`, or undefined. */
  get(td: TrustDomain | string): X509Bundle | undefined {
    return this.#bundles.get(TrustDomain.from(td).name);
  }

  /** Tells whether the set has a bundle for `td`. */
  has(td: TrustDomain | string): boolean {
    return this.#bundles.has(TrustDomain.from(td).name);
  }

  /** The bundles, sorted by trust domain name. */
  bundles(): X509Bundle[] {
    return [...this.#bundles.values()].sort((a, b) => a.trustDomain.compare(b.trustDomain));
  }

  /** The number of trust domains. */
  get size(): number {
    return this.#bundles.size;
  }

  /** A shallow copy (bundles are immutable). */
  clone(): X509BundleSet {
    return new X509BundleSet(...this.#bundles.values());
  }

  /** Same trust domains with equal bundles. */
  equals(other: X509BundleSet): boolean {
    if (!(other instanceof X509BundleSet) || other.size !== this.size) return false;
    for (const [name, b] of this.#bundles) {
      const o = other.#bundles.get(name);
      if (!o || !o.equals(b)) return false;
    }
    return true;
  }

  /** Returns the bundle of `td`; throws {@link SpiffeError} `bundle_missing` when absent. */
  getX509BundleForTrustDomain(td: TrustDomain): X509Bundle {
    const b = this.#bundles.get(td.name);
    if (!b) throw new SpiffeError("bundle_missing", `no x.509 bundle for trust domain "${td.name}"`);
    return b;
  }
}
