import { type KeyObject, createPrivateKey, createPublicKey } from "node:crypto";
import { inspect } from "node:util";
import { type CertInfo, KU, parseCertificate } from "./certificate.js";
import { bytesEqual, concatDer, derToPem, pemToDer, splitDer } from "./der.js";
import { SpiffeError } from "./errors.js";
import { SpiffeId } from "./spiffe-id.js";

/**
 * An X.509-SVID: a SPIFFE ID, its certificate chain (leaf first, DER) and private key.
 * Inspecting or JSON-serialising it never shows the private key.
 */
export interface X509Svid {
  /** The SPIFFE ID of the leaf's URI SAN. */
  readonly id: SpiffeId;
  /** DER certificates, leaf first, then intermediates (never the root in SPIRE's output). */
  readonly certificates: readonly Uint8Array[];
  /** The leaf's private key. */
  readonly privateKey: KeyObject;
  /** The Workload API hint (`""` when none). */
  readonly hint: string;
  /** The leaf's notBefore. */
  readonly notBefore: Date;
  /** The leaf's notAfter. */
  readonly notAfter: Date;
  /** The chain as PEM `CERTIFICATE` blocks (what Node TLS options want). */
  certificatesPem(): string;
  /** The private key as PKCS#8 PEM (what Node TLS options want). Treat as a secret. */
  privateKeyPem(): string;
}

/** Options of {@link parseX509Svid}. */
export interface ParseX509SvidOptions {
  /** The Workload API hint to attach (default `""`). */
  readonly hint?: string;
}

class Svid implements X509Svid {
  readonly id: SpiffeId;
  readonly certificates: readonly Uint8Array[];
  readonly privateKey: KeyObject;
  readonly hint: string;
  readonly notBefore: Date;
  readonly notAfter: Date;

  constructor(id: SpiffeId, certificates: Uint8Array[], privateKey: KeyObject, hint: string, leaf: CertInfo) {
    this.id = id;
    this.certificates = Object.freeze(certificates);
    this.privateKey = privateKey;
    this.hint = hint;
    this.notBefore = new Date(leaf.notBefore.getTime());
    this.notAfter = new Date(leaf.notAfter.getTime());
  }

  certificatesPem(): string {
    return this.certificates.map((c) => derToPem(c, "CERTIFICATE")).join("");
  }

  privateKeyPem(): string {
    return this.privateKey.export({ format: "pem", type: "pkcs8" }).toString();
  }

  toJSON(): object {
    return {
      id: this.id.toString(),
      hint: this.hint,
      notBefore: this.notBefore.toISOString(),
      notAfter: this.notAfter.toISOString(),
      certificates: this.certificates.length,
      privateKey: "[redacted]",
    };
  }

  [inspect.custom](): string {
    return `X509Svid ${inspect(this.toJSON())}`;
  }
}

/**
 * Reads the SPIFFE ID of a certificate from its URI SAN (read from DER). Throws
 * `svid_no_uri_san`, `svid_multiple_uri_sans` or `svid_invalid_id` (cause: the ID rule broken).
 *
 * @example
 * ```ts
 * spiffeIdFromCertificate(peerCertDer).toString(); // "spiffe://example.org/api"
 * ```
 */
export function spiffeIdFromCertificate(der: Uint8Array): SpiffeId {
  return idOf(parseCertificate(der));
}

/** @internal */
export function idOf(info: CertInfo): SpiffeId {
  if (info.uriSans.length === 0) {
    throw new SpiffeError("svid_no_uri_san", "certificate contains no uri san (an x509-svid needs exactly one)");
  }
  if (info.uriSans.length > 1) {
    throw new SpiffeError(
      "svid_multiple_uri_sans",
      `certificate contains ${info.uriSans.length} uri sans (an x509-svid needs exactly one)`,
    );
  }
  try {
    return SpiffeId.parse(info.uriSans[0] as string);
  } catch (e) {
    const rule = SpiffeError.is(e) ? ` (${e.code}: ${e.message.replace(/^spiffe: /, "")})` : "";
    throw new SpiffeError("svid_invalid_id", `certificate uri san is not a valid spiffe id${rule}`, { cause: e });
  }
}

/** Leaf checks shared by parsing and verification. @internal */
export function checkLeaf(info: CertInfo, requireDigitalSignature: boolean): SpiffeId {
  const id = idOf(info);
  if (id.path === "") {
    throw new SpiffeError(
      "svid_root_path",
      `leaf spiffe id "${id.toString()}" has no path; a trust domain id cannot name a workload`,
    );
  }
  if (info.basicConstraints?.cA === true) {
    throw new SpiffeError("svid_ca_leaf", `leaf certificate of "${id.toString()}" is a ca (basicConstraints cA=true)`);
  }
  const ku = info.keyUsage;
  if (requireDigitalSignature && (ku === undefined || (ku & KU.digitalSignature) === 0)) {
    throw new SpiffeError("svid_key_usage", `leaf certificate of "${id.toString()}" lacks keyUsage digitalSignature`);
  }
  if (ku !== undefined && (ku & KU.keyCertSign) !== 0) {
    throw new SpiffeError("svid_key_usage", `leaf certificate of "${id.toString()}" has keyUsage keyCertSign`);
  }
  if (ku !== undefined && (ku & KU.cRLSign) !== 0) {
    throw new SpiffeError("svid_key_usage", `leaf certificate of "${id.toString()}" has keyUsage cRLSign`);
  }
  return id;
}

function importKey(pkcs8Der: Uint8Array): KeyObject {
  let key: KeyObject;
  // Cheap structural check first: OpenSSL's decoder search on garbage costs milliseconds.
  let items: Uint8Array[] = [];
  try {
    items = pkcs8Der instanceof Uint8Array ? splitDer(pkcs8Der) : [];
  } catch {
    items = [];
  }
  if (items.length !== 1) {
    throw new SpiffeError("svid_key_unsupported", "private key is not a single der pkcs#8 structure");
  }
  try {
    key = createPrivateKey({ key: Buffer.from(pkcs8Der), format: "der", type: "pkcs8" });
  } catch (e) {
    throw new SpiffeError("svid_key_unsupported", "private key is not a valid unencrypted pkcs#8 key", { cause: e });
  }
  const type = key.asymmetricKeyType;
  if (type === "ec") {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve !== "prime256v1" && curve !== "secp384r1" && curve !== "secp521r1") {
      throw new SpiffeError("svid_key_unsupported", `private key uses unsupported ec curve ${curve ?? "unknown"}`);
    }
  } else if (type !== "rsa" && type !== "ed25519") {
    throw new SpiffeError(
      "svid_key_unsupported",
      `private key type ${type ?? "unknown"} is not supported (use ec p-256/p-384/p-521, rsa or ed25519)`,
    );
  }
  return key;
}

function spki(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ format: "der", type: "spki" }));
}

function buildSvid(certificates: Uint8Array[], pkcs8Der: Uint8Array, hint: string): X509Svid {
  if (certificates.length === 0) throw new SpiffeError("svid_no_certificates", "x509-svid has no certificates");
  const infos = certificates.map((c, i) => parseCertificate(c, i === 0 ? "leaf certificate" : `certificate ${i}`));
  const leaf = infos[0] as CertInfo;
  const id = checkLeaf(leaf, true);
  infos.slice(1).forEach((ca, i) => {
    if (ca.basicConstraints?.cA !== true) {
      throw new SpiffeError("chain_ca_rules", `certificate ${i + 1} of "${id.toString()}" is not a ca (cA=true missing)`);
    }
    if (ca.keyUsage === undefined || (ca.keyUsage & KU.keyCertSign) === 0) {
      throw new SpiffeError("chain_ca_rules", `certificate ${i + 1} of "${id.toString()}" lacks keyUsage keyCertSign`);
    }
  });
  const privateKey = importKey(pkcs8Der);
  if (!bytesEqual(spki(createPublicKey(privateKey)), spki(leaf.x509.publicKey))) {
    throw new SpiffeError("svid_key_mismatch", `private key does not match the leaf certificate of "${id.toString()}"`);
  }
  return new Svid(id, certificates, privateKey, hint, leaf);
}

/**
 * Parses an X.509-SVID from the Workload API form: concatenated DER certificates (leaf first)
 * and an unencrypted PKCS#8 DER key (EC P-256/P-384/P-521, RSA or Ed25519). Checks the leaf
 * (one URI SAN, SPIFFE ID with a path, cA=false, digitalSignature, no keyCertSign/cRLSign),
 * that later certificates are CAs with keyCertSign, and that the key matches the leaf. Does
 * not verify the chain or validity window (see {@link verifyX509Svid}).
 *
 * @example
 * ```ts
 * const svid = parseX509Svid(msg.x509Svid, msg.x509SvidKey, { hint: msg.hint });
 * ```
 */
export function parseX509Svid(chainDer: Uint8Array, pkcs8Der: Uint8Array, options: ParseX509SvidOptions = {}): X509Svid {
  return buildSvid(splitDer(chainDer), pkcs8Der, options.hint ?? "");
}

/**
 * Parses an X.509-SVID from PEM: `CERTIFICATE` blocks (leaf first) and a `PRIVATE KEY` block.
 *
 * @example
 * ```ts
 * const svid = parseX509SvidPem(readFileSync("svid.pem", "utf8"), readFileSync("key.pem", "utf8"));
 * ```
 */
export function parseX509SvidPem(certificatesPem: string, keyPem: string, options: ParseX509SvidOptions = {}): X509Svid {
  const keys = pemToDer(keyPem, "PRIVATE KEY");
  if (keys.length !== 1) {
    throw new SpiffeError("svid_key_unsupported", `expected one pkcs#8 "PRIVATE KEY" pem block, found ${keys.length}`);
  }
  return buildSvid(pemToDer(certificatesPem, "CERTIFICATE"), keys[0] as Uint8Array, options.hint ?? "");
}

/**
 * Builds an X509Svid object without checking any rule (for tests that need broken SVIDs).
 * The ID is the one given. @internal
 */
export function unsafeX509Svid(id: SpiffeId, certificates: Uint8Array[], privateKey: KeyObject, hint = ""): X509Svid {
  const leaf = parseCertificate(certificates[0] as Uint8Array);
  return new Svid(id, certificates, privateKey, hint, leaf);
}

/** The chain as concatenated DER (the Workload API form). */
export function x509SvidChainDer(svid: X509Svid): Uint8Array {
  return concatDer(svid.certificates);
}
