import { SpiffeError } from "./errors.js";
import { MAX_SPIFFE_ID_LENGTH, SPIFFE_SCHEME_PREFIX, checkPath, checkPathSegment, splitSpiffeId } from "./id-rules.js";
import { TrustDomain } from "./trust-domain.js";

/**
 * A SPIFFE ID such as `spiffe://example.org/ns/default/sa/web`: an immutable value validated
 * byte-wise per the SPIFFE-ID standard (never normalised, never via WHATWG URL), compared by string.
 */
export class SpiffeId {
  /** The trust domain part. */
  readonly trustDomain: TrustDomain;
  /** The path, `""` for the trust domain's own ID, else `/seg/...`. */
  readonly path: string;
  readonly #text: string;

  private constructor(trustDomain: TrustDomain, path: string, text: string) {
    this.trustDomain = trustDomain;
    this.path = path;
    this.#text = text;
  }

  /**
   * Parses a SPIFFE ID. Throws {@link SpiffeError} whose code names the rule broken
   * (`id_empty`, `id_scheme`, `td_missing`, `td_chars`, `path_*`, `id_too_long`, ...).
   *
   * @example
   * ```ts
   * const id = SpiffeId.parse("spiffe://example.org/api");
   * id.trustDomain.name; // "example.org"
   * id.path;             // "/api"
   * ```
   */
  static parse(text: string): SpiffeId {
    const { trustDomain, path } = splitSpiffeId(text);
    return new SpiffeId(TrustDomain.fromValidated(trustDomain), path, text);
  }

  /** Returns `value` if it is a SpiffeId already, else parses it. */
  static from(value: SpiffeId | string): SpiffeId {
    if (value instanceof SpiffeId) return value;
    // A SpiffeId from another copy of this package: re-validate its string form.
    if (typeof value === "object" && value !== null && "trustDomain" in value && "path" in value) {
      return SpiffeId.parse(String(value));
    }
    return SpiffeId.parse(value);
  }

  /**
   * Builds an ID from a trust domain and a path (`""` or `/seg/...`), validating the path.
   *
   * @example
   * ```ts
   * SpiffeId.fromPath(TrustDomain.parse("example.org"), "/api").toString(); // "spiffe://example.org/api"
   * ```
   */
  static fromPath(trustDomain: TrustDomain | string, path: string): SpiffeId {
    const td = TrustDomain.from(trustDomain);
    checkPath(path);
    const text = SPIFFE_SCHEME_PREFIX + td.name + path;
    if (text.length > MAX_SPIFFE_ID_LENGTH) {
      throw new SpiffeError("id_too_long", `spiffe id is longer than ${MAX_SPIFFE_ID_LENGTH} bytes`);
    }
    return new SpiffeId(td, path, text);
  }

  /**
   * Builds an ID from a trust domain and path segments (each validated, none may contain `/`).
   *
   * @example
   * ```ts
   * SpiffeId.fromSegments("example.org", "ns", "default").path; // "/ns/default"
   * ```
   */
  static fromSegments(trustDomain: TrustDomain | string, ...segments: string[]): SpiffeId {
    for (const s of segments) checkPathSegment(s);
    return SpiffeId.fromPath(trustDomain, segments.map((s) => `/${s}`).join(""));
  }

  /** The path segments (`[]` for a trust domain ID). */
  segments(): string[] {
    return this.path === "" ? [] : this.path.slice(1).split("/");
  }

  /** The canonical string, exactly as parsed. */
  toString(): string {
    return this.#text;
  }

  /** The canonical string, so JSON shows the ID. */
  toJSON(): string {
    return this.#text;
  }

  /** Tells whether this ID belongs to trust domain `td` (a TrustDomain or its name). */
  memberOf(td: TrustDomain | string): boolean {
    return typeof td === "string" ? this.trustDomain.name === td : this.trustDomain.equals(td);
  }

  /** Tells whether `other` is the same ID (string equality). */
  equals(other: SpiffeId): boolean {
    return typeof other === "object" && other !== null && other.toString() === this.#text;
  }

  /** Tells whether this is the trust domain's own ID (no path), which may not name a leaf SVID. */
  isTrustDomainId(): boolean {
    return this.path === "";
  }
}

/** Throws {@link SpiffeError} unless `path` is a valid SPIFFE ID path (`""` or `/seg/...`). */
export function validatePath(path: string): void {
  checkPath(path);
}

/** Throws {@link SpiffeError} unless `segment` is a valid single path segment. */
export function validatePathSegment(segment: string): void {
  checkPathSegment(segment);
}
