import { createTestCa } from "@spike-ts/spiffe/testing";
import { describe, expect, it } from "vitest";
import { audienceList, parseJwtBundlesResponse, parseJwtSvidResponse, subjectString } from "./jwt.js";

const ca = createTestCa();
const now = () => new Date();

describe("JWT response parsing", () => {
  it("parses tokens (no signature check), keeps hints, drops hint duplicates", () => {
    const a = ca.issueJwtSvid("spiffe://example.org/a", { audience: "db" });
    const b = ca.issueJwtSvid("spiffe://example.org/b", { audience: "db" });
    const svids = parseJwtSvidResponse(
      { svids: [{ spiffe_id: "spiffe://example.org/a", svid: a, hint: "h" }, { spiffe_id: "spiffe://example.org/b", svid: b, hint: "h" }] },
      ["db"],
      now,
    );
    expect(svids.map((s) => [s.id.toString(), s.hint, s.token === a])).toEqual([["spiffe://example.org/a", "h", true]]);
  });

  it("rejects empty responses, wrong audience, expired tokens and subject mismatch", () => {
    const t = ca.issueJwtSvid("spiffe://example.org/a", { audience: "db" });
    expect(() => parseJwtSvidResponse({ svids: [] }, ["db"], now)).toThrowError(/no SVIDs/);
    expect(() => parseJwtSvidResponse({ svids: [{ spiffe_id: "", svid: t, hint: "" }] }, ["other"], now)).toThrowError(/not a valid JWT-SVID/);
    expect(() => parseJwtSvidResponse({ svids: [{ spiffe_id: "", svid: t, hint: "" }] }, ["db"], () => new Date(Date.now() + 3_600_000))).toThrowError(
      /not a valid JWT-SVID/,
    );
    expect(() => parseJwtSvidResponse({ svids: [{ spiffe_id: "spiffe://example.org/z", svid: t, hint: "" }] }, ["db"], now)).toThrowError(/differs from the token subject/);
  });

  it("parses JWT bundles and rejects broken JWKS", () => {
    const set = parseJwtBundlesResponse({ bundles: { "spiffe://example.org": Buffer.from(ca.jwksJson()) } });
    expect(set.get("example.org")?.findKey(ca.jwtKid)).toBeDefined();
    expect(() => parseJwtBundlesResponse({ bundles: { "spiffe://example.org": Buffer.from("{") } })).toThrowError(/not a valid JWK Set/);
    expect(() => parseJwtBundlesResponse({ bundles: {} })).toThrowError(/no bundles/);
  });

  it("builds audience lists and checks subjects", () => {
    expect(audienceList({ audience: "a", extraAudiences: ["b"] })).toEqual(["a", "b"]);
    expect(() => audienceList({ audience: [""] })).toThrowError(/non-empty audience/);
    expect(subjectString(undefined)).toBe("");
    expect(subjectString("spiffe://example.org/x")).toBe("spiffe://example.org/x");
    expect(() => subjectString("spiffe://example.org/../x")).toThrowError(/not a SPIFFE ID/);
  });
});
