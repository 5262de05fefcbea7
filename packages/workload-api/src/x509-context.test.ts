import { createTestCa } from "@spike-ts/spiffe/testing";
import { describe, expect, it } from "vitest";
import { WorkloadApiError } from "./errors.js";
import type { X509SvidMessage, X509SvidResponseMessage } from "./proto/messages.js";
import { parseX509BundlesResponse, parseX509SvidResponse, x509ContextFingerprint } from "./x509-context.js";

const ca = createTestCa();
const partner = createTestCa({ trustDomain: "partner.org" });

function entry(id: string, hint = "", over: Partial<X509SvidMessage> = {}): X509SvidMessage {
  const s = ca.issueSvid(id);
  return {
    spiffe_id: id,
    x509_svid: Buffer.from(s.chainDer),
    x509_svid_key: Buffer.from(s.keyDer),
    bundle: Buffer.from(ca.rootDer),
    hint,
    ...over,
  };
}

function response(svids: X509SvidMessage[], federated: Record<string, Buffer> = {}): X509SvidResponseMessage {
  return { svids, crl: [], federated_bundles: federated };
}

function parseError(msg: X509SvidResponseMessage): WorkloadApiError {
  try {
    parseX509SvidResponse(msg);
  } catch (e) {
    if (WorkloadApiError.is(e, "malformed_response")) return e;
    throw e;
  }
  throw new Error("expected malformed_response");
}

describe("parseX509SvidResponse", () => {
  it("parses SVIDs in order, files bundles by trust domain, default = first", () => {
    const ctx = parseX509SvidResponse(
      response([entry("spiffe://example.org/a", "x"), entry("spiffe://example.org/b")], {
        "spiffe://partner.org": Buffer.from(partner.rootDer),
        "bare.org": Buffer.alloc(0),
      }),
    );
    expect(ctx.svids.map((s) => [s.id.toString(), s.hint])).toEqual([["spiffe://example.org/a", "x"], ["spiffe://example.org/b", ""]]);
    expect(ctx.defaultSvid).toBe(ctx.svids[0]);
    expect(ctx.bundles.bundles().map((b) => [b.trustDomain.name, b.authorities.length])).toEqual([
      ["bare.org", 0],
      ["example.org", 1],
      ["partner.org", 1],
    ]);
  });

  it("drops later entries repeating a non-empty hint, never empty hints", () => {
    const ctx = parseX509SvidResponse(
      response([entry("spiffe://example.org/a", "h"), entry("spiffe://example.org/b", "h"), entry("spiffe://example.org/c"), entry("spiffe://example.org/d")]),
    );
    expect(ctx.svids.map((s) => s.id.toString())).toEqual(["spiffe://example.org/a", "spiffe://example.org/c", "spiffe://example.org/d"]);
  });

  it.each([
    ["no SVIDs", response([]), /no SVIDs in response/],
    ["bad spiffe_id", response([entry("spiffe://example.org/a", "", { spiffe_id: "nope" })]), /svids\[0\]\.spiffe_id is not a SPIFFE ID/],
    ["garbage DER", response([entry("spiffe://example.org/a", "", { x509_svid: Buffer.from([1, 2, 3]) })]), /not a valid X.509-SVID/],
    [
      "mismatched key",
      response([entry("spiffe://example.org/a", "", { x509_svid_key: Buffer.from(ca.issueSvid("spiffe://example.org/a").keyDer) })]),
      /not a valid X.509-SVID/,
    ],
    ["id mismatch", response([entry("spiffe://example.org/a", "", { spiffe_id: "spiffe://example.org/b" })]), /differs from the certificate's URI SAN spiffe:\/\/example.org\/a/],
    ["empty bundle", response([entry("spiffe://example.org/a", "", { bundle: Buffer.alloc(0) })]), /empty trust bundle/],
    ["bad federated key", response([entry("spiffe://example.org/a")], { "spiffe://Bad": Buffer.alloc(0) }), /bundle key "spiffe:\/\/Bad" is not a trust domain/],
    ["bad federated DER", response([entry("spiffe://example.org/a")], { "spiffe://p.org": Buffer.from([0x30, 0x82]) }), /federated bundle of p.org/],
  ])("rejects %s", (_name, msg, why) => {
    const e = parseError(msg);
    expect(e.message).toMatch(why);
    expect(e.message).toMatch(/^workload-api: malformed FetchX509SVID response: /);
    expect(e.message).not.toMatch(/PRIVATE KEY/);
  });

  it("fingerprints identical content identically and changed content differently", () => {
    const msg = response([entry("spiffe://example.org/a")]);
    expect(x509ContextFingerprint(parseX509SvidResponse(msg))).toBe(x509ContextFingerprint(parseX509SvidResponse(msg)));
    expect(x509ContextFingerprint(parseX509SvidResponse(msg))).not.toBe(x509ContextFingerprint(parseX509SvidResponse(response([entry("spiffe://example.org/a")]))));
  });
});

describe("parseX509BundlesResponse", () => {
  it("parses every trust domain; empty values are empty bundles", () => {
    const set = parseX509BundlesResponse({ crl: [], bundles: { "spiffe://example.org": Buffer.from(ca.rootDer), "partner.org": Buffer.alloc(0) } });
    expect(set.get("example.org")?.equals(ca.bundle)).toBe(true);
    expect(set.get("partner.org")?.isEmpty()).toBe(true);
  });
  it("rejects an empty map", () => {
    expect(() => parseX509BundlesResponse({ crl: [], bundles: {} })).toThrowError(/no bundles in response/);
  });
});

describe("BundleParseCache", () => {
  it("reuses unchanged bundles across messages and drops unused ones", async () => {
    const { BundleParseCache } = await import("./x509-context.js");
    const cache = new BundleParseCache();
    const a = parseX509SvidResponse(response([entry("spiffe://example.org/a")]), cache);
    const b = parseX509SvidResponse(response([entry("spiffe://example.org/a")]), cache);
    expect(b.bundles.get("example.org")).toBe(a.bundles.get("example.org"));
    const other = createTestCa();
    const c = parseX509SvidResponse(response([entry("spiffe://example.org/a", "", { bundle: Buffer.from(other.rootDer) })]), cache);
    expect(c.bundles.get("example.org")).not.toBe(a.bundles.get("example.org"));
    parseX509SvidResponse(response([entry("spiffe://example.org/a", "", { bundle: Buffer.from(other.rootDer) })]), cache);
    const d = parseX509SvidResponse(response([entry("spiffe://example.org/a")]), cache);
    expect(d.bundles.get("example.org")).not.toBe(a.bundles.get("example.org"));
    expect(d.bundles.get("example.org")?.equals(a.bundles.get("example.org") as never)).toBe(true);
  });
});
