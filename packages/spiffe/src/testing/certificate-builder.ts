import { type KeyObject, createHash, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  GeneralName,
  KeyIdentifier,
  KeyUsage,
  Name,
  RelativeDistinguishedName,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  id_kp_clientAuth,
  id_kp_serverAuth,
} from "@peculiar/asn1-x509";
import { KU } from "../certificate.js";
import { SpiffeError } from "../errors.js";
import type { KeyUsageName, RawExtension, TestExtensionName, TestKeyType } from "./certificate-options.js";

/** Key usage bits by name: the library's own table (the type checks that every name is in it). */
const KU_BITS: Readonly<Record<KeyUsageName, number>> = KU;

/** Generates a key pair of the given type. @internal */
export function generateKey(type: TestKeyType): { publicKey: KeyObject; privateKey: KeyObject } {
  switch (type) {
    case "ec-p256":
      return generateKeyPairSync("ec", { namedCurve: "P-256" });
    case "ec-p384":
      return generateKeyPairSync("ec", { namedCurve: "P-384" });
    case "ec-p521":
      return generateKeyPairSync("ec", { namedCurve: "P-521" });
    case "rsa-2048":
      return generateKeyPairSync("rsa", { modulusLength: 2048 });
    case "ed25519":
      return generateKeyPairSync("ed25519");
    default:
      throw new SpiffeError("invalid_argument", `unknown test key type ${String(type)}`);
  }
}

function ab(b: Uint8Array): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

function signatureAlgorithm(key: KeyObject): { alg: AlgorithmIdentifier; hash: string | null } {
  const type = key.asymmetricKeyType;
  if (type === "ec") {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === "secp384r1") return { alg: new AlgorithmIdentifier({ algorithm: "1.2.840.10045.4.3.3" }), hash: "sha384" };
    if (curve === "secp521r1") return { alg: new AlgorithmIdentifier({ algorithm: "1.2.840.10045.4.3.4" }), hash: "sha512" };
    return { alg: new AlgorithmIdentifier({ algorithm: "1.2.840.10045.4.3.2" }), hash: "sha256" };
  }
  if (type === "rsa") {
    return { alg: new AlgorithmIdentifier({ algorithm: "1.2.840.113549.1.1.11", parameters: null }), hash: "sha256" };
  }
  if (type === "ed25519") return { alg: new AlgorithmIdentifier({ algorithm: "1.3.101.112" }), hash: null };
  throw new SpiffeError("invalid_argument", `cannot sign certificates with a ${type ?? "unknown"} key`);
}

/** Builds a Name from simple attributes (C, O, serialNumber, CN in that order). @internal */
export function buildName(attrs: { c?: string; o?: string; serialNumber?: string; cn?: string }): Name {
  const rdns: RelativeDistinguishedName[] = [];
  const add = (type: string, value: AttributeValue): void => {
    rdns.push(new RelativeDistinguishedName([new AttributeTypeAndValue({ type, value })]));
  };
  if (attrs.c !== undefined) add("2.5.4.6", new AttributeValue({ printableString: attrs.c }));
  if (attrs.o !== undefined) add("2.5.4.10", new AttributeValue({ utf8String: attrs.o }));
  if (attrs.serialNumber !== undefined) add("2.5.4.5", new AttributeValue({ printableString: attrs.serialNumber }));
  if (attrs.cn !== undefined) add("2.5.4.3", new AttributeValue({ utf8String: attrs.cn }));
  return new Name(rdns);
}

/** Subject key identifier (RFC 5280 method 1: SHA-1 of the public key bits). @internal */
export function subjectKeyId(publicKey: KeyObject): Uint8Array {
  const spki = AsnConvert.parse(publicKey.export({ format: "der", type: "spki" }), SubjectPublicKeyInfo);
  return new Uint8Array(createHash("sha1").update(new Uint8Array(spki.subjectPublicKey)).digest());
}

/** Everything needed to write one certificate. @internal */
export interface CertificateSpec {
  readonly subject: Name;
  readonly issuer: Name;
  readonly publicKey: KeyObject;
  readonly signingKey: KeyObject;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly ca: boolean | undefined; // undefined: no basicConstraints
  readonly pathLen?: number;
  readonly keyUsage: readonly KeyUsageName[] | undefined; // undefined: no keyUsage
  readonly keyUsageCritical: boolean;
  readonly extKeyUsage: readonly string[] | undefined;
  readonly uriSans: readonly string[];
  readonly dnsSans: readonly string[];
  readonly authorityKeyId: Uint8Array | undefined;
  readonly omit: ReadonlySet<TestExtensionName>;
  readonly extra: readonly RawExtension[];
}

function ext(oid: string, critical: boolean, value: unknown): Extension {
  return new Extension({ extnID: oid, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

/** Writes and signs a certificate; returns its DER. @internal */
export function writeCertificate(spec: CertificateSpec): Uint8Array {
  const serial = randomBytes(16);
  serial[0] = ((serial[0] as number) & 0x3f) | 0x40;
  const exts: Extension[] = [];
  const want = (n: TestExtensionName): boolean => !spec.omit.has(n);
  if (spec.ca !== undefined && want("basicConstraints")) {
    const bc = new BasicConstraints({ cA: spec.ca });
    if (spec.ca && spec.pathLen !== undefined) bc.pathLenConstraint = spec.pathLen;
    exts.push(ext(id_ce_basicConstraints, true, bc));
  }
  if (spec.keyUsage !== undefined && want("keyUsage")) {
    const bits = spec.keyUsage.reduce((a, n) => a | KU_BITS[n], 0);
    exts.push(ext(id_ce_keyUsage, spec.keyUsageCritical, new KeyUsage(bits)));
  }
  if (spec.extKeyUsage !== undefined && want("extKeyUsage")) {
    exts.push(ext(id_ce_extKeyUsage, false, new ExtendedKeyUsage([...spec.extKeyUsage])));
  }
  if (want("subjectKeyIdentifier")) {
    exts.push(ext(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(ab(subjectKeyId(spec.publicKey)))));
  }
  if (spec.authorityKeyId !== undefined && want("authorityKeyIdentifier")) {
    exts.push(
      ext(
        id_ce_authorityKeyIdentifier,
        false,
        new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(ab(spec.authorityKeyId)) }),
      ),
    );
  }
  const names = [
    ...spec.uriSans.map((u) => new GeneralName({ uniformResourceIdentifier: u })),
    ...spec.dnsSans.map((d) => new GeneralName({ dNSName: d })),
  ];
  if (names.length > 0 && want("subjectAltName")) {
    exts.push(ext(id_ce_subjectAltName, spec.subject.length === 0, new SubjectAlternativeName(names)));
  }
  for (const e of spec.extra) {
    exts.push(new Extension({ extnID: e.oid, critical: e.critical, extnValue: new OctetString(ab(e.valueDer)) }));
  }
  const { alg, hash } = signatureAlgorithm(spec.signingKey);
  const spki = AsnConvert.parse(spec.publicKey.export({ format: "der", type: "spki" }), SubjectPublicKeyInfo);
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: ab(serial),
    signature: alg,
    issuer: spec.issuer,
    subject: spec.subject,
    validity: new Validity({ notBefore: spec.notBefore, notAfter: spec.notAfter }),
    subjectPublicKeyInfo: spki,
  });
  if (exts.length > 0) tbs.extensions = new Extensions(exts);
  const tbsDer = new Uint8Array(AsnConvert.serialize(tbs));
  const signature = sign(hash, tbsDer, spec.signingKey);
  const cert = new Certificate({ tbsCertificate: tbs, signatureAlgorithm: alg, signatureValue: ab(signature) });
  return new Uint8Array(AsnConvert.serialize(cert));
}

/** The leaf EKU SPIRE writes. @internal */
export const LEAF_EKU = [id_kp_serverAuth, id_kp_clientAuth] as const;
