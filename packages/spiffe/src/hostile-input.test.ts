import { type KeyObject, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { codeOf } from "../test/error-code.js";
import { SpiffeError, type SpiffeErrorCode } from "./errors.js";
import { SpiffeId } from "./spiffe-id.js";
import { JwtBundleSet } from "./jwt-bundle-set.js";
import { parseAndValidateJwtSvid, parseJwtSvidInsecure } from "./jwt-svid.js";
import { buildName, generateKey, writeCertificate } from "./testing/certificate-builder.js";
import { createTestCa } from "./testing/index.js";
import { verifyX509Svid } from "./verify-x509-svid.js";
import { X509Bundle } from "./x509-bundle.js";
import { spiffeIdFromCertificate } from "./x509-svid.js";

// Inputs a hostile peer controls. Every failure must be a SpiffeError with the rule's code.

const NOW = new Date("2026-12-03T12:00:00Z");
const NOW_S = NOW.getTime() / 1000;

describe("verifyX509Svid: path building work is bounded", () => {
  // An attacker-run CA mints many self-issued CA certificates with the same name and key, so
  // every one of them "issues" every other one. An unbounded depth-first search over 40 such
  // certificates would take longer than the age of the universe.
  function mesh(count: number): { leaf: Uint8Array; intermediates: Uint8Array[] } {
    const key = generateKey("ec-p256");
    const name = buildName({ c: "US", o: "mesh" });
    const base = {
      subject: name,
      issuer: name,
      publicKey: key.publicKey,
      signingKey: key.privateKey,
      notBefore: new Date(NOW.getTime() - 10_000),
      notAfter: new Date(NOW.getTime() + 3_600_000),
      ca: true,
      keyUsage: ["keyCertSign"] as const,
      keyUsageCritical: true,
      extKeyUsage: undefined,
      uriSans: [] as string[],
      dnsSans: [] as string[],
      authorityKeyId: undefined,
      omit: new Set<never>(),
      extra: [],
    };
    const leafKey = generateKey("ec-p256");
    const leaf = writeCertificate({
      ...base,
      subject: buildName({ c: "US", o: "leaf" }),
      publicKey: leafKey.publicKey,
      ca: false,
      keyUsage: ["digitalSignature"],
      uriSans: ["spiffe://example.org/api"],
    });
    return { leaf, intermediates: Array.from({ length: count }, () => writeCertificate(base)) };
  }

  it("gives up with chain_untrusted on a mesh of mutually issuing intermediates", () => {
    const ca = createTestCa({ now: () => NOW });
    const { leaf, intermediates } = mesh(40);
    let error: unknown;
    try {
      verifyX509Svid([leaf, ...intermediates], ca.bundle, { now: NOW });
    } catch (e) {
      error = e;
    }
    expect(SpiffeError.is(error, "chain_untrusted")).toBe(true);
    expect((error as Error).message).toContain("too many candidate issuers");
  });

  it("still finds the real path behind decoys that do not issue anything", () => {
    const ca = createTestCa({ now: () => NOW });
    const inter = ca.issueIntermediate();
    const { certificates } = inter.issueSvid("spiffe://example.org/api");
    const decoys = Array.from({ length: 50 }, () => createTestCa({ now: () => NOW }).issueIntermediate().certificateDer);
    const r = verifyX509Svid([certificates[0] as Uint8Array, ...decoys, ...certificates.slice(1)], ca.bundle, { now: NOW });
    expect(r.verifiedChain).toHaveLength(3);
    expect(r.id.toString()).toBe("spiffe://example.org/api");
  });

  it("treats an intermediate presented twice as one certificate (no loop through copies)", () => {
    const ca = createTestCa({ now: () => NOW });
    const inter = ca.issueIntermediate();
    const { certificates } = inter.issueSvid("spiffe://example.org/api");
    const copy = new Uint8Array(certificates[1] as Uint8Array);
    const r = verifyX509Svid([...certificates, copy, copy], ca.bundle, { now: NOW });
    expect(r.verifiedChain).toHaveLength(3);
  });
});

describe("certificate parsing: a reused buffer is read again", () => {
  it("returns the ID of the bytes now in the buffer, not of what was there before", () => {
    const ca = createTestCa({ now: () => NOW });
    const a = ca.issueSvid("spiffe://example.org/aaaa").certificates[0] as Uint8Array;
    let b = ca.issueSvid("spiffe://example.org/bbbb").certificates[0] as Uint8Array;
    // ECDSA signatures vary in length by a byte or two: mint until the sizes match.
    for (let i = 0; i < 50 && b.length !== a.length; i++) {
      b = ca.issueSvid("spiffe://example.org/bbbb").certificates[0] as Uint8Array;
    }
    expect(a.length).toBe(b.length);
    const buffer = new Uint8Array(a);
    expect(spiffeIdFromCertificate(buffer).toString()).toBe("spiffe://example.org/aaaa");
    buffer.set(b);
    expect(spiffeIdFromCertificate(buffer).toString()).toBe("spiffe://example.org/bbbb");
  });
});

describe("JWT-SVID: NumericDate values outside the range of a Date", () => {
  const ca = createTestCa({ now: () => NOW });
  const bundles = new JwtBundleSet(ca.jwtBundle());
  const AUD = ["spiffe://example.org/nexus"];
  const token = (extra: Record<string, unknown>): string =>
    ca.signJwt({ sub: "spiffe://example.org/api", aud: AUD, exp: NOW_S + 300, ...extra });

  for (const [claim, value] of [
    ["exp", 1e300],
    ["exp", -1e300],
    ["exp", 8.64e12 + 1],
    ["nbf", 1e300],
    ["iat", 1e300],
    ["iat", -1e300],
  ] as const) {
    it(`rejects ${claim} = ${value} as jwt_claims (never a RangeError)`, () => {
      const t = token({ [claim]: value });
      expect(codeOf(() => parseAndValidateJwtSvid(t, bundles, AUD, { now: NOW }))).toBe("jwt_claims");
      expect(codeOf(() => parseJwtSvidInsecure(t, AUD, { now: NOW }))).toBe("jwt_claims");
    });
  }

  it("still accepts an exp far in the future that a Date can hold", () => {
    const svid = parseAndValidateJwtSvid(token({ exp: 8.64e12 }), bundles, AUD, { now: NOW });
    expect(svid.expiry.getTime()).toBe(8.64e15);
    expect(JSON.stringify(svid)).toContain("+275760");
  });
});

describe("PEM parsing is linear", () => {
  it("parses a bundle behind 100k unterminated BEGIN lines (a backtracking regex would take minutes)", () => {
    const ca = createTestCa({ now: () => NOW });
    const junk = "-----BEGIN PRIVATE KEY-----\n".repeat(100_000);
    const bundle = X509Bundle.parsePem("example.org", junk + ca.bundle.toPem());
    expect(bundle.authorities).toHaveLength(1);
    expect(bundle.equals(ca.bundle)).toBe(true);
  });

  it("keeps the block rules: labels must match, other labels are skipped, a block swallowing another is refused", () => {
    const ca = createTestCa({ now: () => NOW });
    const cert = ca.bundle.toPem();
    const key = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    expect(X509Bundle.parsePem("example.org", key + cert + key).authorities).toHaveLength(1);
    expect(X509Bundle.parsePem("example.org", cert.replace("END CERTIFICATE", "END CERTIFICATES")).isEmpty()).toBe(true);
    const nested = cert.replace("-----END CERTIFICATE-----", `${key}-----END CERTIFICATE-----`);
    expect(codeOf(() => X509Bundle.parsePem("example.org", nested))).toBe("bundle_malformed");
  });
});

describe("JWT-SVID: a broken clock fails closed", () => {
  const ca = createTestCa({ now: () => NOW });
  const bundles = new JwtBundleSet(ca.jwtBundle());
  const AUD = ["spiffe://example.org/nexus"];
  const expired = ca.signJwt({ sub: "spiffe://example.org/api", aud: AUD, exp: NOW_S - 3600 });

  it("refuses an invalid Date as now instead of accepting an expired token", () => {
    for (const now of [new Date(Number.NaN), "2026-12-03" as never, 0 as never]) {
      expect(codeOf(() => parseAndValidateJwtSvid(expired, bundles, AUD, { now }))).toBe("invalid_argument");
      expect(codeOf(() => parseJwtSvidInsecure(expired, AUD, { now }))).toBe("invalid_argument");
    }
    expect(codeOf(() => parseAndValidateJwtSvid(expired, bundles, AUD, { now: NOW }))).toBe("jwt_expired");
  });

  it("refuses a missing bundle source as invalid_argument (not a TypeError)", () => {
    expect(codeOf(() => parseAndValidateJwtSvid(expired, null as never, AUD, { now: NOW }))).toBe("invalid_argument");
  });
});

describe("SPIFFE IDs: every code unit 0x00-0xff (and look-alikes) in every position", () => {
  const isTd = (c: number): boolean => (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d || c === 0x5f;
  const isSeg = (c: number): boolean => isTd(c) || (c >= 0x41 && c <= 0x5a);

  it("accepts exactly the grammar's characters and never throws anything but SpiffeError", () => {
    const wrong: string[] = [];
    for (let c = 0; c < 0x100; c++) {
      const ch = String.fromCharCode(c);
      const cases: Array<[string, SpiffeErrorCode | null]> = [
        [`spiffe://x${ch}y/a`, isTd(c) ? null : c === 0x2f ? null : "td_chars"],
        [`spiffe://xy/a${ch}b`, isSeg(c) || c === 0x2f ? null : "path_chars"],
        [`spiffe://xy/${ch}`, c === 0x2e ? "path_dot_segment" : c === 0x2f ? "path_empty_segment" : isSeg(c) ? null : "path_chars"],
        [`spiffe://xy/a${ch}`, c === 0x2f ? "path_trailing_slash" : isSeg(c) ? null : "path_chars"],
      ];
      for (const [text, want] of cases) {
        const got = codeOf(() => SpiffeId.parse(text));
        if (got !== want) wrong.push(`${JSON.stringify(text)}: got ${got}, want ${want}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("refuses unicode look-alikes and WHATWG-normalisable forms, never rewriting them", () => {
    for (const [text, code] of [
      ["spiffe://exаmple.org/a", "td_chars"], // Cyrillic a
      ["spiffe://example.org/ａdmin", "path_chars"], // fullwidth a
      ["spiffe://example.org/\u0130", "path_chars"],
      ["spiffe://example.org/%61dmin", "path_chars"],
      ["spiffe://EXAMPLE.org/a", "td_chars"],
      ["spiffe://example.org./a/b/../c", "path_dot_segment"],
      ["spiffe://example.org/a\\b", "path_chars"],
      ["spiffe://example.org:443/a", "td_chars"],
      ["SPIFFE://example.org/a", "id_scheme"],
      ["spiffe:example.org/a", "id_scheme"],
    ] as const) {
      expect(codeOf(() => SpiffeId.parse(text)), text).toBe(code);
    }
    // Trailing dots and dashes are plain td characters: valid and kept as given.
    expect(SpiffeId.parse("spiffe://example.org./a-").toString()).toBe("spiffe://example.org./a-");
    expect(SpiffeId.parse("spiffe://-.-/.-").trustDomain.name).toBe("-.-");
  });
});

describe("verifyX509Svid: rules broken alone and together (first broken rule wins, always a SpiffeError)", () => {
  const ca = createTestCa({ now: () => NOW });
  const other = createTestCa({ trustDomain: "other.org", now: () => NOW });
  const ID = "spiffe://example.org/api";
  const past = { notBefore: new Date(NOW.getTime() - 7_200_000), notAfter: new Date(NOW.getTime() - 3_600_000) };
  const run = (chain: readonly Uint8Array[], bundle = ca.bundle): SpiffeErrorCode | null =>
    codeOf(() => verifyX509Svid(chain, bundle, { now: NOW }));
  const leaf = (opts: Parameters<typeof ca.issueSvid>[1] = {}): Uint8Array[] => ca.issueSvid(ID, opts).certificates;
  const emptySan = { oid: "2.5.29.17", critical: true, valueDer: new Uint8Array([0x30, 0x00]) };
  // The test CA refuses to build an SVID object from it, so write the DER directly.
  const duplicateSanLeaf = (): Uint8Array => {
    const key = generateKey("ec-p256");
    return writeCertificate({
      subject: buildName({ c: "US", o: "dup" }),
      issuer: buildName({ c: "US", o: "dup" }),
      publicKey: key.publicKey,
      signingKey: key.privateKey,
      notBefore: new Date(NOW.getTime() - 10_000),
      notAfter: new Date(NOW.getTime() + 3_600_000),
      ca: false,
      keyUsage: ["digitalSignature"],
      keyUsageCritical: true,
      extKeyUsage: undefined,
      uriSans: [ID],
      dnsSans: [],
      authorityKeyId: undefined,
      omit: new Set(),
      extra: [{ ...emptySan, critical: false }],
    });
  };

  const table: Array<[string, () => readonly Uint8Array[], SpiffeErrorCode | null, X509Bundle?]> = [
    ["uppercase URI SAN scheme", () => leaf({ uriSans: ["SPIFFE://example.org/api"] }), "svid_invalid_id"],
    ["a critical SAN with zero entries", () => leaf({ uriSans: [], extraExtensions: [emptySan] }), "svid_no_uri_san"],
    ["a duplicated SAN extension", () => [duplicateSanLeaf()], "der_malformed"],
    ["an intermediate naming another trust domain, signed by our root", () => ca.issueIntermediate({ uriSans: ["spiffe://other.org"] }).issueSvid(ID).certificates, null],
    ["the right leaf behind an intermediate of another trust domain's CA", () => [leaf()[0] as Uint8Array, other.issueIntermediate().certificateDer], null],
    ["the same ID minted by the other trust domain's CA", () => other.issueSvid(ID).certificates, "chain_untrusted"],
    ["a bundle that holds only the leaf", () => leaf(), "chain_untrusted", X509Bundle.fromAuthorities("example.org", [leaf()[0] as Uint8Array])],
    ["pathLen 0 with an intermediate below", () => ca.issueIntermediate({ pathLen: 0 }).issueIntermediate().issueSvid(ID).certificates, "chain_ca_rules"],
    ["an expired intermediate with a valid leaf", () => ca.issueIntermediate(past).issueSvid(ID, { notAfter: new Date(NOW.getTime() + 60_000) }).certificates, "chain_expired"],
    ["50 junk certificates after the leaf", () => [...leaf(), ...Array.from({ length: 50 }, () => other.issueIntermediate().certificateDer)], null],
    ["a truncated leaf", () => [(leaf()[0] as Uint8Array).subarray(0, 100)], "der_malformed"],
    ["a leaf with trailing garbage", () => [new Uint8Array([...(leaf()[0] as Uint8Array), 0x00])], "der_malformed"],
    ["an indefinite length", () => [new Uint8Array([0x30, 0x80, 0x00, 0x00])], "der_malformed"],
    ["a huge length field", () => [new Uint8Array([0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x00])], "der_malformed"],
    // Combinations: the leaf rules come first, then the signature path, then validity, then CA rules.
    ["expired and no URI SAN", () => leaf({ ...past, uriSans: [] }), "svid_no_uri_san"],
    ["expired and a CA leaf", () => leaf({ ...past, ca: true }), "svid_ca_leaf"],
    ["expired and a wrong signer", () => leaf({ ...past, wrongSigner: true }), "chain_untrusted"],
    ["expired and an unknown critical extension", () => leaf({ ...past, unknownCriticalExtension: true }), "chain_expired"],
    ["keyCertSign and two URI SANs", () => leaf({ keyUsage: ["digitalSignature", "keyCertSign"], uriSans: [ID, `${ID}2`] }), "svid_multiple_uri_sans"],
    ["a non-CA intermediate that is also expired", () => ca.issueIntermediate({ ...past, ca: false }).issueSvid(ID, { notAfter: new Date(NOW.getTime() + 60_000) }).certificates, "chain_expired"],
  ];
  for (const [name, chain, want, bundle] of table) {
    it(`${name}: ${want ?? "accepted"}`, () => {
      expect(run(chain(), bundle)).toBe(want);
    });
  }
});

describe("JWT-SVID: forged and malformed tokens", () => {
  const ca = createTestCa({ now: () => NOW });
  const bundles = new JwtBundleSet(ca.jwtBundle());
  const AUD = ["spiffe://example.org/nexus"];
  const b64 = (v: unknown): string => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");
  const good = (claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): string =>
    ca.signJwt({ sub: "spiffe://example.org/api", aud: AUD, exp: NOW_S + 300, ...claims }, header);
  const hmacForgery = (): string => {
    const header = b64({ alg: "HS256", kid: ca.jwtKid, typ: "JWT" });
    const payload = b64({ sub: "spiffe://example.org/api", aud: AUD, exp: NOW_S + 300 });
    const secret = (ca.jwtBundle().findKey(ca.jwtKid) as KeyObject).export({ format: "pem", type: "spki" });
    return `${header}.${payload}.${createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url")}`;
  };
  const [h, p, s] = good().split(".") as [string, string, string];
  const table: Array<[string, () => string, SpiffeErrorCode | null]> = [
    ["a good token", () => good(), null],
    ["alg none with no signature", () => `${b64({ alg: "none", kid: ca.jwtKid })}.${p}.`, "jwt_algorithm"],
    ["HS256 keyed with the public key", hmacForgery, "jwt_algorithm"],
    ["no kid", () => good({}, { kid: undefined }), "jwt_header"],
    ["an unknown kid", () => good({}, { kid: "nope" }), "jwt_key_missing"],
    ["aud as a string", () => good({ aud: AUD[0] }), null],
    ["aud as an empty list", () => good({ aud: [] }), "jwt_claims"],
    ["aud of another service", () => good({ aud: ["spiffe://example.org/other"] }), "jwt_audience"],
    ["exp as a string", () => good({ exp: String(NOW_S + 300) }), "jwt_claims"],
    ["sub that is not a SPIFFE ID", () => good({ sub: "api" }), "jwt_claims"],
    ["sub with a dot segment", () => good({ sub: "spiffe://example.org/a/../b" }), "jwt_claims"],
    ["two parts", () => `${h}.${p}`, "jwt_malformed"],
    ["four parts", () => `${h}.${p}.${s}.x`, "jwt_malformed"],
    ["base64 padding", () => `${h}==.${p}.${s}`, "jwt_malformed"],
    ["the standard base64 alphabet (+ and /)", () => `${h}.${p}.+/${s.slice(2)}`, "jwt_malformed"],
    ["JWS JSON serialization", () => JSON.stringify({ payload: p, signatures: [{ protected: h, signature: s }] }), "jwt_malformed"],
    ["a header with crit", () => good({}, { crit: ["exp"] }), "jwt_header"],
    ["typ at+jwt", () => good({}, { typ: "at+jwt" }), "jwt_header"],
    ["a payload swapped under the old signature", () => `${h}.${b64({ sub: "spiffe://example.org/admin", aud: AUD, exp: NOW_S + 300 })}.${s}`, "jwt_signature"],
  ];
  for (const [name, token, want] of table) {
    it(`${name}: ${want ?? "accepted"}`, () => {
      expect(codeOf(() => parseAndValidateJwtSvid(token(), bundles, AUD, { now: NOW }))).toBe(want);
    });
  }
});
