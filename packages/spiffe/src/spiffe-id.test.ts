import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { codeOf } from "../test/error-code.js";
import { SpiffeError, type SpiffeErrorCode } from "./errors.js";
import { SpiffeId, validatePath, validatePathSegment } from "./spiffe-id.js";
import { TrustDomain } from "./trust-domain.js";

const A = (n: number): string => "a".repeat(n);

// Spec workload-api.md section 3.3, all 38 vectors. `null` = valid.
const vectors: Array<[number, string, SpiffeErrorCode | null]> = [
  [1, "spiffe://example.org", null],
  [2, "spiffe://example.org/workload", null],
  [3, "spiffe://example.org/ns/default/sa/web", null],
  [4, "spiffe://td/Path_With-UPPER.case-09", null],
  [5, "spiffe://my_trust-domain.v2.example/x", null],
  [6, "spiffe://10.0.0.1/svc", null],
  [7, "spiffe://123/456", null],
  [8, "spiffe://example.org/.hidden", null],
  [9, "spiffe://example.org/...", null],
  [10, "spiffe://example.org/a..b", null],
  [11, "spiffe://example.org/a/b/c/d/e/f/g/h/i/j/k", null],
  [12, `spiffe://example.org/${A(2027)}`, null],
  [13, "", "id_empty"],
  [14, "example.org/workload", "id_scheme"],
  [15, "https://example.org/workload", "id_scheme"],
  [16, "SPIFFE://example.org/workload", "id_scheme"],
  [17, "spiffe:/example.org/workload", "id_scheme"],
  [18, "spiffe://", "td_missing"],
  [19, "spiffe:///workload", "td_missing"],
  [20, "spiffe://Example.org/workload", "td_chars"],
  [21, "spiffe://example.org:8443/workload", "td_chars"],
  [22, "spiffe://user@example.org/workload", "td_chars"],
  [23, "spiffe://[::1]/workload", "td_chars"],
  [24, "spiffe://exa%6Dple.org/w", "td_chars"],
  [25, "spiffe://exa mple.org/w", "td_chars"],
  [26, "spiffe://example.org#frag", "td_chars"],
  [27, "spiffe://example.org/", "path_trailing_slash"],
  [28, "spiffe://example.org/workload/", "path_trailing_slash"],
  [29, "spiffe://example.org//workload", "path_empty_segment"],
  [30, "spiffe://example.org/./workload", "path_dot_segment"],
  [31, "spiffe://example.org/a/../b", "path_dot_segment"],
  [32, "spiffe://example.org/workload/..", "path_dot_segment"],
  [33, "spiffe://example.org/work%20load", "path_chars"],
  [34, "spiffe://example.org/workload?x=1", "path_chars"],
  [35, "spiffe://example.org/workload#frag", "path_chars"],
  [36, "spiffe://example.org/wörk", "path_chars"],
  [37, "spiffe://example.org/work load", "path_chars"],
  // Decision (README): the 2048-byte limit is enforced when parsing.
  [38, `spiffe://example.org/${A(2028)}`, "id_too_long"],
];

describe("SpiffeId.parse: spec vectors", () => {
  it("has all 38 vectors", () => {
    expect(vectors.map((v) => v[0])).toEqual(Array.from({ length: 38 }, (_, i) => i + 1));
    expect(vectors[11]?.[1].length).toBe(2048);
    expect(vectors[37]?.[1].length).toBe(2049);
  });

  it.each(vectors)("vector %i: %j -> %s", (_n, input, want) => {
    expect(codeOf(() => SpiffeId.parse(input))).toBe(want);
    if (want === null) expect(SpiffeId.parse(input).toString()).toBe(input);
  });
});

describe("SpiffeId.parse: parts and messages", () => {
  it("splits trust domain and path without normalising", () => {
    const id = SpiffeId.parse("spiffe://example.org/ns/Default/sa/web");
    expect(id.trustDomain.name).toBe("example.org");
    expect(id.path).toBe("/ns/Default/sa/web");
    expect(id.segments()).toEqual(["ns", "Default", "sa", "web"]);
    expect(id.toString()).toBe("spiffe://example.org/ns/Default/sa/web");
    expect(JSON.stringify({ id })).toBe('{"id":"spiffe://example.org/ns/Default/sa/web"}');
    expect(id.isTrustDomainId()).toBe(false);
  });

  it("keeps a trust domain ID with an empty path", () => {
    const id = SpiffeId.parse("spiffe://example.org");
    expect(id.path).toBe("");
    expect(id.segments()).toEqual([]);
    expect(id.isTrustDomainId()).toBe(true);
  });

  it("never resolves dot segments or percent-decodes (unlike WHATWG URL)", () => {
    expect(new URL("spiffe://example.org/a/../b").href).toBe("spiffe://example.org/b");
    expect(codeOf(() => SpiffeId.parse("spiffe://example.org/a/../b"))).toBe("path_dot_segment");
    expect(codeOf(() => SpiffeId.parse("spiffe://example.org/%61dmin"))).toBe("path_chars");
  });

  it("names the rule in the message", () => {
    expect(() => SpiffeId.parse("spiffe://example.org/a/../b")).toThrow(/^spiffe: path cannot contain dot segments/);
    expect(() => SpiffeId.parse("spiffe://Example.org")).toThrow(/trust domain characters are limited to lowercase/);
    expect(() => SpiffeId.parse("http://x")).toThrow(/scheme is missing or invalid/);
    expect(() => SpiffeId.parse("")).toThrow("spiffe: spiffe id cannot be empty");
  });

  it("cuts long inputs in messages", () => {
    try {
      SpiffeId.parse(`spiffe://example.org/${A(1000)}/..`);
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message.length).toBeLessThan(250);
    }
  });

  it("rejects non-strings with invalid_argument", () => {
    expect(codeOf(() => SpiffeId.parse(42 as unknown as string))).toBe("invalid_argument");
  });

  it("rejects control characters, NUL, backslash and non-ASCII in the trust domain", () => {
    for (const td of ["exa\u0000mple", "ex\\a", "éxample", "ex\tample", "ex+ample"]) {
      expect(codeOf(() => SpiffeId.parse(`spiffe://${td}/w`))).toBe("td_chars");
    }
  });

  it("enforces the 255-byte trust domain limit", () => {
    expect(SpiffeId.parse(`spiffe://${A(255)}/w`).trustDomain.name.length).toBe(255);
    expect(codeOf(() => SpiffeId.parse(`spiffe://${A(256)}/w`))).toBe("td_too_long");
    expect(codeOf(() => TrustDomain.parse(A(256)))).toBe("td_too_long");
  });

  it("rejects a multi-byte ID just under 2049 UTF-16 units by its characters", () => {
    const text = `spiffe://example.org/${"é".repeat(1000)}`;
    expect(codeOf(() => SpiffeId.parse(text))).toBe("path_chars");
  });
});

describe("TrustDomain.parse", () => {
  const tdVectors: Array<[string, string | SpiffeErrorCode]> = [
    ["example.org", "example.org"],
    ["spiffe://example.org", "example.org"],
    ["spiffe://example.org/path", "example.org"],
    ["", "td_missing"],
    ["Example.org", "td_chars"],
    ["spiffe:/example.org", "id_scheme"],
  ];
  it.each(tdVectors)("%j -> %s", (input, want) => {
    const code = codeOf(() => TrustDomain.parse(input));
    if (code === null) expect(TrustDomain.parse(input).name).toBe(want);
    else expect(code).toBe(want);
  });

  it("has name, string and ID forms, and compares by name", () => {
    const td = TrustDomain.parse("example.org");
    expect(td.toString()).toBe("example.org");
    expect(td.idString()).toBe("spiffe://example.org");
    expect(JSON.stringify(td)).toBe('"example.org"');
    expect(td.equals(TrustDomain.parse("spiffe://example.org/x"))).toBe(true);
    expect(td.equals(TrustDomain.parse("example.com"))).toBe(false);
    expect(TrustDomain.parse("a").compare(TrustDomain.parse("b"))).toBe(-1);
  });

  it("rejects an ID's path errors when given an ID", () => {
    expect(codeOf(() => TrustDomain.parse("spiffe://example.org/a/"))).toBe("path_trailing_slash");
  });

  it("rejects ports and slashes in a bare name", () => {
    expect(codeOf(() => TrustDomain.parse("example.org:443"))).toBe("td_chars");
    expect(codeOf(() => TrustDomain.parse("example.org/x"))).toBe("td_chars");
  });
});

describe("segments and paths", () => {
  it.each([
    ["a.b-c_D9", null],
    ["", "path_empty_segment"],
    [".", "path_dot_segment"],
    ["..", "path_dot_segment"],
    ["a/b", "path_chars"],
  ] as const)("segment %j -> %s", (seg, want) => {
    expect(codeOf(() => validatePathSegment(seg))).toBe(want);
  });

  it.each([
    ["", null],
    ["/a", null],
    ["a", "path_no_leading_slash"],
    ["/", "path_trailing_slash"],
    ["/a//b", "path_empty_segment"],
    ["/a/.", "path_dot_segment"],
  ] as const)("path %j -> %s", (path, want) => {
    expect(codeOf(() => validatePath(path))).toBe(want);
  });

  it("builds IDs from a path or segments", () => {
    const td = TrustDomain.parse("example.org");
    expect(SpiffeId.fromPath(td, "/a/b").toString()).toBe("spiffe://example.org/a/b");
    expect(SpiffeId.fromPath("example.org", "").toString()).toBe("spiffe://example.org");
    expect(SpiffeId.fromSegments("example.org", "ns", "web").toString()).toBe("spiffe://example.org/ns/web");
    expect(codeOf(() => SpiffeId.fromPath(td, "a"))).toBe("path_no_leading_slash");
    expect(codeOf(() => SpiffeId.fromSegments(td, "a/b"))).toBe("path_chars");
    expect(codeOf(() => SpiffeId.fromPath(td, `/${A(2040)}`))).toBe("id_too_long");
  });
});

describe("membership and equality", () => {
  it("memberOf takes a TrustDomain or a name", () => {
    const id = SpiffeId.parse("spiffe://example.org/w");
    expect(id.memberOf(TrustDomain.parse("example.org"))).toBe(true);
    expect(id.memberOf("example.org")).toBe(true);
    expect(id.memberOf("example.org.evil")).toBe(false);
    expect(SpiffeId.parse("spiffe://example.org.evil/w").memberOf("example.org")).toBe(false);
  });

  it("equals compares the canonical string", () => {
    expect(SpiffeId.parse("spiffe://a/b").equals(SpiffeId.parse("spiffe://a/b"))).toBe(true);
    expect(SpiffeId.parse("spiffe://a/b").equals(SpiffeId.parse("spiffe://a/B"))).toBe(false);
    expect(SpiffeId.from("spiffe://a/b").equals(SpiffeId.fromSegments("a", "b"))).toBe(true);
  });
});

const tdChar = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789.-_".split(""));
const segChar = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_".split(""));
const trustDomainArb = fc.string({ unit: tdChar, minLength: 1, maxLength: 40 });
const segmentArb = fc
  .string({ unit: segChar, minLength: 1, maxLength: 12 })
  .filter((s) => s !== "." && s !== "..");

describe("properties", () => {
  it("parse(format(td, segments)) round-trips", () => {
    fc.assert(
      fc.property(trustDomainArb, fc.array(segmentArb, { maxLength: 8 }), (td, segs) => {
        const text = `spiffe://${td}${segs.map((s) => `/${s}`).join("")}`;
        const id = SpiffeId.parse(text);
        expect(id.toString()).toBe(text);
        expect(id.trustDomain.name).toBe(td);
        expect(id.segments()).toEqual(segs);
        expect(SpiffeId.fromSegments(td, ...segs).equals(id)).toBe(true);
        expect(TrustDomain.parse(td).name).toBe(td);
      }),
      { numRuns: 500 },
    );
  });

  it("arbitrary strings never throw anything but SpiffeError", () => {
    const anyText = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.string({ unit: "binary", maxLength: 80 }),
      fc.string({ maxLength: 60 }).map((s) => `spiffe://${s}`),
      fc.string({ maxLength: 60 }).map((s) => `spiffe://example.org/${s}`),
    );
    fc.assert(
      fc.property(anyText, (text) => {
        for (const fn of [() => SpiffeId.parse(text), () => TrustDomain.parse(text), () => validatePath(text)]) {
          try {
            fn();
          } catch (e) {
            expect(SpiffeError.is(e)).toBe(true);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("an accepted ID is exactly its own canonical form and contains only allowed bytes", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }).map((s) => `spiffe://example.org/${s}`), (text) => {
        const code = codeOf(() => SpiffeId.parse(text));
        if (code === null) {
          expect(/^spiffe:\/\/example\.org(\/[A-Za-z0-9._-]+)+$/.test(text)).toBe(true);
          expect(text.split("/").slice(3).some((s) => s === "." || s === "..")).toBe(false);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe("values from another copy of the package", () => {
  it("are accepted by from() and equals() after re-validation", () => {
    const foreignTd = { name: "example.org" } as unknown as TrustDomain;
    expect(TrustDomain.from(foreignTd).idString()).toBe("spiffe://example.org");
    expect(TrustDomain.parse("example.org").equals(foreignTd)).toBe(true);
    const foreignId = { trustDomain: foreignTd, path: "/a", toString: () => "spiffe://example.org/a" } as unknown as SpiffeId;
    expect(SpiffeId.from(foreignId).path).toBe("/a");
    expect(SpiffeId.parse("spiffe://example.org/a").equals(foreignId)).toBe(true);
    const forged = { trustDomain: foreignTd, path: "/../x", toString: () => "spiffe://example.org/../x" } as unknown as SpiffeId;
    expect(() => SpiffeId.from(forged)).toThrow(expect.objectContaining({ code: "path_dot_segment" }));
  });
});
