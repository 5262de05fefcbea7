import { parseCertificate } from "./certificate.js";
import { bytesEqual, concatDer, derToPem, pemToDer, splitDer } from "./der.js";
import { SpiffeError } from "./errors.js";
import { TrustDomain } from "./trust-domain.js";

/** Anything that can hand out the X.509 bundle of a trust domain (a set, a bundle, a source). */
export interface X509BundleSource {
  /** Returns the bundle of `td`; throws {@link SpiffeError} `bundle_missing` when there is none. */
  getX509BundleForTrustDomain(td: TrustDomain): X509Bundle;
}

function copy(der: Uint8Array): Uint8Array {
  return new Uint8Array(der);
}

/**
 * The X.509 authorities (CA certificates, DER) of one trust domain: immutable, without
 * duplicates. Also a {@link X509BundleSource} for its own trust domain.
 */
export class X509Bundle implements X509BundleSource {
  /** The trust domain these authorities belong to. */
  readonly trustDomain: TrustDomain;
  /** The CA certificates, DER, in insertion order, no duplicates. */
  readonly authorities: readonly Uint8Array[];

  private constructor(trustDomain: TrustDomain, authorities: readonly Uint8Array[]) {
    this.trustDomain = trustDomain;
    this.authorities = Object.freeze(authorities);
  }

  /**
   * Builds a bundle from DER certificates; each is checked to parse, duplicates are dropped.
   * Throws `bundle_malformed` if one is not a certificate.
   *
   * @example
   * ```ts
   * const bundle = X509Bundle.fromAuthorities("example.org", [caDer]);
   * ```
   */
  static fromAuthorities(td: TrustDomain | string, authorities: readonly Uint8Array[]): X509Bundle {
    const trustDomain = TrustDomain.from(td);
    const out: Uint8Array[] = [];
    authorities.forEach((der, i) => {
      const own = copy(der);
      try {
        parseCertificate(own, `bundle authority ${i}`);
      } catch (e) {
        throw new SpiffeError(
          "bundle_malformed",
          `x.509 bundle of trust domain "${trustDomain.name}": authority ${i} is not a valid certificate`,
          { cause: e },
        );
      }
      if (!out.some((a) => bytesEqual(a, own))) out.push(own);
    });
    return new X509Bundle(trustDomain, out);
  }

  /**
   * Parses concatenated DER certificates (the Workload API form); empty input is an empty bundle.
   *
   * @example
   * ```ts
   * const bundle = X509Bundle.parseRaw("example.org", response.bundle);
   * ```
   */
  static parseRaw(td: TrustDomain | string, concatenatedDer: Uint8Array): X509Bundle {
    const trustDomain = TrustDomain.from(td);
    let parts: Uint8Array[];
    try {
      parts = splitDer(concatenatedDer);
    } catch (e) {
      throw new SpiffeError("bundle_malformed", `x.509 bundle of trust domain "${trustDomain.name}" is not valid DER`, {
        cause: e,
      });
    }
    return X509Bundle.fromAuthorities(trustDomain, parts);
  }

  /**
   * Parses the `CERTIFICATE` blocks of a PEM document (other blocks are ignored).
   *
   * @example
   * ```ts
   * const bundle = X509Bundle.parsePem("example.org", readFileSync("bundle.pem", "utf8"));
   * ```
   */
  static parsePem(td: TrustDomain | string, pem: string): X509Bundle {
    const trustDomain = TrustDomain.from(td);
    let parts: Uint8Array[];
    try {
      parts = pemToDer(pem, "CERTIFICATE");
    } catch (e) {
      throw new SpiffeError("bundle_malformed", `x.509 bundle of trust domain "${trustDomain.name}" is not valid PEM`, {
        cause: e,
      });
    }
    return X509Bundle.fromAuthorities(trustDomain, parts);
  }

  /** An empty bundle for `td` (trusts nothing). */
  static empty(td: TrustDomain | string): X509Bundle {
    return new X509Bundle(TrustDomain.from(td), []);
  }

  /** Tells whether the bundle has no authorities. */
  isEmpty(): boolean {
    return this.authorities.length === 0;
  }

  /** Tells whether `der` is one of the authorities. */
  hasAuthority(der: Uint8Array): boolean {
    return this.authorities.some((a) => bytesEqual(a, der));
  }

  /** A new bundle with `der` added (no-op if present). */
  withAuthority(der: Uint8Array): X509Bundle {
    return X509Bundle.fromAuthorities(this.trustDomain, [...this.authorities, der]);
  }

  /** A new bundle without `der`. */
  withoutAuthority(der: Uint8Array): X509Bundle {
    return new X509Bundle(
      this.trustDomain,
      this.authorities.filter((a) => !bytesEqual(a, der)),
    );
  }

  /** Same trust domain and the same set of authorities (order ignored). */
  equals(other: X509Bundle): boolean {
    return (
      other instanceof X509Bundle &&
      this.trustDomain.equals(other.trustDomain) &&
      this.authorities.length === other.authorities.length &&
      this.authorities.every((a) => other.hasAuthority(a))
    );
  }

  /** The authorities as concatenated DER (the Workload API form). */
  toDer(): Uint8Array {
    return concatDer(this.authorities);
  }

  /** The authorities as PEM `CERTIFICATE` blocks. */
  toPem(): string {
    return this.authorities.map((a) => derToPem(a, "CERTIFICATE")).join("");
  }

  /** Returns this bundle for its own trust domain; throws `bundle_missing` for any other. */
  getX509BundleForTrustDomain(td: TrustDomain): X509Bundle {
    if (!this.trustDomain.equals(td)) {
      throw new SpiffeError("bundle_missing", `no x.509 bundle for trust domain "${td.name}"`);
    }
    return this;
  }
}
