import { describe, expect, it } from "vitest";
import { SpiffeError, type SpiffeErrorCode } from "./errors.js";
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

function codeOf(fn: () => unknown): SpiffeErrorCode | null {
  try {
    fn();
    return null;
  } catch (e) {
    if (!SpiffeError.is(e)) throw e;
    return e.code;
  }
}

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
