// Plain option types of the test CA, kept free of ASN.1 library types so that the
// published declarations of ./testing do not reference @peculiar packages.

/** Key types the test CA can generate. */
export type TestKeyType = "ec-p256" | "ec-p384" | "ec-p521" | "rsa-2048" | "ed25519";

/** Key usage bit names, as in RFC 5280. */
export type KeyUsageName =
  | "digitalSignature"
  | "nonRepudiation"
  | "keyEncipherment"
  | "dataEncipherment"
  | "keyAgreement"
  | "keyCertSign"
  | "cRLSign"
  | "encipherOnly"
  | "decipherOnly";

/** Extensions the test CA writes by default and that a test can omit. */
export type TestExtensionName =
  | "basicConstraints"
  | "keyUsage"
  | "extKeyUsage"
  | "subjectAltName"
  | "subjectKeyIdentifier"
  | "authorityKeyIdentifier";

/** An extra extension to write verbatim. */
export interface RawExtension {
  /** The extension OID. */
  readonly oid: string;
  /** Whether it is marked critical. */
  readonly critical: boolean;
  /** The DER of the extension value (inside the OCTET STRING). */
  readonly valueDer: Uint8Array;
}

/** An OID in a private arc, used as an "unknown critical extension". */
export const UNKNOWN_EXTENSION_OID = "1.3.6.1.4.1.55555.1.1";
