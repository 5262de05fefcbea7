import { describe, expect, it } from "vitest";
import { concatDer } from "./der.js";
import { SpiffeError } from "./errors.js";
import { createTestCa } from "./testing/index.js";
import { TrustDomain } from "./trust-domain.js";
import { X509Bundle } from "./x509-bundle.js";
import { X509BundleSet } from "./x509-bundle-set.js";

const td = TrustDomain.parse("example.org");

describe("X509Bundle", () => {
  it("parses concatenated DER and drops duplicate authorities", () => {
    const a = createTestCa();
    const b = createTestCa();
    const bundle = X509Bundle.parseRaw("example.org", concatDer([a.rootDer, b.rootDer, a.rootDer]));
    expect(bundle.trustDomain.name).toBe("example.org");
    expect(bundle.authorities).toHaveLength(2);
    expect(bundle.hasAuthority(a.rootDer)).toBe(true);
    expect(bundle.isEmpty()).toBe(false);
  });

  it("treats empty DER as an empty bundle", () => {
    const bundle = X509Bundle.parseRaw(td, new Uint8Array());
    expect(bundle.isEmpty()).toBe(true);
    expect(bundle.toPem()).toBe("");
    expect(bundle.equals(X509Bundle.empty(td))).toBe(true);
  });

  it("round-trips PEM and DER, and compares ignoring order", () => {
    const a = createTestCa();
    const b = createTestCa();
    const bundle = X509Bundle.fromAuthorities(td, [a.rootDer, b.rootDer]);
    const pem = bundle.toPem();
    expect(pem.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(2);
    expect(X509Bundle.parsePem(td, pem).equals(bundle)).toBe(true);
    expect(X509Bundle.parseRaw(td, bundle.toDer()).equals(bundle)).toBe(true);
    expect(X509Bundle.fromAuthorities(td, [b.rootDer, a.rootDer]).equals(bundle)).toBe(true);
    expect(X509Bundle.fromAuthorities(td, [a.rootDer]).equals(bundle)).toBe(false);
    expect(X509Bundle.fromAuthorities("other.org", [a.rootDer, b.rootDer]).equals(bundle)).toBe(false);
  });

  it("copies its input so later mutation does not change it", () => {
    const a = createTestCa();
    const der = new Uint8Array(a.rootDer);
    const bundle = X509Bundle.fromAuthorities(td, [der]);
    der[10] = (der[10] as number) ^ 0xff;
    expect(Buffer.from(bundle.authorities[0] as Uint8Array).equals(Buffer.from(a.rootDer))).toBe(true);
    expect(Object.isFrozen(bundle.authorities)).toBe(true);
  });

  it("adds and removes authorities immutably", () => {
    const a = createTestCa();
    const b = createTestCa();
    const one = X509Bundle.fromAuthorities(td, [a.rootDer]);
    const two = one.withAuthority(b.rootDer);
    expect(one.authorities).toHaveLength(1);
    expect(two.authorities).toHaveLength(2);
    expect(two.withAuthority(b.rootDer).authorities).toHaveLength(2);
    expect(two.withoutAuthority(a.rootDer).equals(X509Bundle.fromAuthorities(td, [b.rootDer]))).toBe(true);
  });

  it("rejects malformed input with bundle_malformed", () => {
    expect(() => X509Bundle.parseRaw(td, new Uint8Array([0x30, 0x05, 1]))).toThrow(
      expect.objectContaining({ code: "bundle_malformed" }),
    );
    expect(() => X509Bundle.fromAuthorities(td, [new Uint8Array([0x30, 0x00])])).toThrow(
      'spiffe: x.509 bundle of trust domain "example.org": authority 0 is not a valid certificate',
    );
    expect(() => X509Bundle.parsePem(td, "-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----")).toThrow(
      expect.objectContaining({ code: "bundle_malformed" }),
    );
  });

  it("is a source for its own trust domain only", () => {
    const ca = createTestCa();
    expect(ca.bundle.getX509BundleForTrustDomain(td)).toBe(ca.bundle);
    expect(() => ca.bundle.getX509BundleForTrustDomain(TrustDomain.parse("other.org"))).toThrow(
      expect.objectContaining({ code: "bundle_missing" }),
    );
  });
});

describe("X509BundleSet", () => {
  it("replaces by trust domain, lists sorted, removes and reports missing bundles", () => {
    const z = createTestCa({ trustDomain: "z.test" });
    const a = createTestCa({ trustDomain: "a.test" });
    const a2 = createTestCa({ trustDomain: "a.test" });
    const set = new X509BundleSet(z.bundle, a.bundle);
    expect(set.bundles().map((b) => b.trustDomain.name)).toEqual(["a.test", "z.test"]);
    set.add(a2.bundle);
    expect(set.size).toBe(2);
    expect(set.get("a.test")).toBe(a2.bundle);
    expect(set.has("spiffe://z.test")).toBe(true);
    set.remove("z.test");
    expect(set.has("z.test")).toBe(false);
    expect(set.get("z.test")).toBeUndefined();
    try {
      set.getX509BundleForTrustDomain(TrustDomain.parse("z.test"));
      expect.unreachable();
    } catch (e) {
      expect(SpiffeError.is(e, "bundle_missing")).toBe(true);
      expect((e as Error).message).toBe('spiffe: no x.509 bundle for trust domain "z.test"');
    }
  });

  it("compares and clones", () => {
    const a = createTestCa({ trustDomain: "a.test" });
    const b = createTestCa({ trustDomain: "b.test" });
    const s1 = new X509BundleSet(a.bundle, b.bundle);
    const s2 = s1.clone();
    expect(s1.equals(s2)).toBe(true);
    s2.remove("a.test");
    expect(s1.equals(s2)).toBe(false);
    expect(s1.size).toBe(2);
  });
});
