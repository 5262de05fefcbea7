import { type JsonWebKey, type KeyObject, createPublicKey } from "node:crypto";
import { SpiffeError } from "./errors.js";
import { TrustDomain } from "./trust-domain.js";

/** Anything that hands out the JWT bundle of a trust domain. */
export interface JwtBundleSource {
  /** Returns the JWT bundle of `td`; throws {@link SpiffeError} `bundle_missing` when absent. */
  getJwtBundleForTrustDomain(td: TrustDomain): JwtBundle;
}

const KNOWN_KTY = new Set(["EC", "RSA"]);

/**
 * The JWT signing keys (authorities) of one trust domain, keyed by `kid`: immutable. A
 * {@link JwtBundleSource} for its own trust domain.
 */
export class JwtBundle implements JwtBundleSource {
  /** The trust domain. */
  readonly trustDomain: TrustDomain;
  readonly #keys: ReadonlyMap<string, KeyObject>;
  readonly #jwks: ReadonlyMap<string, JsonWebKey>;

  private constructor(td: TrustDomain, keys: Map<string, KeyObject>, jwks: Map<string, JsonWebKey>) {
    this.trustDomain = td;
    this.#keys = keys;
    this.#jwks = jwks;
  }

  /**
   * Parses a JWK Set (`{"keys": [...]}`, string or UTF-8 bytes). `keys` is required; keys with
   * `use` other than `jwt-svid` and keys of unknown `kty` are ignored; a key without `kid`, a
   * duplicate `kid` or an unimportable key throws `bundle_malformed`.
   *
   * @example
   * ```ts
   * const bundle = JwtBundle.parse("example.org", response.bundles["spiffe://example.org"]);
   * ```
   */
  static parse(td: TrustDomain | string, jwksJson: string | Uint8Array): JwtBundle {
    const trustDomain = TrustDomain.from(td);
    const bad = (why: string, cause?: unknown): SpiffeError =>
      new SpiffeError("bundle_malformed", `jwt bundle of trust domain "${trustDomain.name}": ${why}`, { cause });
    let doc: unknown;
    try {
      const text = typeof jwksJson === "string" ? jwksJson : new TextDecoder("utf-8", { fatal: true }).decode(jwksJson);
      doc = JSON.parse(text);
    } catch (e) {
      throw bad("not valid json", e);
    }
    if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw bad("not a jwk set object");
    const list = (doc as { keys?: unknown }).keys;
    if (!Array.isArray(list)) throw bad('"keys" array is missing');
    const keys = new Map<string, KeyObject>();
    const jwks = new Map<string, JsonWebKey>();
    list.forEach((jwk: unknown, i) => {
      if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk)) throw bad(`key ${i} is not an object`);
      const k = jwk as Record<string, unknown>;
      if (k.use !== undefined && k.use !== "jwt-svid") return;
      if (typeof k.kty !== "string" || !KNOWN_KTY.has(k.kty)) return;
      if (typeof k.kid !== "string" || k.kid === "") throw bad(`key ${i} has no "kid"`);
      if (keys.has(k.kid)) throw bad(`duplicate kid "${k.kid}"`);
      const pub = publicMembers(k);
      let key: KeyObject;
      try {
        key = createPublicKey({ key: pub, format: "jwk" });
      } catch (e) {
        throw bad(`key "${k.kid}" cannot be imported`, e);
      }
      keys.set(k.kid, key);
      jwks.set(k.kid, { ...pub, kid: k.kid });
    });
    return new JwtBundle(trustDomain, keys, jwks);
  }

  /**
   * Builds a bundle from public keys by kid.
   *
   * @example
   * ```ts
   * JwtBundle.fromKeys("example.org", { k1: publicKey });
   * ```
   */
  static fromKeys(td: TrustDomain | string, keysByKid: Readonly<Record<string, KeyObject>>): JwtBundle {
    const trustDomain = TrustDomain.from(td);
    const keys = new Map<string, KeyObject>();
    const jwks = new Map<string, JsonWebKey>();
    for (const [kid, key] of Object.entries(keysByKid)) {
      if (kid === "") throw new SpiffeError("bundle_malformed", "jwt authority kid cannot be empty");
      const pub = key.type === "public" ? key : createPublicKey(key);
      keys.set(kid, pub);
      jwks.set(kid, { ...pub.export({ format: "jwk" }), kid });
    }
    return new JwtBundle(trustDomain, keys, jwks);
  }

  /** The public key with `kid`, or undefined. */
  findKey(kid: string): KeyObject | undefined {
    return this.#keys.get(kid);
  }

  /** The key IDs, sorted. */
  kids(): string[] {
    return [...this.#keys.keys()].sort();
  }

  /** Tells whether there are no keys. */
  isEmpty(): boolean {
    return this.#keys.size === 0;
  }

  /** Same trust domain and the same keys by kid. */
  equals(other: JwtBundle): boolean {
    if (!(other instanceof JwtBundle) || !this.trustDomain.equals(other.trustDomain)) return false;
    if (this.#keys.size !== other.#keys.size) return false;
    for (const [kid, key] of this.#keys) {
      const o = other.#keys.get(kid);
      if (!o || !o.equals(key)) return false;
    }
    return true;
  }

  /** The JWK Set document (`{"keys": [...]}`), keys sorted by kid, as SPIRE serves it. */
  toJwks(): string {
    return JSON.stringify({ keys: this.kids().map((kid) => this.#jwks.get(kid)) });
  }

  /** Returns this bundle for its own trust domain; throws `bundle_missing` for any other. */
  getJwtBundleForTrustDomain(td: TrustDomain): JwtBundle {
    if (!this.trustDomain.equals(td)) {
      throw new SpiffeError("bundle_missing", `no jwt bundle for trust domain "${td.name}"`);
    }
    return this;
  }
}

function publicMembers(k: Record<string, unknown>): JsonWebKey {
  const out: Record<string, unknown> = { kty: k.kty };
  const members = k.kty === "EC" ? ["crv", "x", "y"] : ["n", "e"];
  for (const m of members) out[m] = k[m];
  return out as JsonWebKey;
}
