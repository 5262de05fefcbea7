import { generateKeyPairSync } from "node:crypto";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { codeOf } from "../test/error-code.js";
import type { SpiffeErrorCode } from "./errors.js";
import { createTestCa } from "./testing/index.js";
import { parseX509Svid, parseX509SvidPem, spiffeIdFromCertificate, x509SvidChainDer } from "./x509-svid.js";

const ID = "spiffe://example.org/api";

describe("parseX509Svid", () => {
  it("parses an EC P-256 SVID minted with SPIRE's template", () => {
    const ca = createTestCa({ now: () => new Date("2026-12-03T12:00:00Z") });
    const issued = ca.issueSvid(ID, { hint: "internal" });
    const svid = parseX509Svid(issued.chainDer, issued.keyDer, { hint: "internal" });
    expect(svid.id.toString()).toBe(ID);
    expect(svid.hint).toBe("internal");
    expect(svid.certificates).toHaveLength(1);
    expect(svid.notBefore.toISOString()).toBe("2026-12-03T11:59:50.000Z");
    expect(svid.notAfter.toISOString()).toBe("2026-12-03T13:00:00.000Z");
    expect(svid.privateKey.asymmetricKeyType).toBe("ec");
    expect(svid.certificatesPem()).toBe(issued.certPem);
    expect(svid.privateKeyPem()).toBe(issued.keyPem);
    expect(Buffer.from(x509SvidChainDer(svid)).equals(Buffer.from(issued.chainDer))).toBe(true);
  });

  it.each(["ec-p384", "ec-p521", "rsa-2048", "ed25519"] as const)("accepts a %s key", (keyType) => {
    const ca = createTestCa();
    const issued = ca.issueSvid(ID, { keyType });
    expect(parseX509Svid(issued.chainDer, issued.keyDer).id.toString()).toBe(ID);
  });

  it("parses a chain with intermediates (leaf first)", () => {
    const ca = createTestCa();
    const issued = ca.issueIntermediate().issueIntermediate().issueSvid(ID);
    const svid = parseX509Svid(issued.chainDer, issued.keyDer);
    expect(svid.certificates).toHaveLength(3);
  });

  it("round-trips through PEM", () => {
    const issued = createTestCa().issueIntermediate().issueSvid(ID);
    const svid = parseX509SvidPem(issued.certPem, issued.keyPem);
    expect(svid.certificates).toHaveLength(2);
    expect(svid.id.toString()).toBe(ID);
    expect(codeOf(() => parseX509SvidPem(issued.certPem, ""))).toBe("svid_key_unsupported");
  });

  it("never shows the private key when inspected or serialised", () => {
    const issued = createTestCa().issueSvid(ID);
    const svid = parseX509Svid(issued.chainDer, issued.keyDer);
    const body = issued.keyPem.split("\n")[1] as string;
    expect(JSON.stringify(svid)).not.toContain(body.slice(0, 20));
    expect(JSON.stringify(svid)).toContain("[redacted]");
    expect(inspect(svid, { depth: 5 })).not.toContain(body.slice(0, 20));
    expect(inspect(svid)).toContain(ID);
  });

  const broken: Array<[string, Parameters<ReturnType<typeof createTestCa>["issueSvid"]>[1], SpiffeErrorCode]> = [
    ["no URI SAN (DNS only)", { uriSans: [], dnsSans: ["api.example.org"] }, "svid_no_uri_san"],
    ["no SAN extension", { omitExtensions: ["subjectAltName"] }, "svid_no_uri_san"],
    ["two URI SANs", { uriSans: [ID, "spiffe://example.org/other"] }, "svid_multiple_uri_sans"],
    ["a non-SPIFFE URI SAN", { uriSans: ["https://example.org/api"] }, "svid_invalid_id"],
    ["an invalid SPIFFE ID", { uriSans: ["spiffe://example.org/a/../b"] }, "svid_invalid_id"],
    ["a root-path ID", { uriSans: ["spiffe://example.org"] }, "svid_root_path"],
    ["a CA leaf", { ca: true }, "svid_ca_leaf"],
    ["no digitalSignature", { keyUsage: ["keyEncipherment"] }, "svid_key_usage"],
    ["no keyUsage at all", { omitExtensions: ["keyUsage"] }, "svid_key_usage"],
    ["keyCertSign on the leaf", { keyUsage: ["digitalSignature", "keyCertSign"] }, "svid_key_usage"],
    ["cRLSign on the leaf", { keyUsage: ["digitalSignature", "cRLSign"] }, "svid_key_usage"],
  ];
  it.each(broken)("rejects %s", (_name, opts, code) => {
    const issued = createTestCa().issueSvid(ID, opts);
    expect(codeOf(() => parseX509Svid(issued.chainDer, issued.keyDer))).toBe(code);
  });

  it("says which rule was broken for an invalid ID in the SAN", () => {
    const issued = createTestCa().issueSvid(ID, { uriSans: ["spiffe://Example.org/x"] });
    expect(() => parseX509Svid(issued.chainDer, issued.keyDer)).toThrow(/td_chars/);
  });

  it("accepts a leaf without basicConstraints and without EKU (not required when parsing)", () => {
    const issued = createTestCa().issueSvid(ID, { ca: null, omitExtensions: ["extKeyUsage"] });
    expect(parseX509Svid(issued.chainDer, issued.keyDer).id.toString()).toBe(ID);
  });

  it("rejects an empty chain", () => {
    const issued = createTestCa().issueSvid(ID);
    expect(codeOf(() => parseX509Svid(new Uint8Array(), issued.keyDer))).toBe("svid_no_certificates");
  });

  it("rejects a key that does not match the leaf", () => {
    const ca = createTestCa();
    const a = ca.issueSvid(ID);
    const b = ca.issueSvid(ID);
    expect(codeOf(() => parseX509Svid(a.chainDer, b.keyDer))).toBe("svid_key_mismatch");
    const rsa = ca.issueSvid(ID, { keyType: "rsa-2048" });
    expect(codeOf(() => parseX509Svid(a.chainDer, rsa.keyDer))).toBe("svid_key_mismatch");
  });

  it("rejects garbage and unsupported keys", () => {
    const issued = createTestCa().issueSvid(ID);
    expect(codeOf(() => parseX509Svid(issued.chainDer, new Uint8Array([1, 2, 3])))).toBe("svid_key_unsupported");
    const x25519 = generateKeyPairSync("x25519").privateKey.export({ format: "der", type: "pkcs8" });
    expect(codeOf(() => parseX509Svid(issued.chainDer, new Uint8Array(x25519)))).toBe("svid_key_unsupported");
    const k1 = generateKeyPairSync("ec", { namedCurve: "secp256k1" }).privateKey.export({ format: "der", type: "pkcs8" });
    expect(codeOf(() => parseX509Svid(issued.chainDer, new Uint8Array(k1)))).toBe("svid_key_unsupported");
  });

  it("rejects a chain whose second certificate is not a CA", () => {
    const ca = createTestCa();
    const leaf = ca.issueSvid(ID);
    const other = ca.issueSvid("spiffe://example.org/other");
    const chain = new Uint8Array([...leaf.chainDer, ...other.chainDer]);
    expect(codeOf(() => parseX509Svid(chain, leaf.keyDer))).toBe("chain_ca_rules");
    const noKcs = ca.issueIntermediate({ keyUsage: ["cRLSign"] }).issueSvid(ID);
    expect(codeOf(() => parseX509Svid(noKcs.chainDer, noKcs.keyDer))).toBe("chain_ca_rules");
  });

  it("does not check validity when parsing (that is verification's job)", () => {
    const issued = createTestCa().issueSvid(ID, { notBefore: new Date(0), notAfter: new Date(1000) });
    expect(parseX509Svid(issued.chainDer, issued.keyDer).notAfter.getTime()).toBe(1000);
  });
});

describe("spiffeIdFromCertificate", () => {
  it("reads the URI SAN from DER", () => {
    const issued = createTestCa().issueSvid(ID, { dnsSans: ["api.example.org"] });
    expect(spiffeIdFromCertificate(issued.certificates[0] as Uint8Array).toString()).toBe(ID);
  });

  it("gives the trust domain ID of a CA certificate", () => {
    expect(spiffeIdFromCertificate(createTestCa({ trustDomain: "corp.test" }).rootDer).toString()).toBe("spiffe://corp.test");
  });

  it("names the missing SAN", () => {
    const issued = createTestCa().issueSvid(ID, { uriSans: [] });
    expect(codeOf(() => spiffeIdFromCertificate(issued.certificates[0] as Uint8Array))).toBe("svid_no_uri_san");
  });
});
