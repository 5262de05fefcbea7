import { describe, expect, it } from "vitest";
import { codeOf } from "../test/error-code.js";
import { SpiffeError, type SpiffeErrorCode } from "./errors.js";
import { createTestCa, type TestCa } from "./testing/index.js";
import { TrustDomain } from "./trust-domain.js";
import { verifyX509Svid } from "./verify-x509-svid.js";
import { X509Bundle } from "./x509-bundle.js";
import { X509BundleSet } from "./x509-bundle-set.js";

const NOW = new Date("2026-12-03T12:00:00Z");
const clock = (): Date => NOW;
const ID = "spiffe://example.org/api";

function verify(chain: readonly Uint8Array[], bundles: X509BundleSet | X509Bundle, now = NOW): SpiffeErrorCode | null {
  return codeOf(() => verifyX509Svid(chain, bundles, { now }));
}

function newCa(td = "example.org"): TestCa {
  return createTestCa({ trustDomain: td, now: clock });
}

describe("verifyX509Svid: accepts", () => {
  it("a leaf signed by the root, returning the ID and the verified path", () => {
    const ca = newCa();
    const { certificates } = ca.issueSvid(ID);
    const r = verifyX509Svid(certificates, new X509BundleSet(ca.bundle), { now: NOW });
    expect(r.id.toString()).toBe(ID);
    expect(r.verifiedChain).toHaveLength(2);
    expect(Buffer.from(r.verifiedChain[1] as Uint8Array).equals(Buffer.from(ca.rootDer))).toBe(true);
  });

  it("a path through two intermediates, presented in any order", () => {
    const ca = newCa();
    const i1 = ca.issueIntermediate();
    const i2 = i1.issueIntermediate();
    const { certificates } = i2.issueSvid(ID);
    expect(certificates).toHaveLength(3);
    const [leaf, a, b] = certificates as [Uint8Array, Uint8Array, Uint8Array];
    expect(verifyX509Svid([leaf, a, b], ca.bundle, { now: NOW }).verifiedChain).toHaveLength(4);
    expect(verifyX509Svid([leaf, b, a], ca.bundle, { now: NOW }).verifiedChain).toHaveLength(4);
  });

  it("a chain that also carries the root, or a duplicated intermediate (no loops)", () => {
    const ca = newCa();
    const i1 = ca.issueIntermediate();
    const { certificates } = i1.issueSvid(ID);
    const [leaf, inter] = certificates as [Uint8Array, Uint8Array];
    expect(verifyX509Svid([leaf, inter, ca.rootDer], ca.bundle, { now: NOW }).verifiedChain).toHaveLength(3);
    expect(verifyX509Svid([leaf, inter, inter, inter], ca.bundle, { now: NOW }).verifiedChain).toHaveLength(3);
  });

  it("during CA rotation: a bundle holding the old and the new root", () => {
    const oldCa = newCa();
    const newRoot = newCa();
    const bundle = X509Bundle.fromAuthorities("example.org", [oldCa.rootDer, newRoot.rootDer]);
    expect(verify(oldCa.issueSvid(ID).certificates, bundle)).toBeNull();
    expect(verify(newRoot.issueSvid(ID).certificates, bundle)).toBeNull();
  });

  it("an intermediate placed in the bundle as anchor (any bundle certificate is an anchor)", () => {
    const ca = newCa();
    const inter = ca.issueIntermediate();
    const bundle = X509Bundle.fromAuthorities("example.org", [inter.certificateDer]);
    expect(verify([inter.issueSvid(ID).certificates[0] as Uint8Array], bundle)).toBeNull();
  });

  it("but not an anchor that says it is no CA", () => {
    const ca = newCa();
    const notCa = ca.issueIntermediate({ ca: false });
    const bundle = X509Bundle.fromAuthorities("example.org", [notCa.certificateDer]);
    expect(verify([notCa.issueSvid(ID).certificates[0] as Uint8Array], bundle)).toBe("chain_ca_rules");
  });

  it("a federated trust domain picked from the set by the leaf's ID", () => {
    const own = newCa("example.org");
    const partner = newCa("partner.test");
    const set = new X509BundleSet(own.bundle, partner.bundle);
    expect(verifyX509Svid(partner.issueSvid("spiffe://partner.test/x").certificates, set, { now: NOW }).id.trustDomain.name).toBe(
      "partner.test",
    );
  });

  it.each(["rsa-2048", "ed25519", "ec-p384"] as const)("a %s leaf", (keyType) => {
    const ca = newCa();
    expect(verify(ca.issueSvid(ID, { keyType }).certificates, ca.bundle)).toBeNull();
  });

  it("at the exact edges of the validity window", () => {
    const ca = newCa();
    const { certificates } = ca.issueSvid(ID);
    expect(verify(certificates, ca.bundle, new Date(NOW.getTime() - 10_000))).toBeNull();
    expect(verify(certificates, ca.bundle, new Date(NOW.getTime() + 3_600_000))).toBeNull();
    expect(verify(certificates, ca.bundle, new Date(NOW.getTime() - 11_000))).toBe("chain_not_yet_valid");
    expect(verify(certificates, ca.bundle, new Date(NOW.getTime() + 3_601_000))).toBe("chain_expired");
  });
});

describe("verifyX509Svid: leaf rules", () => {
  const cases: Array<[string, Parameters<TestCa["issueSvid"]>[1], SpiffeErrorCode]> = [
    ["expired", { notBefore: new Date(NOW.getTime() - 7200_000), notAfter: new Date(NOW.getTime() - 1000) }, "chain_expired"],
    ["not yet valid", { notBefore: new Date(NOW.getTime() + 60_000), notAfter: new Date(NOW.getTime() + 7200_000) }, "chain_not_yet_valid"],
    ["a CA leaf", { ca: true }, "svid_ca_leaf"],
    ["no URI SAN", { uriSans: [] }, "svid_no_uri_san"],
    ["DNS-only SAN", { uriSans: [], dnsSans: ["api.example.org"] }, "svid_no_uri_san"],
    ["two URI SANs", { uriSans: [ID, "spiffe://example.org/admin"] }, "svid_multiple_uri_sans"],
    ["a non-SPIFFE URI SAN", { uriSans: ["https://api.example.org"] }, "svid_invalid_id"],
    ["a root-path ID", { uriSans: ["spiffe://example.org"] }, "svid_root_path"],
    ["missing digitalSignature", { keyUsage: ["keyEncipherment", "keyAgreement"] }, "svid_key_usage"],
    ["keyCertSign on the leaf", { keyUsage: ["digitalSignature", "keyCertSign"] }, "svid_key_usage"],
    ["cRLSign on the leaf", { keyUsage: ["digitalSignature", "cRLSign"] }, "svid_key_usage"],
    ["an unknown critical extension", { unknownCriticalExtension: true }, "chain_critical_extension"],
    ["a self-signed leaf", { selfSigned: true }, "chain_untrusted"],
    ["a broken signature", { wrongSigner: true }, "chain_untrusted"],
  ];
  it.each(cases)("rejects %s", (_name, opts, code) => {
    const ca = newCa();
    expect(verify(ca.issueSvid(ID, opts).certificates, ca.bundle)).toBe(code);
  });

  it("says why in the message (expiry time, cert, id)", () => {
    const ca = newCa();
    const { certificates } = ca.issueSvid(ID, { notAfter: new Date(NOW.getTime() - 1000) });
    expect(() => verifyX509Svid(certificates, ca.bundle, { now: NOW })).toThrow(
      'spiffe: leaf certificate (subject "C=US, O=SPIRE") of "spiffe://example.org/api" expired at 2026-12-03T11:59:59.000Z (now 2026-12-03T12:00:00.000Z)',
    );
  });

  it("accepts a non-critical unknown extension", () => {
    const ca = newCa();
    const opts = { extraExtensions: [{ oid: "1.3.6.1.4.1.55555.9", critical: false, valueDer: new Uint8Array([5, 0]) }] };
    expect(verify(ca.issueSvid(ID, opts).certificates, ca.bundle)).toBeNull();
  });

  it("rejects bad options", () => {
    const ca = newCa();
    const { certificates } = ca.issueSvid(ID);
    expect(codeOf(() => verifyX509Svid(certificates, ca.bundle, { maxPathLength: 1 }))).toBe("invalid_argument");
    expect(codeOf(() => verifyX509Svid(certificates, ca.bundle, { now: new Date(Number.NaN) }))).toBe("invalid_argument");
  });

  it("rejects an empty chain and a missing bundle source", () => {
    const ca = newCa();
    expect(verify([], ca.bundle)).toBe("svid_no_certificates");
    expect(codeOf(() => verifyX509Svid(ca.issueSvid(ID).certificates, undefined as never))).toBe("invalid_argument");
  });
});

describe("verifyX509Svid: bundles", () => {
  it("rejects a leaf of another trust domain (no bundle for it)", () => {
    const ca = newCa();
    const other = newCa("other.test");
    const err = (() => {
      try {
        verifyX509Svid(other.issueSvid("spiffe://other.test/api").certificates, new X509BundleSet(ca.bundle), { now: NOW });
      } catch (e) {
        return e as SpiffeError;
      }
      return undefined;
    })();
    expect(err?.code).toBe("bundle_missing");
    expect(err?.message).toBe('spiffe: no x.509 bundle for trust domain "other.test"');
  });

  it("rejects a leaf claiming our trust domain but signed by another CA", () => {
    const ours = newCa();
    const impostor = newCa();
    expect(verify(impostor.issueSvid(ID).certificates, ours.bundle)).toBe("chain_untrusted");
  });

  it("does not let a federated CA vouch for our trust domain", () => {
    const ours = newCa("example.org");
    const partner = newCa("partner.test");
    // partner's CA signs a leaf that claims example.org
    const forged = partner.issueSvid(ID);
    expect(verify(forged.certificates, new X509BundleSet(ours.bundle, partner.bundle))).toBe("chain_untrusted");
  });

  it("rejects everything when the bundle is empty", () => {
    const ca = newCa();
    expect(verify(ca.issueSvid(ID).certificates, X509Bundle.empty("example.org"))).toBe("chain_untrusted");
  });

  it("rejects an expired or not yet valid root", () => {
    const oldCa = createTestCa({ now: () => new Date(NOW.getTime() - 48 * 3_600_000) });
    const leaf = oldCa.issueSvid(ID, { notAfter: new Date(NOW.getTime() + 3_600_000) });
    expect(verify(leaf.certificates, oldCa.bundle)).toBe("chain_expired");
    const future = createTestCa({ now: () => new Date(NOW.getTime() + 3_600_000) });
    const leaf2 = future.issueSvid(ID, { notBefore: new Date(NOW.getTime() - 1000) });
    expect(verify(leaf2.certificates, future.bundle)).toBe("chain_not_yet_valid");
  });
});

describe("verifyX509Svid: intermediates", () => {
  it("rejects a broken chain (missing intermediate)", () => {
    const ca = newCa();
    const { certificates } = ca.issueIntermediate().issueSvid(ID);
    expect(verify([certificates[0] as Uint8Array], ca.bundle)).toBe("chain_untrusted");
  });

  it("rejects an intermediate that is not a CA", () => {
    const ca = newCa();
    expect(verify(ca.issueIntermediate({ ca: false }).issueSvid(ID).certificates, ca.bundle)).toBe("chain_ca_rules");
    expect(verify(ca.issueIntermediate({ ca: null }).issueSvid(ID).certificates, ca.bundle)).toBe("chain_ca_rules");
  });

  it("rejects an intermediate without keyCertSign", () => {
    const ca = newCa();
    const withoutKu = ca.issueIntermediate({ omitExtensions: ["keyUsage"] });
    expect(verify(withoutKu.issueSvid(ID).certificates, ca.bundle)).toBe("chain_ca_rules");
  });

  it("enforces pathLenConstraint", () => {
    const ca = newCa();
    const top = ca.issueIntermediate({ pathLen: 0 });
    expect(verify(top.issueSvid(ID).certificates, ca.bundle)).toBeNull();
    expect(verify(top.issueIntermediate().issueSvid(ID).certificates, ca.bundle)).toBe("chain_ca_rules");
    const top1 = ca.issueIntermediate({ pathLen: 1 });
    expect(verify(top1.issueIntermediate().issueSvid(ID).certificates, ca.bundle)).toBeNull();
  });

  it("rejects an expired intermediate", () => {
    const ca = newCa();
    const inter = ca.issueIntermediate({ notAfter: new Date(NOW.getTime() - 1000) });
    const leaf = inter.issueSvid(ID, { notAfter: new Date(NOW.getTime() + 3_600_000) });
    expect(verify(leaf.certificates, ca.bundle)).toBe("chain_expired");
  });

  it("rejects an intermediate with an unknown critical extension", () => {
    const ca = newCa();
    expect(verify(ca.issueIntermediate({ unknownCriticalExtension: true }).issueSvid(ID).certificates, ca.bundle)).toBe(
      "chain_critical_extension",
    );
  });

  it("rejects an intermediate signed by another CA", () => {
    const ca = newCa();
    expect(verify(ca.issueIntermediate({ wrongSigner: true }).issueSvid(ID).certificates, ca.bundle)).toBe("chain_untrusted");
  });

  it("bounds the path length", () => {
    const ca = newCa();
    let cur: TestCa = ca;
    for (let i = 0; i < 4; i++) cur = cur.issueIntermediate();
    const { certificates } = cur.issueSvid(ID);
    expect(verifyX509Svid(certificates, ca.bundle, { now: NOW }).verifiedChain).toHaveLength(6);
    expect(codeOf(() => verifyX509Svid(certificates, ca.bundle, { now: NOW, maxPathLength: 5 }))).toBe("chain_untrusted");
    expect(codeOf(() => verifyX509Svid(certificates, ca.bundle, { now: NOW, maxPathLength: 6 }))).toBeNull();
  });
});

describe("verifyX509Svid: malformed input", () => {
  it("gives der_malformed for garbage certificates", () => {
    const ca = newCa();
    expect(verify([new Uint8Array([0x30, 0x03, 1, 2, 3])], ca.bundle)).toBe("der_malformed");
    const { certificates } = ca.issueSvid(ID);
    expect(verify([certificates[0] as Uint8Array, new Uint8Array([1])], ca.bundle)).toBe("der_malformed");
  });

  it("looks up the bundle by the leaf's trust domain object", () => {
    const ca = newCa();
    const seen: string[] = [];
    const source = {
      getX509BundleForTrustDomain(td: TrustDomain) {
        seen.push(td.name);
        return ca.bundle.getX509BundleForTrustDomain(td);
      },
    };
    expect(verifyX509Svid(ca.issueSvid(ID).certificates, source, { now: NOW }).id.toString()).toBe(ID);
    expect(seen).toEqual(["example.org"]);
  });
});
