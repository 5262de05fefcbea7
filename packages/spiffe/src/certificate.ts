import { X509Certificate, createHash } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import {
  BasicConstraints,
  ExtendedKeyUsage,
  Extensions,
  KeyUsage,
  SubjectAlternativeName,
  Validity,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_nameConstraints,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
} from "@peculiar/asn1-x509";
import { SpiffeError } from "./errors.js";

/** Key usage bits as @peculiar/asn1-x509 numbers them. */
export const KU = {
  digitalSignature: 1,
  nonRepudiation: 2,
  keyEncipherment: 4,
  dataEncipherment: 8,
  keyAgreement: 16,
  keyCertSign: 32,
  cRLSign: 64,
  encipherOnly: 128,
  decipherOnly: 256,
} as const;

/** Extensions whose semantics this package processes; any other critical one is rejected. */
const HANDLED_EXTENSIONS = new Set<string>([
  id_ce_basicConstraints,
  id_ce_keyUsage,
  id_ce_extKeyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  id_ce_authorityKeyIdentifier,
]);

/** The facts about one certificate that SVID rules need, read from DER. @internal */
export interface CertInfo {
  readonly der: Uint8Array;
  readonly x509: X509Certificate;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly uriSans: readonly string[];
  readonly dnsSans: readonly string[];
  /** undefined when the extension is absent. */
  readonly basicConstraints: { readonly cA: boolean; readonly pathLen: number | undefined } | undefined;
  /** Key usage bit mask; undefined when the extension is absent. */
  readonly keyUsage: number | undefined;
  readonly keyUsageCritical: boolean;
  readonly extKeyUsage: readonly string[] | undefined;
  /** OIDs of critical extensions we do not process. */
  readonly unhandledCritical: readonly string[];
  readonly hasNameConstraints: boolean;
}

const byContent = new Map<string, CertInfo>();
const CONTENT_CACHE_SIZE = 512;

function malformed(what: string, cause: unknown): SpiffeError {
  return new SpiffeError("der_malformed", `${what} is not a valid DER X.509 certificate`, { cause });
}

interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly valueStart: number;
  readonly end: number;
}

/** Reads one DER TLV at `off` (bounds-checked, definite lengths only). */
function tlv(buf: Uint8Array, off: number, limit: number): Tlv {
  if (off + 2 > limit) throw new Error("truncated tlv");
  const tag = buf[off] as number;
  if ((tag & 0x1f) === 0x1f) throw new Error("multi-byte tags are not used in certificates");
  let p = off + 1;
  const first = buf[p++] as number;
  let len = first;
  if (first >= 0x80) {
    const n = first & 0x7f;
    if (n === 0 || n > 4 || p + n > limit) throw new Error("bad length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[p++] as number);
  }
  if (p + len > limit) throw new Error("truncated value");
  return { tag, start: off, valueStart: p, end: p + len };
}

/** Locates the validity and extensions of a certificate's TBSCertificate. */
function locate(der: Uint8Array): { validity: Uint8Array; extensions: Uint8Array | undefined } {
  const cert = tlv(der, 0, der.length);
  if (cert.tag !== 0x30 || cert.end !== der.length) throw new Error("certificate is not one SEQUENCE");
  const tbs = tlv(der, cert.valueStart, cert.end);
  if (tbs.tag !== 0x30) throw new Error("tbsCertificate is not a SEQUENCE");
  const fields: Tlv[] = [];
  for (let off = tbs.valueStart; off < tbs.end; ) {
    const f = tlv(der, off, tbs.end);
    fields.push(f);
    off = f.end;
  }
  // [0] version is optional; then serial, signature, issuer, validity, subject, spki, [1], [2], [3]
  const base = fields[0]?.tag === 0xa0 ? 1 : 0;
  const validity = fields[base + 3];
  if (!validity || validity.tag !== 0x30) throw new Error("validity missing");
  const ext = fields.slice(base + 6).find((f) => f.tag === 0xa3);
  let extensions: Uint8Array | undefined;
  if (ext) {
    const inner = tlv(der, ext.valueStart, ext.end);
    if (inner.tag !== 0x30 || inner.end !== ext.end) throw new Error("extensions are not a SEQUENCE");
    extensions = der.subarray(inner.start, inner.end);
  }
  return { validity: der.subarray(validity.start, validity.end), extensions };
}

/**
 * Parses one DER certificate. Structure is validated by OpenSSL (`X509Certificate`); validity and
 * extensions are read with @peculiar/asn1-x509. Results are cached by content
 * hash (bounded), so a peer presenting the same SVID on every handshake is parsed once.
 * Throws `der_malformed`. @internal
 */
export function parseCertificate(der: Uint8Array, what = "certificate"): CertInfo {
  // Cached by content only: a caller may reuse (mutate) a buffer, so its identity says nothing.
  if (!(der instanceof Uint8Array) || der.length === 0) throw malformed(what, undefined);
  const digest = createHash("sha256").update(der).digest("base64");
  const known = byContent.get(digest);
  if (known) return known;
  const info = parseUncached(der, what);
  if (byContent.size >= CONTENT_CACHE_SIZE) {
    const oldest = byContent.keys().next().value;
    if (oldest !== undefined) byContent.delete(oldest);
  }
  byContent.set(digest, info);
  return info;
}

function parseUncached(input: Uint8Array, what: string): CertInfo {
  const der = new Uint8Array(input); // own copy: later mutation of the caller's buffer changes nothing
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(der);
  } catch (e) {
    throw malformed(what, e);
  }
  if (x509.raw.length !== der.length) throw malformed(what, new Error("trailing bytes after the certificate"));
  let located: ReturnType<typeof locate>;
  let notBefore: Date;
  let notAfter: Date;
  let extensions: Extensions;
  try {
    located = locate(der);
    const validity = AsnConvert.parse(located.validity, Validity);
    notBefore = validity.notBefore.getTime();
    notAfter = validity.notAfter.getTime();
    extensions = located.extensions ? AsnConvert.parse(located.extensions, Extensions) : new Extensions();
  } catch (e) {
    throw malformed(what, e);
  }
  const uriSans: string[] = [];
  const dnsSans: string[] = [];
  let basicConstraints: CertInfo["basicConstraints"];
  let keyUsage: number | undefined;
  let keyUsageCritical = false;
  let extKeyUsage: string[] | undefined;
  let hasNameConstraints = false;
  const unhandledCritical: string[] = [];
  const seen = new Set<string>();
  for (const ext of extensions) {
    if (seen.has(ext.extnID)) throw malformed(what, new Error(`duplicate extension ${ext.extnID}`));
    seen.add(ext.extnID);
    try {
      switch (ext.extnID) {
        case id_ce_subjectAltName: {
          const san = AsnConvert.parse(ext.extnValue, SubjectAlternativeName);
          for (const name of san) {
            if (name.uniformResourceIdentifier !== undefined) uriSans.push(name.uniformResourceIdentifier);
            if (name.dNSName !== undefined) dnsSans.push(name.dNSName);
          }
          break;
        }
        case id_ce_basicConstraints: {
          const bc = AsnConvert.parse(ext.extnValue, BasicConstraints);
          basicConstraints = { cA: bc.cA === true, pathLen: bc.pathLenConstraint };
          break;
        }
        case id_ce_keyUsage: {
          keyUsage = AsnConvert.parse(ext.extnValue, KeyUsage).toNumber();
          keyUsageCritical = ext.critical === true;
          break;
        }
        case id_ce_extKeyUsage: {
          extKeyUsage = [...AsnConvert.parse(ext.extnValue, ExtendedKeyUsage)];
          break;
        }
        case id_ce_nameConstraints:
          hasNameConstraints = true;
          break;
        default:
          break;
      }
    } catch (e) {
      throw malformed(`${what} extension ${ext.extnID}`, e);
    }
    if (ext.critical && !HANDLED_EXTENSIONS.has(ext.extnID)) unhandledCritical.push(ext.extnID);
  }
  const info: CertInfo = {
    der,
    x509,
    notBefore,
    notAfter,
    uriSans,
    dnsSans,
    basicConstraints,
    keyUsage,
    keyUsageCritical,
    extKeyUsage,
    unhandledCritical,
    hasNameConstraints,
  };
  return info;
}
