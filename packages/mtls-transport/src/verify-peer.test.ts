import { authorizeId, X509BundleSet } from "@spike-ts/spiffe";
import { createTestCa } from "@spike-ts/spiffe/testing";
import { describe, expect, it } from "vitest";
import { MtlsError } from "./errors.js";
import { verifyPeer } from "./verify-peer.js";

const HOUR = 3_600_000;
const ca = createTestCa({ trustDomain: "example.org" });
const other = createTestCa({ trustDomain: "other.org" });
const unknown = createTestCa({ trustDomain: "example.org" });
const bundles = new X509BundleSet(ca.bundle, other.bundle);
const PEER = "spiffe://example.org/peer";
const authorize = authorizeId(PEER);

function codeOf(chain: readonly Uint8Array[], now = new Date()): string {
  try {
    verifyPeer(chain, { bundles, authorize, now, role: "server" });
    return "ok";
  } catch (e) {
    if (!MtlsError.is(e)) throw e;
    expect(e.message).toMatch(/^mtls: (the )?client /);
    expect(e.message).not.toContain("PRIVATE KEY");
    expect(e.role).toBe("server");
    return e.code;
  }
}

describe("verifyPeer", () => {
  it("returns the ID and the verified chain up to the anchor", () => {
    const inter = ca.issueIntermediate();
    const issued = inter.issueSvid(PEER);
    const peer = verifyPeer(issued.certificates, { bundles, authorize, now: new Date(), role: "client" });
    expect(peer.id.toString()).toBe(PEER);
    expect(peer.verifiedChain).toHaveLength(3);
    expect(Buffer.from(peer.verifiedChain[2] ?? []).equals(Buffer.from(ca.rootDer))).toBe(true);
  });

  it("maps every broken rule to a code", () => {
    expect(codeOf([])).toBe("no_peer_certificate");
    expect(codeOf(ca.issueSvid("spiffe://example.org/other").certificates)).toBe("unauthorized");
    expect(codeOf(other.issueSvid("spiffe://other.org/peer").certificates)).toBe("unauthorized");
    expect(codeOf(createTestCa({ trustDomain: "nobundle.org" }).issueSvid("spiffe://nobundle.org/x").certificates)).toBe(
      "bundle_missing",
    );
    expect(codeOf(unknown.issueSvid(PEER).certificates)).toBe("chain_untrusted");
    expect(codeOf(ca.issueSvid(PEER, { selfSigned: true }).certificates)).toBe("chain_untrusted");
    expect(codeOf(ca.issueSvid(PEER, { wrongSigner: true }).certificates)).toBe("chain_untrusted");
    expect(codeOf(ca.issueSvid(PEER, { ca: true }).certificates)).toBe("invalid_peer_svid");
    expect(codeOf(ca.issueSvid(PEER, { uriSans: [] }).certificates)).toBe("invalid_peer_svid");
    expect(codeOf(ca.issueSvid(PEER, { uriSans: [PEER, "spiffe://example.org/b"] }).certificates)).toBe("invalid_peer_svid");
    expect(codeOf(ca.issueSvid(PEER, { uriSans: ["https://example.org/peer"] }).certificates)).toBe("invalid_peer_svid");
    expect(codeOf([new Uint8Array([0x30, 0x03, 0x01])])).toBe("invalid_peer_svid");
  });

  it("uses the injected time for validity", () => {
    const issued = ca.issueSvid(PEER, { ttlMs: HOUR });
    expect(codeOf(issued.certificates, new Date(issued.svid.notAfter.getTime() - 1_000))).toBe("ok");
    expect(codeOf(issued.certificates, new Date(issued.svid.notAfter.getTime() + 1_000))).toBe("expired");
    expect(codeOf(issued.certificates, new Date(issued.svid.notBefore.getTime() - 1_000))).toBe("not_yet_valid");
  });

  it("reads the bundle at call time, so a removed bundle takes effect at once", () => {
    const set = new X509BundleSet(ca.bundle);
    const chain = ca.issueSvid(PEER).certificates;
    const run = () => verifyPeer(chain, { bundles: set, authorize, now: new Date(), role: "client" });
    expect(run().id.toString()).toBe(PEER);
    set.remove("example.org");
    expect(run).toThrow(expect.objectContaining({ code: "bundle_missing", peerId: PEER, spiffeCode: "bundle_missing" }));
  });

  it("names the ID seen and the expectation when unauthorized", () => {
    const chain = ca.issueSvid("spiffe://example.org/intruder").certificates;
    try {
      verifyPeer(chain, { bundles, authorize, now: new Date(), role: "client" });
      expect.unreachable();
    } catch (e) {
      expect(MtlsError.is(e, "unauthorized")).toBe(true);
      const err = e as MtlsError;
      expect(err.peerId).toBe("spiffe://example.org/intruder");
      expect(err.expected).toContain(PEER);
      expect(err.message).toContain("mtls: server spiffe://example.org/intruder is not authorized");
    }
  });

  it("treats a malformed verdict as a refusal", () => {
    const chain = ca.issueSvid(PEER).certificates;
    const run = (authorizer: unknown) => () =>
      verifyPeer(chain, { bundles, authorize: authorizer as never, now: new Date(), role: "client" });
    expect(run(() => undefined)).toThrow(expect.objectContaining({ code: "unauthorized", expected: "the authorizer returned no verdict" }));
    expect(run(() => ({ allowed: "yes" }))).toThrow(expect.objectContaining({ code: "unauthorized" }));
  });

  it("treats an authorizer that throws as a refusal and keeps the cause", () => {
    const boom = new Error("boom");
    const chain = ca.issueSvid(PEER).certificates;
    const run = () =>
      verifyPeer(chain, {
        bundles,
        authorize: () => {
          throw boom;
        },
        now: new Date(),
        role: "client",
      });
    expect(run).toThrow(expect.objectContaining({ code: "unauthorized", cause: boom }));
  });
});
