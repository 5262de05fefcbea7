import { inspect } from "node:util";
import { SpiffeError } from "./errors.js";
import { isJwtSvidAlgorithm, jwsVerify, keyMismatch, type JwtSvidAlgorithm } from "./jws.js";
import type { JwtBundleSource } from "./jwt-bundle.js";
import { SpiffeId } from "./spiffe-id.js";

/** A validated (or insecurely parsed) JWT-SVID. Inspecting or JSON-serialising it hides the token. */
export interface JwtSvid {
  /** The SPIFFE ID from `sub`. */
  readonly id: SpiffeId;
  /** The `aud` values, always a list. */
  readonly audience: string[];
  /** The `exp` time. */
  readonly expiry: Date;
  /** Every claim of the token. */
  readonly claims: Record<string, unknown>;
  /** The compact token. A secret: never log it. */
  readonly token: string;
  /** The Workload API hint (`""` when none). */
  readonly hint: string;
}

/** Options of {@link parseAndValidateJwtSvid} and {@link parseJwtSvidInsecure}. */
export interface JwtSvidOptions {
  /** The validation time (default: the current time). */
  readonly now?: Date;
  /** The hint to attach (default `""`). */
  readonly hint?: string;
}

/** Leeway for `exp`, `nbf` and `iat`, as go-spiffe. */
export const JWT_LEEWAY_SECONDS = 60;

const ALLOWED_HEADER = new Set(["alg", "kid", "typ"]);
const B64URL = /^[A-Za-z0-9_-]*$/;

class Svid implements JwtSvid {
  readonly id: SpiffeId;
  readonly audience: string[];
  readonly expiry: Date;
  readonly claims: Record<string, unknown>;
  readonly token: string;
  readonly hint: string;
  constructor(id: SpiffeId, audience: string[], expiry: Date, claims: Record<string, unknown>, token: string, hint: string) {
    this.id = id;
    this.audience = audience;
    this.expiry = expiry;
    this.claims = claims;
    this.token = token;
    this.hint = hint;
  }
  toJSON(): object {
    return { id: this.id.toString(), audience: this.audience, expiry: this.expiry.toISOString(), hint: this.hint, token: "[redacted]" };
  }
  [inspect.custom](): string {
    return `JwtSvid ${inspect(this.toJSON())}`;
  }
}

interface Parsed {
  readonly alg: JwtSvidAlgorithm;
  readonly kid: string | undefined;
  readonly claims: Record<string, unknown>;
  readonly id: SpiffeId;
  readonly audience: string[];
  readonly exp: number;
  readonly signingInput: string;
  readonly signature: Uint8Array;
}

/** The largest |NumericDate| (seconds) that a JS Date can hold. */
const MAX_NUMERIC_DATE = 8.64e12;

function isNumericDate(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v) && Math.abs(v) <= MAX_NUMERIC_DATE;
}

function decodeJson(part: string, what: string): Record<string, unknown> {
  if (!B64URL.test(part) || part.length % 4 === 1) throw new SpiffeError("jwt_malformed", `jwt ${what} is not base64url`);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(part, "base64url")));
  } catch (e) {
    throw new SpiffeError("jwt_malformed", `jwt ${what} is not valid json`, { cause: e });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new SpiffeError("jwt_malformed", `jwt ${what} is not a json object`);
  }
  return value as Record<string, unknown>;
}

function parse(token: string): Parsed {
  if (typeof token !== "string" || token.length === 0) throw new SpiffeError("jwt_malformed", "jwt is empty");
  const parts = token.split(".");
  if (parts.length !== 3) {
    throw new SpiffeError("jwt_malformed", `jwt must be jws compact serialization (3 parts, got ${parts.length})`);
  }
  const [h, p, s] = parts as [string, string, string];
  const header = decodeJson(h, "header");
  const alg = header.alg;
  if (!isJwtSvidAlgorithm(alg)) {
    throw new SpiffeError(
      "jwt_algorithm",
      `jwt algorithm ${typeof alg === "string" ? JSON.stringify(alg.slice(0, 20)) : "missing"} is not allowed (RS/ES/PS 256/384/512 only)`,
    );
  }
  const typ = header.typ;
  if (typ !== undefined && typ !== "JWT" && typ !== "JOSE") {
    throw new SpiffeError("jwt_header", 'jwt header "typ" must be "JWT" or "JOSE" when present');
  }
  for (const k of Object.keys(header)) {
    if (!ALLOWED_HEADER.has(k)) {
      throw new SpiffeError("jwt_header", `jwt header parameter ${JSON.stringify(k.slice(0, 40))} is not allowed in a jwt-svid`);
    }
  }
  const kid = header.kid;
  if (kid !== undefined && typeof kid !== "string") throw new SpiffeError("jwt_header", 'jwt header "kid" must be a string');
  const claims = decodeJson(p, "payload");
  if (!B64URL.test(s) || s.length === 0) throw new SpiffeError("jwt_malformed", "jwt signature is missing or not base64url");
  const signature = new Uint8Array(Buffer.from(s, "base64url"));
  if (claims.sub === undefined) throw new SpiffeError("jwt_claims", "jwt is missing the sub claim");
  if (typeof claims.sub !== "string") throw new SpiffeError("jwt_claims", "jwt sub claim must be a string");
  let id: SpiffeId;
  try {
    id = SpiffeId.parse(claims.sub);
  } catch (e) {
    throw new SpiffeError(
      "jwt_claims",
      `jwt sub claim is not a valid spiffe id (${SpiffeError.is(e) ? e.code : "invalid"})`,
      { cause: e },
    );
  }
  if (claims.exp === undefined) throw new SpiffeError("jwt_claims", "jwt is missing the exp claim");
  for (const k of ["exp", "nbf", "iat"] as const) {
    if (claims[k] !== undefined && !isNumericDate(claims[k])) {
      throw new SpiffeError("jwt_claims", `jwt ${k} claim must be a number of seconds within the range of a date`);
    }
  }
  const exp = claims.exp as number;
  let audience: string[];
  if (typeof claims.aud === "string") audience = [claims.aud];
  else if (Array.isArray(claims.aud) && claims.aud.every((a) => typeof a === "string")) audience = [...claims.aud];
  else throw new SpiffeError("jwt_claims", "jwt aud claim must be a string or a list of strings");
  if (audience.length === 0) throw new SpiffeError("jwt_claims", "jwt aud claim is empty");
  return { alg, kid, claims, id, audience, exp, signingInput: `${h}.${p}`, signature };
}

function checkTimesAndAudience(p: Parsed, expected: readonly string[], now: Date): void {
  const nowSec = now.getTime() / 1000;
  if (nowSec - JWT_LEEWAY_SECONDS > p.exp) {
    throw new SpiffeError("jwt_expired", `jwt-svid of "${p.id.toString()}" has expired (exp ${new Date(p.exp * 1000).toISOString()})`);
  }
  const nbf = p.claims.nbf as number | undefined;
  if (nbf !== undefined && nbf > nowSec + JWT_LEEWAY_SECONDS) {
    throw new SpiffeError("jwt_not_yet_valid", `jwt-svid of "${p.id.toString()}" is not valid yet (nbf ${new Date(nbf * 1000).toISOString()})`);
  }
  const iat = p.claims.iat as number | undefined;
  if (iat !== undefined && iat > nowSec + JWT_LEEWAY_SECONDS) {
    throw new SpiffeError("jwt_not_yet_valid", `jwt-svid of "${p.id.toString()}" was issued in the future (iat ${new Date(iat * 1000).toISOString()})`);
  }
  if (!expected.some((a) => p.audience.includes(a))) {
    throw new SpiffeError(
      "jwt_audience",
      `jwt-svid of "${p.id.toString()}" has audience ${JSON.stringify(p.audience)}, expected one of ${JSON.stringify(expected)}`,
    );
  }
}

/** The validation time: `options.now` (a valid Date) or the current time. Fails closed on an invalid Date. */
function nowOf(options: JwtSvidOptions): Date {
  if (options === null || typeof options !== "object") {
    throw new SpiffeError("invalid_argument", "jwt-svid options must be an object");
  }
  const now = options.now ?? new Date();
  // An invalid Date makes every time comparison false, which would accept expired tokens.
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
    throw new SpiffeError("invalid_argument", "jwt-svid options.now must be a valid Date");
  }
  return now;
}

function checkExpected(audience: readonly string[]): void {
  if (!Array.isArray(audience) || audience.length === 0 || !audience.every((a) => typeof a === "string" && a !== "")) {
    throw new SpiffeError("jwt_audience", "expected audience must be a non-empty list of non-empty strings");
  }
}

/**
 * Parses and validates a JWT-SVID: JWS compact form, `alg` among the nine allowed, `typ` JWT/JOSE
 * if present, no other header members, `kid` required and found in the bundle of the trust
 * domain of `sub` (taken from `bundles`), signature, then `exp`/`nbf`/`iat` with 60 s leeway and
 * at least one of `audience` in `aud`. Throws {@link SpiffeError} naming the rule broken; errors
 * never contain the token.
 *
 * @example
 * ```ts
 * const svid = parseAndValidateJwtSvid(bearer, jwtBundles, ["spiffe://example.org/nexus"]);
 * svid.id.toString();
 * ```
 */
export function parseAndValidateJwtSvid(
  token: string,
  bundles: JwtBundleSource,
  audience: readonly string[],
  options: JwtSvidOptions = {},
): JwtSvid {
  checkExpected(audience);
  const now = nowOf(options);
  if (bundles === null || typeof bundles !== "object" || typeof bundles.getJwtBundleForTrustDomain !== "function") {
    throw new SpiffeError("invalid_argument", "parseAndValidateJwtSvid needs a jwt bundle source");
  }
  const p = parse(token);
  if (p.kid === undefined || p.kid === "") throw new SpiffeError("jwt_header", "jwt header is missing the key id (kid)");
  const bundle = bundles.getJwtBundleForTrustDomain(p.id.trustDomain);
  const key = bundle.findKey(p.kid);
  if (!key) {
    throw new SpiffeError(
      "jwt_key_missing",
      `no jwt authority ${JSON.stringify(p.kid.slice(0, 80))} found for trust domain "${p.id.trustDomain.name}"`,
    );
  }
  const mismatch = keyMismatch(p.alg, key);
  if (mismatch !== undefined) {
    throw new SpiffeError("jwt_signature", `jwt signature cannot be checked: ${mismatch} (kid ${JSON.stringify(p.kid.slice(0, 80))})`);
  }
  if (!jwsVerify(p.alg, key, p.signingInput, p.signature)) {
    throw new SpiffeError("jwt_signature", `jwt signature does not verify with authority ${JSON.stringify(p.kid.slice(0, 80))}`);
  }
  checkTimesAndAudience(p, audience, now);
  return new Svid(p.id, p.audience, new Date(p.exp * 1000), p.claims, token, options.hint ?? "");
}

/**
 * Parses a JWT-SVID and checks everything except the signature (for tokens that come straight
 * from the local agent). Never use it on tokens received from peers.
 *
 * @example
 * ```ts
 * const svid = parseJwtSvidInsecure(response.svid, ["spiffe://example.org/nexus"]);
 * ```
 */
export function parseJwtSvidInsecure(token: string, audience: readonly string[], options: JwtSvidOptions = {}): JwtSvid {
  checkExpected(audience);
  const now = nowOf(options);
  const p = parse(token);
  checkTimesAndAudience(p, audience, now);
  return new Svid(p.id, p.audience, new Date(p.exp * 1000), p.claims, token, options.hint ?? "");
}
