import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { codeOf } from "../test/error-code.js";
import { JwtBundle } from "./jwt-bundle.js";
import { JwtBundleSet } from "./jwt-bundle-set.js";
import { createTestCa } from "./testing/index.js";
import { TrustDomain } from "./trust-domain.js";

const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "jwk" });
const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ format: "jwk" });

describe("JwtBundle.parse", () => {
  it("reads SPIRE's JWKS (no use member) keyed by kid", () => {
    const doc = JSON.stringify({ keys: [{ ...ec, kid: "a" }, { ...rsa, kid: "b" }] });
    const bundle = JwtBundle.parse("example.org", new TextEncoder().encode(doc));
    expect(bundle.kids()).toEqual(["a", "b"]);
    expect(bundle.findKey("a")?.asymmetricKeyType).toBe("ec");
    expect(bundle.findKey("b")?.asymmetricKeyType).toBe("rsa");
    expect(bundle.findKey("c")).toBeUndefined();
    expect(bundle.isEmpty()).toBe(false);
  });

  it("ignores keys for other uses and of unknown kty", () => {
    const doc = JSON.stringify({
      keys: [
        { ...ec, kid: "x509", use: "x509-svid" },
        { kty: "oct", k: "c2VjcmV0", kid: "sym" },
        { kty: "OKP", crv: "Ed25519", x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", kid: "ed" },
        { ...ec, kid: "jwt", use: "jwt-svid" },
      ],
    });
    expect(JwtBundle.parse("example.org", doc).kids()).toEqual(["jwt"]);
  });

  it("accepts an empty key list", () => {
    expect(JwtBundle.parse("example.org", '{"keys":[]}').isEmpty()).toBe(true);
  });

  it.each([
    ["not JSON", "{"],
    ["not an object", "[]"],
    ["no keys", "{}"],
    ["keys not an array", '{"keys":{}}'],
    ["a key that is not an object", '{"keys":[1]}'],
    ["a key without kid", JSON.stringify({ keys: [{ ...ec }] })],
    ["a key with an empty kid", JSON.stringify({ keys: [{ ...ec, kid: "" }] })],
    ["a duplicate kid", JSON.stringify({ keys: [{ ...ec, kid: "a" }, { ...rsa, kid: "a" }] })],
    ["a broken EC key", JSON.stringify({ keys: [{ kty: "EC", crv: "P-256", x: "AA", y: "AA", kid: "a" }] })],
  ])("rejects %s with bundle_malformed", (_n, doc) => {
    expect(codeOf(() => JwtBundle.parse("example.org", doc))).toBe("bundle_malformed");
  });

  it("rejects invalid UTF-8", () => {
    expect(codeOf(() => JwtBundle.parse("example.org", new Uint8Array([0xff, 0xfe])))).toBe("bundle_malformed");
  });

  it("never takes private members from the JWKS", () => {
    const priv = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" });
    const bundle = JwtBundle.parse("example.org", JSON.stringify({ keys: [{ ...priv, kid: "a" }] }));
    expect(bundle.findKey("a")?.type).toBe("public");
    expect(bundle.toJwks()).not.toContain(priv.d as string);
  });

  it("round-trips through toJwks and compares by keys", () => {
    const ca = createTestCa();
    const b = ca.jwtBundle();
    const again = JwtBundle.parse("example.org", ca.jwksJson());
    expect(again.equals(b)).toBe(true);
    expect(JSON.parse(ca.jwksJson()).keys[0].kid).toBe(ca.jwtKid);
    expect(createTestCa().jwtBundle().equals(b)).toBe(false);
    expect(JwtBundle.parse("other.org", ca.jwksJson()).equals(b)).toBe(false);
  });
});

describe("JwtBundleSet", () => {
  it("keys bundles by trust domain and reports missing ones", () => {
    const a = createTestCa({ trustDomain: "a.test" });
    const b = createTestCa({ trustDomain: "b.test" });
    const set = new JwtBundleSet(b.jwtBundle(), a.jwtBundle());
    expect(set.bundles().map((x) => x.trustDomain.name)).toEqual(["a.test", "b.test"]);
    expect(set.getJwtBundleForTrustDomain(TrustDomain.parse("a.test"))).toBe(a.jwtBundle());
    set.remove("a.test");
    expect(set.has("a.test")).toBe(false);
    expect(() => set.getJwtBundleForTrustDomain(TrustDomain.parse("a.test"))).toThrow(
      'spiffe: no jwt bundle for trust domain "a.test"',
    );
    expect(set.equals(new JwtBundleSet(b.jwtBundle()))).toBe(true);
  });

  it("a single bundle is a source for its own trust domain only", () => {
    const a = createTestCa();
    expect(codeOf(() => a.jwtBundle().getJwtBundleForTrustDomain(TrustDomain.parse("x.test")))).toBe("bundle_missing");
  });
});
