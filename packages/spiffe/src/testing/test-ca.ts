import { type KeyObject, createPrivateKey, randomBytes } from "node:crypto";
import type { Name } from "@peculiar/asn1-x509";
import { concatDer, derToPem } from "../der.js";
import { SpiffeError } from "../errors.js";
import { type JwtSvidAlgorithm, isJwtSvidAlgorithm, jwsSign, keyMismatch } from "../jws.js";
import { JwtBundle } from "../jwt-bundle.js";
import { SpiffeId } from "../spiffe-id.js";
import { TrustDomain } from "../trust-domain.js";
import { X509Bundle } from "../x509-bundle.js";
import { type X509Svid, unsafeX509Svid } from "../x509-svid.js";
import { LEAF_EKU, buildName, generateKey, subjectKeyId, writeCertificate } from "./certificate-builder.js";
import {
  type KeyUsageName,
  type RawExtension,
  type TestExtensionName,
  type TestKeyType,
  UNKNOWN_EXTENSION_OID,
} from "./certificate-options.js";

/** Options of {@link createTestCa}. */
export interface TestCaOptions {
  /** Trust domain name (default `example.org`). */
  readonly trustDomain?: string;
  /** The clock used for validity windows and JWT times (default: the current time). */
  readonly now?: () => Date;
  /** Key type of the root CA (default `ec-p256`, as SPIRE). */
  readonly keyType?: TestKeyType;
  /** Root CA lifetime (default 24 h, as SPIRE). */
  readonly ttlMs?: number;
  /** JWT signing algorithm (default ES256, or RS256 when keyType is `rsa-2048`). */
  readonly jwtAlgorithm?: JwtSvidAlgorithm;
}

/**
 * Certificate options shared by leaves and intermediates; each can break one rule on purpose.
 */
export interface CertificateOptions {
  /** Explicit notBefore (default: now - 10 s, as SPIRE backdates). */
  readonly notBefore?: Date;
  /** Explicit notAfter (default: notBefore-independent now + ttlMs, capped at the issuer's notAfter). */
  readonly notAfter?: Date;
  /** Lifetime from now (default 1 h for leaves, 12 h for intermediates). */
  readonly ttlMs?: number;
  /** basicConstraints cA (leaf default false, intermediate default true); `null` omits basicConstraints. */
  readonly ca?: boolean | null;
  /** pathLenConstraint for CA certificates. */
  readonly pathLen?: number;
  /** Key usage bits (leaf default digitalSignature, keyEncipherment, keyAgreement; CA keyCertSign, cRLSign). */
  readonly keyUsage?: readonly KeyUsageName[];
  /** Whether keyUsage is critical (default true). */
  readonly keyUsageCritical?: boolean;
  /** URI SANs to write instead of the ID (`[]` for none, two for a multi-SAN certificate). */
  readonly uriSans?: readonly string[];
  /** DNS SANs (the first also becomes the CN, as SPIRE does). */
  readonly dnsSans?: readonly string[];
  /** EKU OIDs (leaf default serverAuth + clientAuth; CA default none). */
  readonly extKeyUsage?: readonly string[];
  /** Default extensions to leave out. */
  readonly omitExtensions?: readonly TestExtensionName[];
  /** Adds a critical extension with an OID nobody knows. */
  readonly unknownCriticalExtension?: boolean;
  /** Extra extensions written verbatim. */
  readonly extraExtensions?: readonly RawExtension[];
  /** Self-sign instead of signing with this CA (issuer = subject, chain = the certificate alone). */
  readonly selfSigned?: boolean;
  /** Sign with a random key while naming this CA as issuer (a broken signature). */
  readonly wrongSigner?: boolean;
  /** Key type of the new certificate (default `ec-p256`). */
  readonly keyType?: TestKeyType;
}

/** Options of {@link TestCa.issueSvid}. */
export interface IssueOptions extends CertificateOptions {
  /** The hint of the resulting SVID (default `""`). */
  readonly hint?: string;
}

/** Options of {@link TestCa.issueJwtSvid}. */
export interface IssueJwtOptions {
  /** Audience (`aud`), a string or a list. */
  readonly audience: string | readonly string[];
  /** Lifetime (default 5 min, as SPIRE). */
  readonly ttlMs?: number;
  /** Extra claims merged over the defaults. */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** Header members merged over the defaults; a member set to `undefined` is dropped. */
  readonly header?: Readonly<Record<string, unknown>>;
}

/** A minted X.509-SVID in every form a test may want. */
export interface IssuedSvid {
  /** The SVID object (not validated, so rule-breaking certificates are representable). */
  readonly svid: X509Svid;
  /** The chain as concatenated DER, leaf first (Workload API form). */
  readonly chainDer: Uint8Array;
  /** The private key, PKCS#8 DER (Workload API form). */
  readonly keyDer: Uint8Array;
  /** The chain, leaf first, one DER per certificate (the root is not included). */
  readonly certificates: Uint8Array[];
  /** The chain as PEM. */
  readonly certPem: string;
  /** The key as PKCS#8 PEM. */
  readonly keyPem: string;
  /** The private key object. */
  readonly privateKey: KeyObject;
}

/** A throwaway SPIFFE certificate authority for tests (SPIRE's templates, everything sync). */
export interface TestCa {
  /** The trust domain. */
  readonly trustDomain: TrustDomain;
  /** The X.509 bundle: the root certificate. */
  readonly bundle: X509Bundle;
  /** The root certificate, DER. */
  readonly rootDer: Uint8Array;
  /** This CA's own certificate (the root for a root CA). */
  readonly certificateDer: Uint8Array;
  /** This CA's chain below the root, its own certificate first (`[]` for the root CA). */
  readonly chain: readonly Uint8Array[];
  /** This CA's signing key. */
  readonly privateKey: KeyObject;
  /** This CA's notAfter. */
  readonly notAfter: Date;
  /** The clock. */
  now(): Date;
  /**
   * Mints an X.509-SVID for `id` (must be a valid SPIFFE ID; use `uriSans` to write another SAN).
   * The chain holds the leaf and this CA's intermediates, not the root (as SPIRE sends it).
   */
  issueSvid(id: string, opts?: IssueOptions): IssuedSvid;
  /** Mints an intermediate CA whose chain ends at this CA's root. */
  issueIntermediate(opts?: CertificateOptions): TestCa;
  /** The JWT signing key ID. */
  readonly jwtKid: string;
  /** The JWT signing algorithm. */
  readonly jwtAlgorithm: JwtSvidAlgorithm;
  /**
   * Signs a JWS compact token over `claims` with the JWT key. Header defaults to
   * `{alg, kid, typ: "JWT"}`; `header` members are merged over it (`undefined` drops one).
   */
  signJwt(claims: object, header?: object): string;
  /** Mints a JWT-SVID for `id` as SPIRE does (`sub`, `aud`, `exp`, `iat`). */
  issueJwtSvid(id: string, opts: IssueJwtOptions): string;
  /** The JWT bundle (the JWT public key). */
  jwtBundle(): JwtBundle;
  /** The JWT bundle as a JWK Set document. */
  jwksJson(): string;
}

interface CaState {
  readonly trustDomain: TrustDomain;
  readonly clock: () => Date;
  readonly bundle: X509Bundle;
  readonly rootDer: Uint8Array;
  readonly jwt: { readonly kid: string; readonly alg: JwtSvidAlgorithm; readonly key: KeyObject; readonly bundle: JwtBundle };
}

const BACKDATE_MS = 10_000;
const HOUR = 3_600_000;

function jwtKeyType(alg: JwtSvidAlgorithm): TestKeyType {
  if (alg === "ES256") return "ec-p256";
  if (alg === "ES384") return "ec-p384";
  if (alg === "ES512") return "ec-p521";
  return "rsa-2048";
}

function b64url(data: Uint8Array | string): string {
  return Buffer.from(data).toString("base64url");
}

function window(clock: () => Date, o: CertificateOptions, defaultTtl: number, capAt?: Date): { notBefore: Date; notAfter: Date } {
  const now = clock().getTime();
  const notBefore = o.notBefore ?? new Date(now - BACKDATE_MS);
  let notAfter = o.notAfter ?? new Date(now + (o.ttlMs ?? defaultTtl));
  if (o.notAfter === undefined && capAt !== undefined && notAfter.getTime() > capAt.getTime()) notAfter = capAt;
  return { notBefore, notAfter };
}

function extras(o: CertificateOptions): RawExtension[] {
  const out = [...(o.extraExtensions ?? [])];
  // value: DER NULL
  if (o.unknownCriticalExtension) out.push({ oid: UNKNOWN_EXTENSION_OID, critical: true, valueDer: new Uint8Array([5, 0]) });
  return out;
}

class Ca implements TestCa {
  readonly trustDomain: TrustDomain;
  readonly bundle: X509Bundle;
  readonly rootDer: Uint8Array;
  readonly certificateDer: Uint8Array;
  readonly chain: readonly Uint8Array[];
  readonly privateKey: KeyObject;
  readonly notAfter: Date;
  readonly jwtKid: string;
  readonly jwtAlgorithm: JwtSvidAlgorithm;
  readonly #state: CaState;
  readonly #subject: Name;
  readonly #publicKey: KeyObject;

  constructor(
    state: CaState,
    cert: Uint8Array,
    chain: readonly Uint8Array[],
    subject: Name,
    keys: { publicKey: KeyObject; privateKey: KeyObject },
    notAfter: Date,
  ) {
    this.#state = state;
    this.trustDomain = state.trustDomain;
    this.bundle = state.bundle;
    this.rootDer = state.rootDer;
    this.certificateDer = cert;
    this.chain = chain;
    this.privateKey = keys.privateKey;
    this.#publicKey = keys.publicKey;
    this.#subject = subject;
    this.notAfter = notAfter;
    this.jwtKid = state.jwt.kid;
    this.jwtAlgorithm = state.jwt.alg;
  }

  now(): Date {
    return this.#state.clock();
  }

  #sign(
    o: CertificateOptions,
    base: {
      subject: Name;
      ca: boolean;
      keyUsage: readonly KeyUsageName[];
      extKeyUsage: readonly string[] | undefined;
      uriSans: readonly string[];
      defaultTtl: number;
    },
  ): { der: Uint8Array; keys: { publicKey: KeyObject; privateKey: KeyObject }; notAfter: Date } {
    const keys = generateKey(o.keyType ?? "ec-p256");
    const { notBefore, notAfter } = window(this.#state.clock, o, base.defaultTtl, o.selfSigned ? undefined : this.notAfter);
    const signingKey = o.selfSigned ? keys.privateKey : o.wrongSigner ? generateKey("ec-p256").privateKey : this.privateKey;
    const der = writeCertificate({
      subject: base.subject,
      issuer: o.selfSigned ? base.subject : this.#subject,
      publicKey: keys.publicKey,
      signingKey,
      notBefore,
      notAfter,
      ca: o.ca === null ? undefined : (o.ca ?? base.ca),
      ...(o.pathLen !== undefined ? { pathLen: o.pathLen } : {}),
      keyUsage: o.keyUsage ?? base.keyUsage,
      keyUsageCritical: o.keyUsageCritical ?? true,
      extKeyUsage: o.extKeyUsage ?? base.extKeyUsage,
      uriSans: o.uriSans ?? base.uriSans,
      dnsSans: o.dnsSans ?? [],
      authorityKeyId: o.selfSigned ? undefined : subjectKeyId(this.#publicKey),
      omit: new Set(o.omitExtensions ?? []),
      extra: extras(o),
    });
    return { der, keys, notAfter };
  }

  issueSvid(id: string, opts: IssueOptions = {}): IssuedSvid {
    const spiffeId = SpiffeId.parse(id);
    const cn = opts.dnsSans?.[0];
    const { der, keys } = this.#sign(opts, {
      subject: buildName({ c: "US", o: "SPIRE", ...(cn !== undefined ? { cn } : {}) }),
      ca: false,
      keyUsage: ["digitalSignature", "keyEncipherment", "keyAgreement"],
      extKeyUsage: LEAF_EKU,
      uriSans: [spiffeId.toString()],
      defaultTtl: HOUR,
    });
    const certificates = opts.selfSigned ? [der] : [der, ...this.chain];
    const keyDer = new Uint8Array(keys.privateKey.export({ format: "der", type: "pkcs8" }));
    const privateKey = createPrivateKey({ key: Buffer.from(keyDer), format: "der", type: "pkcs8" });
    return {
      svid: unsafeX509Svid(spiffeId, certificates, privateKey, opts.hint ?? ""),
      chainDer: concatDer(certificates),
      keyDer,
      certificates,
      certPem: certificates.map((c) => derToPem(c, "CERTIFICATE")).join(""),
      keyPem: derToPem(keyDer, "PRIVATE KEY"),
      privateKey,
    };
  }

  issueIntermediate(opts: CertificateOptions = {}): TestCa {
    const subject = buildName({ c: "US", o: "SPIFFE", cn: `intermediate ${randomBytes(4).toString("hex")}` });
    const { der, keys, notAfter } = this.#sign(opts, {
      subject,
      ca: true,
      keyUsage: ["keyCertSign", "cRLSign"],
      extKeyUsage: undefined,
      uriSans: [this.trustDomain.idString()],
      defaultTtl: 12 * HOUR,
    });
    return new Ca(this.#state, der, [der, ...this.chain], subject, keys, notAfter);
  }

  signJwt(claims: object, header: object = {}): string {
    const { kid, alg, key } = this.#state.jwt;
    const h: Record<string, unknown> = { alg, kid, typ: "JWT", ...header };
    for (const k of Object.keys(h)) if (h[k] === undefined) delete h[k];
    const signAlg = isJwtSvidAlgorithm(h.alg) && keyMismatch(h.alg, key) === undefined ? h.alg : alg;
    const input = `${b64url(JSON.stringify(h))}.${b64url(JSON.stringify(claims))}`;
    return `${input}.${b64url(jwsSign(signAlg, key, input))}`;
  }

  issueJwtSvid(id: string, opts: IssueJwtOptions): string {
    const sub = SpiffeId.parse(id).toString();
    const nowSec = Math.floor(this.#state.clock().getTime() / 1000);
    const aud = typeof opts.audience === "string" ? [opts.audience] : [...opts.audience];
    const claims = { sub, aud, exp: nowSec + Math.floor((opts.ttlMs ?? 300_000) / 1000), iat: nowSec, ...opts.claims };
    return this.signJwt(claims, opts.header ?? {});
  }

  jwtBundle(): JwtBundle {
    return this.#state.jwt.bundle;
  }

  jwksJson(): string {
    return this.#state.jwt.bundle.toJwks();
  }
}

/**
 * Creates a throwaway SPIFFE CA: a self-signed root (SPIRE's template: `C=US, O=SPIFFE`, URI SAN
 * `spiffe://<td>`, critical cA=true and keyCertSign+cRLSign) plus a JWT signing key. Sync.
 *
 * @example
 * ```ts
 * const ca = createTestCa({ trustDomain: "example.org" });
 * const { svid } = ca.issueSvid("spiffe://example.org/api");
 * const expired = ca.issueSvid("spiffe://example.org/api", { notAfter: new Date(0) });
 * ```
 */
export function createTestCa(options: TestCaOptions = {}): TestCa {
  const trustDomain = TrustDomain.parse(options.trustDomain ?? "example.org");
  const clock = options.now ?? (() => new Date());
  if (typeof clock !== "function") throw new SpiffeError("invalid_argument", "createTestCa: now must be a function");
  const keyType = options.keyType ?? "ec-p256";
  const keys = generateKey(keyType);
  const serial = randomBytes(8).toString("hex");
  const subject = buildName({ c: "US", o: "SPIFFE", serialNumber: serial });
  const { notBefore, notAfter } = window(clock, {}, options.ttlMs ?? 24 * HOUR);
  const rootDer = writeCertificate({
    subject,
    issuer: subject,
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    notBefore,
    notAfter,
    ca: true,
    keyUsage: ["keyCertSign", "cRLSign"],
    keyUsageCritical: true,
    extKeyUsage: undefined,
    uriSans: [trustDomain.idString()],
    dnsSans: [],
    authorityKeyId: undefined,
    omit: new Set(),
    extra: [],
  });
  const alg = options.jwtAlgorithm ?? (keyType === "rsa-2048" ? "RS256" : "ES256");
  if (!isJwtSvidAlgorithm(alg)) throw new SpiffeError("invalid_argument", `createTestCa: unknown jwt algorithm ${String(alg)}`);
  const jwtKeys = generateKey(jwtKeyType(alg));
  const kid = randomBytes(16).toString("hex");
  const state: CaState = {
    trustDomain,
    clock,
    bundle: X509Bundle.fromAuthorities(trustDomain, [rootDer]),
    rootDer,
    jwt: { kid, alg, key: jwtKeys.privateKey, bundle: JwtBundle.fromKeys(trustDomain, { [kid]: jwtKeys.publicKey }) },
  };
  return new Ca(state, rootDer, [], subject, keys, notAfter);
}
