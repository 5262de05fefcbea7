import { generateKeyPairSync, sign } from "node:crypto";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { codeOf } from "../test/error-code.js";
import type { SpiffeErrorCode } from "./errors.js";
import { JWT_SVID_ALGORITHMS } from "./jws.js";
import { JwtBundle } from "./jwt-bundle.js";
import { JwtBundleSet } from "./jwt-bundle-set.js";
import { parseAndValidateJwtSvid, parseJwtSvidInsecure } from "./jwt-svid.js";
import { createTestCa, type TestCa } from "./testing/index.js";

const NOW = new Date("2026-12-03T12:00:00Z");
const NOW_S = NOW.getTime() / 1000;
const SUB = "spiffe://example.org/api";
const AUD = ["spiffe://example.org/nexus"];

const ca = createTestCa({ now: () => NOW });
const bundles = new JwtBundleSet(ca.jwtBundle());
const claims = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  sub: SUB,
  aud: AUD,
  exp: NOW_S + 300,
  iat: NOW_S,
  ...extra,
});
const validate = (token: string, at = NOW, aud = AUD): SpiffeErrorCode | null =>
  codeOf(() => parseAndValidateJwtSvid(token, bundles, aud, { now: at }));

function b64(o: unknown): string {
  return Buffer.from(typeof o === "string" ? o : JSON.stringify(o)).toString("base64url");
}

describe("parseAndValidateJwtSvid: accepts", () => {
  it("a SPIRE-shaped token and returns its parts", () => {
    const token = ca.issueJwtSvid(SUB, { audience: AUD[0] as string });
    const svid = parseAndValidateJwtSvid(token, bundles, AUD, { now: NOW, hint: "h" });
    expect(svid.id.toString()).toBe(SUB);
    expect(svid.audience).toEqual(AUD);
    expect(svid.expiry.toISOString()).toBe("2026-12-03T12:05:00.000Z");
    expect(svid.claims).toEqual({ sub: SUB, aud: AUD, exp: NOW_S + 300, iat: NOW_S });
    expect(svid.token).toBe(token);
    expect(svid.hint).toBe("h");
  });

  // One RSA CA signs all six RSA algorithms (the header's alg picks the scheme): RSA keygen is slow.
  const cas = new Map<string, TestCa>();
  it.each(JWT_SVID_ALGORITHMS.map((a) => [a]))("algorithm %s", (alg) => {
    const family = alg.startsWith("ES") ? alg : "RSA";
    const c = cas.get(family) ?? createTestCa({ now: () => NOW, jwtAlgorithm: alg });
    cas.set(family, c);
    const token = c.issueJwtSvid(SUB, { audience: AUD, header: { alg } });
    expect(JSON.parse(Buffer.from(token.split(".")[0] as string, "base64url").toString()).alg).toBe(alg);
    expect(parseAndValidateJwtSvid(token, c.jwtBundle(), AUD, { now: NOW }).id.toString()).toBe(SUB);
  });

  it("aud as a string, typ JOSE, typ absent, and any one of several expected audiences", () => {
    expect(validate(ca.signJwt(claims({ aud: AUD[0] })))).toBeNull();
    expect(validate(ca.signJwt(claims(), { typ: "JOSE" }))).toBeNull();
    expect(validate(ca.signJwt(claims(), { typ: undefined }))).toBeNull();
    expect(validate(ca.signJwt(claims({ aud: ["a", "b"] })), NOW, ["x", "b"])).toBeNull();
  });

  it("within the 60 s leeway for exp, nbf and iat", () => {
    expect(validate(ca.signJwt(claims({ exp: NOW_S - 60 })))).toBeNull();
    expect(validate(ca.signJwt(claims({ nbf: NOW_S + 60 })))).toBeNull();
    expect(validate(ca.signJwt(claims({ iat: NOW_S + 60 })))).toBeNull();
  });
});

describe("parseAndValidateJwtSvid: rejects", () => {
  it.each([
    ["exp beyond leeway", { exp: NOW_S - 61 }, "jwt_expired"],
    ["nbf beyond leeway", { nbf: NOW_S + 61 }, "jwt_not_yet_valid"],
    ["iat beyond leeway", { iat: NOW_S + 61 }, "jwt_not_yet_valid"],
    ["another audience", { aud: ["spiffe://example.org/other"] }, "jwt_audience"],
    ["missing sub", { sub: undefined }, "jwt_claims"],
    ["non-string sub", { sub: 7 }, "jwt_claims"],
    ["sub not a SPIFFE ID", { sub: "https://example.org/api" }, "jwt_claims"],
    ["sub with a dot segment", { sub: "spiffe://example.org/a/../b" }, "jwt_claims"],
    ["missing exp", { exp: undefined }, "jwt_claims"],
    ["string exp", { exp: "soon" }, "jwt_claims"],
    ["string nbf", { nbf: "now" }, "jwt_claims"],
    ["missing aud", { aud: undefined }, "jwt_claims"],
    ["empty aud list", { aud: [] }, "jwt_claims"],
    ["non-string aud", { aud: [1] }, "jwt_claims"],
  ] as const)("%s", (_n, extra, code) => {
    expect(validate(ca.signJwt(claims(extra)))).toBe(code);
  });

  it.each([
    ["alg none", { alg: "none" }, "jwt_algorithm"],
    ["alg HS256", { alg: "HS256" }, "jwt_algorithm"],
    ["alg EdDSA", { alg: "EdDSA" }, "jwt_algorithm"],
    ["alg missing", { alg: undefined }, "jwt_algorithm"],
    ["lower-case alg", { alg: "es256" }, "jwt_algorithm"],
    ["typ other than JWT/JOSE", { typ: "at+jwt" }, "jwt_header"],
    ["an extra header member", { jku: "https://evil.test/jwks" }, "jwt_header"],
    ["crit header", { crit: ["exp"] }, "jwt_header"],
    ["missing kid", { kid: undefined }, "jwt_header"],
    ["numeric kid", { kid: 1 }, "jwt_header"],
    ["unknown kid", { kid: "nope" }, "jwt_key_missing"],
  ] as const)("header with %s", (_n, header, code) => {
    expect(validate(ca.signJwt(claims(), header))).toBe(code);
  });

  it("a tampered payload or signature", () => {
    const [h, , s] = ca.signJwt(claims()).split(".") as [string, string, string];
    const forged = `${h}.${b64(claims({ sub: "spiffe://example.org/admin" }))}.${s}`;
    expect(validate(forged)).toBe("jwt_signature");
    const [h2, p2, s2] = ca.signJwt(claims()).split(".") as [string, string, string];
    const sig = Buffer.from(s2, "base64url");
    sig[5] = (sig[5] as number) ^ 1;
    expect(validate(`${h2}.${p2}.${sig.toString("base64url")}`)).toBe("jwt_signature");
  });

  it("a token signed by another CA with a colliding kid", () => {
    const other = createTestCa({ now: () => NOW });
    expect(validate(other.signJwt(claims(), { kid: ca.jwtKid }))).toBe("jwt_signature");
  });

  it("an ES256 signature in DER form (needs IEEE P1363)", () => {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const input = `${b64({ alg: "ES256", kid: "k" })}.${b64(claims())}`;
    const der = sign("sha256", Buffer.from(input), privateKey);
    const p1363 = sign("sha256", Buffer.from(input), { key: privateKey, dsaEncoding: "ieee-p1363" });
    const b = JwtBundle.fromKeys("example.org", { k: publicKey });
    expect(codeOf(() => parseAndValidateJwtSvid(`${input}.${der.toString("base64url")}`, b, AUD, { now: NOW }))).toBe(
      "jwt_signature",
    );
    expect(parseAndValidateJwtSvid(`${input}.${p1363.toString("base64url")}`, b, AUD, { now: NOW }).id.toString()).toBe(SUB);
  });

  it("an algorithm that does not fit the key (RS256 header, EC key)", () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const input = `${b64({ alg: "RS256", kid: ca.jwtKid })}.${b64(claims())}`;
    const sig = sign("sha256", Buffer.from(input), privateKey).toString("base64url");
    expect(() => parseAndValidateJwtSvid(`${input}.${sig}`, bundles, AUD, { now: NOW })).toThrow(/RS256 needs an rsa key/);
  });

  it("RSA keys shorter than 2048 bits", () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const input = `${b64({ alg: "RS256", kid: "k" })}.${b64(claims())}`;
    const sig = sign("sha256", Buffer.from(input), privateKey).toString("base64url");
    const b = JwtBundle.fromKeys("example.org", { k: publicKey });
    expect(codeOf(() => parseAndValidateJwtSvid(`${input}.${sig}`, b, AUD, { now: NOW }))).toBe("jwt_signature");
  });

  it("a subject whose trust domain has no bundle", () => {
    const partner = createTestCa({ trustDomain: "partner.test", now: () => NOW });
    expect(validate(partner.issueJwtSvid("spiffe://partner.test/x", { audience: AUD }))).toBe("bundle_missing");
    const both = new JwtBundleSet(ca.jwtBundle(), partner.jwtBundle());
    const token = partner.issueJwtSvid("spiffe://partner.test/x", { audience: AUD });
    expect(parseAndValidateJwtSvid(token, both, AUD, { now: NOW }).id.trustDomain.name).toBe("partner.test");
  });

  it("a token signed by the partner CA claiming our trust domain", () => {
    const partner = createTestCa({ trustDomain: "partner.test", now: () => NOW });
    const both = new JwtBundleSet(ca.jwtBundle(), partner.jwtBundle());
    const forged = partner.issueJwtSvid(SUB, { audience: AUD });
    expect(codeOf(() => parseAndValidateJwtSvid(forged, both, AUD, { now: NOW }))).toBe("jwt_key_missing");
  });

  it.each([
    ["empty", ""],
    ["two parts", "a.b"],
    ["four parts", "a.b.c.d"],
    ["JWS JSON serialization", '{"payload":"x","signatures":[]}'],
    ["non-base64url header", "e30+.e30.AAAA"],
    ["non-JSON header", `${b64("nope")}.e30.AAAA`],
    ["array header", `${b64([1])}.e30.AAAA`],
    ["empty signature", `${b64({ alg: "ES256", kid: "k" })}.${b64(claims())}.`],
  ])("malformed: %s", (_n, token) => {
    expect(validate(token)).toBe("jwt_malformed");
  });

  it("an empty expected audience list", () => {
    expect(validate(ca.signJwt(claims()), NOW, [])).toBe("jwt_audience");
  });

  it("checks the signature before the times (no oracle on expired forgeries)", () => {
    const other = createTestCa({ now: () => NOW });
    expect(validate(other.signJwt(claims({ exp: NOW_S - 1000 }), { kid: ca.jwtKid }))).toBe("jwt_signature");
  });

  it("never puts the token in an error message", () => {
    const token = ca.signJwt(claims({ exp: NOW_S - 1000 }));
    try {
      parseAndValidateJwtSvid(token, bundles, AUD, { now: NOW });
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).not.toContain(token.split(".")[2] as string);
      expect((e as Error).message).not.toContain(token.split(".")[1] as string);
      expect((e as Error).message).toBe('spiffe: jwt-svid of "spiffe://example.org/api" has expired (exp 2026-12-03T11:43:20.000Z)');
    }
  });

  it("hides the token when an SVID is inspected or serialised", () => {
    const token = ca.issueJwtSvid(SUB, { audience: AUD });
    const svid = parseAndValidateJwtSvid(token, bundles, AUD, { now: NOW });
    expect(JSON.stringify(svid)).not.toContain(token);
    expect(inspect(svid)).not.toContain(token);
    expect(inspect(svid)).toContain(SUB);
  });
});

describe("parseJwtSvidInsecure", () => {
  it("skips the signature and kid but checks claims and times", () => {
    const other = createTestCa({ now: () => NOW });
    const token = other.signJwt(claims(), { kid: undefined });
    expect(parseJwtSvidInsecure(token, AUD, { now: NOW }).id.toString()).toBe(SUB);
    expect(codeOf(() => parseJwtSvidInsecure(other.signJwt(claims({ exp: NOW_S - 100 })), AUD, { now: NOW }))).toBe(
      "jwt_expired",
    );
    expect(codeOf(() => parseJwtSvidInsecure(other.signJwt(claims()), ["x"], { now: NOW }))).toBe("jwt_audience");
    expect(codeOf(() => parseJwtSvidInsecure(other.signJwt(claims(), { alg: "none" }), AUD, { now: NOW }))).toBe(
      "jwt_algorithm",
    );
  });
});
