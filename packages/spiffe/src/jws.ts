import { type KeyObject, constants, sign, verify } from "node:crypto";

/** The nine JWS algorithms the JWT-SVID standard allows. */
export const JWT_SVID_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "ES256",
  "ES384",
  "ES512",
  "PS256",
  "PS384",
  "PS512",
] as const;

/** One of the nine JWS algorithms allowed for JWT-SVIDs. */
export type JwtSvidAlgorithm = (typeof JWT_SVID_ALGORITHMS)[number];

interface AlgSpec {
  readonly hash: string;
  readonly family: "rsa" | "pss" | "ec";
  readonly curve?: string;
  readonly sigLength?: number;
  readonly saltLength?: number;
}

const SPECS: Record<JwtSvidAlgorithm, AlgSpec> = {
  RS256: { hash: "sha256", family: "rsa" },
  RS384: { hash: "sha384", family: "rsa" },
  RS512: { hash: "sha512", family: "rsa" },
  PS256: { hash: "sha256", family: "pss", saltLength: 32 },
  PS384: { hash: "sha384", family: "pss", saltLength: 48 },
  PS512: { hash: "sha512", family: "pss", saltLength: 64 },
  ES256: { hash: "sha256", family: "ec", curve: "prime256v1", sigLength: 64 },
  ES384: { hash: "sha384", family: "ec", curve: "secp384r1", sigLength: 96 },
  ES512: { hash: "sha512", family: "ec", curve: "secp521r1", sigLength: 132 },
};

/** Tells whether `alg` is one of the nine allowed algorithms. @internal */
export function isJwtSvidAlgorithm(alg: unknown): alg is JwtSvidAlgorithm {
  return typeof alg === "string" && Object.prototype.hasOwnProperty.call(SPECS, alg);
}

/** Why `key` cannot be used with `alg`, or undefined when it can. @internal */
export function keyMismatch(alg: JwtSvidAlgorithm, key: KeyObject): string | undefined {
  const spec = SPECS[alg];
  if (spec.family === "ec") {
    if (key.asymmetricKeyType !== "ec") return `${alg} needs an ec key, got ${key.asymmetricKeyType ?? "unknown"}`;
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve !== spec.curve) return `${alg} needs curve ${spec.curve}, got ${curve ?? "unknown"}`;
    return undefined;
  }
  if (key.asymmetricKeyType !== "rsa") return `${alg} needs an rsa key, got ${key.asymmetricKeyType ?? "unknown"}`;
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 2048) return `${alg} needs an rsa key of at least 2048 bits, got ${bits}`;
  return undefined;
}

/** Verifies a JWS signature over `signingInput`. @internal */
export function jwsVerify(alg: JwtSvidAlgorithm, key: KeyObject, signingInput: string, signature: Uint8Array): boolean {
  const spec = SPECS[alg];
  if (spec.sigLength !== undefined && signature.length !== spec.sigLength) return false;
  const data = Buffer.from(signingInput, "ascii");
  try {
    if (spec.family === "ec") return verify(spec.hash, data, { key, dsaEncoding: "ieee-p1363" }, signature);
    if (spec.family === "pss") {
      return verify(
        spec.hash,
        data,
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: spec.saltLength as number },
        signature,
      );
    }
    return verify(spec.hash, data, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    return false;
  }
}

/** Signs `signingInput` (for the test CA). @internal */
export function jwsSign(alg: JwtSvidAlgorithm, key: KeyObject, signingInput: string): Buffer {
  const spec = SPECS[alg];
  const data = Buffer.from(signingInput, "ascii");
  if (spec.family === "ec") return sign(spec.hash, data, { key, dsaEncoding: "ieee-p1363" });
  if (spec.family === "pss") {
    return sign(spec.hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: spec.saltLength as number });
  }
  return sign(spec.hash, data, { key, padding: constants.RSA_PKCS1_PADDING });
}
