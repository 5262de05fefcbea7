import { X509Certificate } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import {
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  KeyUsage,
  SubjectAlternativeName,
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

const cache = new WeakMap<Uint8Array, CertInfo>();

function malformed(what: string, cause: unknown): SpiffeError {
  return new SpiffeError("der_malformed", `${what} is not a valid DER X.509 certificate`, { cause });
}

/** Parses one DER certificate (cached per buffer). Throws `der_malformed`. @internal */
export function parseCertificate(der: Uint8Array, what = "certificate"): CertInfo {
  const hit = cache.get(der);
  if (hit) return hit;
  if (!(der instanceof Uint8Array) || der.length === 0) throw malformed(what, undefined);
  let cert: Certificate;
  let x509: X509Certificate;
  try {
    cert = AsnConvert.parse(der, Certificate);
  } catch (e) {
    throw malformed(what, e);
  }
  try {
    x509 = new X509Certificate(der);
  } catch (e) {
    throw malformed(what, e);
  }
  if (x509.raw.length !== der.length) throw malformed(what, new Error("trailing bytes after the certificate"));
  const tbs = cert.tbsCertificate;
  let notBefore: Date;
  let notAfter: Date;
  try {
    notBefore = tbs.validity.notBefore.getTime();
    notAfter = tbs.validity.notAfter.getTime();
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
  for (const ext of tbs.extensions ?? []) {
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
  cache.set(der, info);
  return info;
}
