import { describe, expect, it } from "vitest";
import { SpiffeId, parseX509Svid, verifyX509Svid, parseAndValidateJwtSvid, X509BundleSet } from "./index.js";
import { createTestCa, createStaticX509Source } from "./testing/index.js";

describe("smoke", () => {
  it("issues, parses and verifies", () => {
    const ca = createTestCa();
    const issued = ca.issueSvid("spiffe://example.org/api");
    const svid = parseX509Svid(issued.chainDer, issued.keyDer);
    expect(svid.id.toString()).toBe("spiffe://example.org/api");
    const r = verifyX509Svid(svid.certificates, new X509BundleSet(ca.bundle));
    expect(r.id.path).toBe("/api");
    expect(r.verifiedChain.length).toBe(2);
    const inter = ca.issueIntermediate().issueIntermediate();
    const i2 = inter.issueSvid("spiffe://example.org/x");
    expect(verifyX509Svid(i2.certificates, ca.bundle).verifiedChain.length).toBe(4);
    const tok = ca.issueJwtSvid("spiffe://example.org/api", { audience: "nexus" });
    expect(parseAndValidateJwtSvid(tok, ca.jwtBundle(), ["nexus"]).id.toString()).toBe("spiffe://example.org/api");
    const src = createStaticX509Source(svid, ca.bundle);
    expect(src.getX509Svid()).toBe(svid);
    expect(SpiffeId.parse("spiffe://a/b").path).toBe("/b");
  });
});
