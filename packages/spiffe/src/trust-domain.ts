import { SpiffeError } from "./errors.js";
import { SPIFFE_SCHEME_PREFIX, checkTrustDomainName, splitSpiffeId } from "./id-rules.js";

/**
 * A SPIFFE trust domain name such as `example.org`: an immutable value, compared by name.
 * Distinct from the trust domain's ID string `spiffe://example.org` (see {@link TrustDomain.idString}).
 */
export class TrustDomain {
  /** The bare name, e.g. `example.org`. */
  readonly name: string;

  private constructor(name: string) {
    this.name = name;
  }

  /**
   * Parses a bare trust domain name (`example.org`) or, when the text contains `:/`, a SPIFFE ID
   * whose trust domain is taken (the path is ignored). Throws {@link SpiffeError} naming the rule.
   *
   * @example
   * ```ts
   * TrustDomain.parse("example.org").idString(); // "spiffe://example.org"
   * ```
   */
  static parse(text: string): TrustDomain {
    if (typeof text !== "string") throw new SpiffeError("invalid_argument", "trust domain must be a string");
    if (text.includes(":/")) return new TrustDomain(splitSpiffeId(text).trustDomain);
    checkTrustDomainName(text);
    return new TrustDomain(text);
  }

  /** Returns `value` if it is a TrustDomain already, else parses it. */
  static from(value: TrustDomain | string): TrustDomain {
    if (value instanceof TrustDomain) return value;
    // A TrustDomain from another copy of this package: re-validate its name.
    if (typeof value === "object" && value !== null && typeof (value as { name?: unknown }).name === "string") {
      return TrustDomain.parse((value as { name: string }).name);
    }
    return TrustDomain.parse(value);
  }

  /** @internal Builds from a name already validated. */
  static fromValidated(name: string): TrustDomain {
    return new TrustDomain(name);
  }

  /** The bare name (`example.org`). */
  toString(): string {
    return this.name;
  }

  /** The bare name, so JSON shows `"example.org"`. */
  toJSON(): string {
    return this.name;
  }

  /** The trust domain's SPIFFE ID string, `spiffe://example.org` (no trailing slash). */
  idString(): string {
    return SPIFFE_SCHEME_PREFIX + this.name;
  }

  /** Tells whether `other` names the same trust domain. */
  equals(other: TrustDomain): boolean {
    return typeof other === "object" && other !== null && other.name === this.name;
  }

  /** Orders trust domains by name (for sorting). */
  compare(other: TrustDomain): number {
    return this.name < other.name ? -1 : this.name > other.name ? 1 : 0;
  }
}
