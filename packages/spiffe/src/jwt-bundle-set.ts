import { SpiffeError } from "./errors.js";
import type { JwtBundle, JwtBundleSource } from "./jwt-bundle.js";
import { TrustDomain } from "./trust-domain.js";

/** JWT bundles keyed by trust domain; a {@link JwtBundleSource}. */
export class JwtBundleSet implements JwtBundleSource {
  readonly #bundles = new Map<string, JwtBundle>();

  /** Creates a set holding `bundles`. */
  constructor(...bundles: JwtBundle[]) {
    for (const b of bundles) this.add(b);
  }

  /** Adds `bundle`, replacing any bundle of the same trust domain. */
  add(bundle: JwtBundle): void {
    this.#bundles.set(bundle.trustDomain.name, bundle);
  }

  /** Removes the bundle of `td`. */
  remove(td: TrustDomain | string): void {
    this.#bundles.delete(TrustDomain.from(td).name);
  }

  /** The bundle of `td`, or undefined. */
  get(td: TrustDomain | string): JwtBundle | undefined {
    return this.#bundles.get(TrustDomain.from(td).name);
  }

  /** Tells whether the set has a bundle for `td`. */
  has(td: TrustDomain | string): boolean {
    return this.#bundles.has(TrustDomain.from(td).name);
  }

  /** The bundles sorted by trust domain. */
  bundles(): JwtBundle[] {
    return [...this.#bundles.values()].sort((a, b) => a.trustDomain.compare(b.trustDomain));
  }

  /** The number of trust domains. */
  get size(): number {
    return this.#bundles.size;
  }

  /** Same trust domains with equal bundles. */
  equals(other: JwtBundleSet): boolean {
    if (!(other instanceof JwtBundleSet) || other.size !== this.size) return false;
    for (const [name, b] of this.#bundles) {
      const o = other.#bundles.get(name);
      if (!o || !o.equals(b)) return false;
    }
    return true;
  }

  /** Returns the bundle of `td`; throws `bundle_missing` when absent. */
  getJwtBundleForTrustDomain(td: TrustDomain): JwtBundle {
    const b = this.#bundles.get(td.name);
    if (!b) throw new SpiffeError("bundle_missing", `no jwt bundle for trust domain "${td.name}"`);
    return b;
  }
}
