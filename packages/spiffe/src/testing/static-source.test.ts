import { afterEach, describe, expect, it } from "vitest";
import { SpiffeError } from "../errors.js";
import { TrustDomain } from "../trust-domain.js";
import { X509BundleSet } from "../x509-bundle-set.js";
import { createStaticX509Source, type StaticX509Source } from "./static-source.js";
import { createTestCa } from "./test-ca.js";

let now = new Date("2026-12-03T12:00:00Z");
const clock = (): Date => now;
const sources: StaticX509Source[] = [];
afterEach(async () => {
  for (const s of sources.splice(0)) await s.close();
  now = new Date("2026-12-03T12:00:00Z");
});

describe("createStaticX509Source", () => {
  it("serves the SVID and bundles, and set() rotates and fires onUpdate", () => {
    const ca = createTestCa({ now: clock });
    const first = ca.issueSvid("spiffe://example.org/api").svid;
    const source = createStaticX509Source(first, ca.bundle, { now: clock });
    sources.push(source);
    expect(source.getX509Svid()).toBe(first);
    expect(source.getX509BundleForTrustDomain(ca.trustDomain)).toBe(ca.bundle);
    let calls = 0;
    const off = source.onUpdate(() => calls++);
    const second = ca.issueSvid("spiffe://example.org/api").svid;
    source.set(second);
    expect(calls).toBe(1);
    expect(source.getX509Svid()).toBe(second);
    const other = createTestCa({ trustDomain: "other.test", now: clock });
    source.set(second, new X509BundleSet(ca.bundle, other.bundle));
    expect(calls).toBe(2);
    expect(source.getX509BundleForTrustDomain(TrustDomain.parse("other.test"))).toBe(other.bundle);
    off();
    source.set(first);
    expect(calls).toBe(2);
  });

  it("calls every listener even if one throws, then rethrows", () => {
    const ca = createTestCa({ now: clock });
    const svid = ca.issueSvid("spiffe://example.org/a").svid;
    const source = createStaticX509Source(svid, ca.bundle, { now: clock });
    sources.push(source);
    const seen: string[] = [];
    source.onUpdate(() => {
      seen.push("a");
      throw new Error("listener a");
    });
    source.onUpdate(() => seen.push("b"));
    expect(() => source.set(svid)).toThrow("listener a");
    expect(seen).toEqual(["a", "b"]);
  });

  it("does not see later changes to the set it was given", () => {
    const ca = createTestCa({ now: clock });
    const set = new X509BundleSet(ca.bundle);
    const source = createStaticX509Source(ca.issueSvid("spiffe://example.org/a").svid, set, { now: clock });
    sources.push(source);
    set.remove("example.org");
    expect(source.getX509BundleForTrustDomain(ca.trustDomain)).toBe(ca.bundle);
  });

  it("refuses an expired SVID with svid_expired", () => {
    const ca = createTestCa({ now: clock });
    const source = createStaticX509Source(ca.issueSvid("spiffe://example.org/a", { ttlMs: 60_000 }).svid, ca.bundle, {
      now: clock,
    });
    sources.push(source);
    now = new Date(now.getTime() + 61_000);
    expect(() => source.getX509Svid()).toThrow(expect.objectContaining({ code: "svid_expired" }));
  });

  it("throws source_closed after close and drops listeners", async () => {
    const ca = createTestCa({ now: clock });
    const source = createStaticX509Source(ca.issueSvid("spiffe://example.org/a").svid, ca.bundle, { now: clock });
    await source.close();
    for (const fn of [
      () => source.getX509Svid(),
      () => source.getX509BundleForTrustDomain(ca.trustDomain),
      () => source.onUpdate(() => {}),
    ]) {
      try {
        fn();
        expect.unreachable();
      } catch (e) {
        expect(SpiffeError.is(e, "source_closed")).toBe(true);
      }
    }
  });
});
