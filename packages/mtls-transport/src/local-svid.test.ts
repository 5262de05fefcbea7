import { createStaticX509Source, createTestCa } from "@spike-ts/spiffe/testing";
import { describe, expect, it } from "vitest";
import { currentSvid, sameLeaf, svidPem } from "./local-svid.js";

const ca = createTestCa();

describe("currentSvid", () => {
  it("returns the source's SVID", () => {
    const svid = ca.issueSvid("spiffe://example.org/a").svid;
    expect(currentSvid(createStaticX509Source(svid, ca.bundle), new Date(), "client")).toBe(svid);
  });

  it("refuses an expired SVID by the injected clock, even if the source hands it out", () => {
    const svid = ca.issueSvid("spiffe://example.org/a", { ttlMs: 60_000 }).svid;
    const source = createStaticX509Source(svid, ca.bundle);
    expect(() => currentSvid(source, new Date(svid.notAfter.getTime() + 1), "client")).toThrow(
      expect.objectContaining({ code: "svid_expired" }),
    );
  });

  it("fails closed when the injected clock returns an invalid Date (it would hide expiry)", () => {
    const svid = ca.issueSvid("spiffe://example.org/a", { notBefore: new Date(0), notAfter: new Date(1000) }).svid;
    const source = createStaticX509Source(svid, ca.bundle, { now: () => new Date(500) });
    expect(() => currentSvid(source, new Date(Number.NaN), "client")).toThrow(
      expect.objectContaining({ code: "invalid_options", role: "client" }),
    );
  });

  it("maps the source's own svid_expired and source_closed", async () => {
    const svid = ca.issueSvid("spiffe://example.org/a", { ttlMs: 60_000 }).svid;
    const later = () => new Date(svid.notAfter.getTime() + 1);
    expect(() => currentSvid(createStaticX509Source(svid, ca.bundle, { now: later }), new Date(), "server")).toThrow(
      expect.objectContaining({ code: "svid_expired", spiffeCode: "svid_expired", role: "server" }),
    );
    const closed = createStaticX509Source(svid, ca.bundle);
    await closed.close();
    expect(() => currentSvid(closed, new Date(), "server")).toThrow(expect.objectContaining({ code: "no_svid", spiffeCode: "source_closed" }));
  });
});

describe("svidPem and sameLeaf", () => {
  it("converts once per SVID and compares leaves by bytes", () => {
    const a = ca.issueSvid("spiffe://example.org/a");
    const b = ca.issueSvid("spiffe://example.org/a");
    const pem = svidPem(a.svid);
    expect(pem.cert).toContain("BEGIN CERTIFICATE");
    expect(pem.key).toContain("BEGIN PRIVATE KEY");
    expect(svidPem(a.svid)).toBe(pem);
    expect(sameLeaf(a.svid, a.svid)).toBe(true);
    expect(sameLeaf(a.svid, { ...a.svid, certificates: [new Uint8Array(a.certificates[0] ?? [])] } as never)).toBe(true);
    expect(sameLeaf(a.svid, b.svid)).toBe(false);
    expect(sameLeaf(a.svid, undefined)).toBe(false);
  });
});
