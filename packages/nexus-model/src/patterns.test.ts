import { describe, expect, it } from "vitest";
import { compileRe2, findRegexDialectNotes, isRuleViolation, validatePathPattern, validateSpiffeIdPattern } from "./patterns.js";

describe("validateSpiffeIdPattern", () => {
  it.each([
    "^spiffe://example\\.org/web$",
    "spiffe://example.org/web",
    "^spiffe://.*$",
    "spiffe://example.org",
    "^spiffe://example\\.org/(web|api)$".replace("|", ""), // sanity: no | allowed, see below
    "^spiffe://example\\.org/ns/[a-z]+/sa/.*",
    "spiffe://a.org/x_y/z-1$",
    "spiffe://a.org//x", // the path class includes "/"
  ])("accepts %j", (p) => {
    expect(validateSpiffeIdPattern(p)).toBeUndefined();
  });

  it.each([
    ".*",
    "",
    "^^spiffe://a.org",
    "spiffe://a.org/x$$",
    "^spiffe://example\\.org/(web|api)$",
    "^spiffe://a.org/{1,2}",
    "spiffe://a.org/x,y",
    "spiffe://a.org:8080/x",
    "spiffe://a.org/x y",
    "SPIFFE://a.org",
    "spiffe://a_b.org",
  ])("refuses %j", (p) => {
    const v = validateSpiffeIdPattern(p);
    expect(v?.code).toBe("spiffeid_pattern_invalid");
    expect(v?.status).toBe(400);
  });
});

describe("validatePathPattern", () => {
  it.each(["^apps/web/.*$", "db", ".*", "^secrets/(a|b){2}$", "a\\.b", "^$"])("accepts %j", (p) => {
    expect(validatePathPattern(p)).toBeUndefined();
  });
  it.each(["", "a b", "a:b", "a,b", "x{1,2}" /* "," is outside the rule, so counted repeats are refused */, "ü", "a=b", "a".repeat(501)])("refuses %j", (p) => {
    expect(validatePathPattern(p)?.code).toBe("path_pattern_invalid");
  });
});

describe("compileRe2 (Go RE2 semantics)", () => {
  it("matches unanchored as Go MatchString does", () => {
    const p = compileRe2("db");
    if (isRuleViolation(p)) throw new Error("expected a pattern");
    expect(p.test("apps/db/x")).toBe(true);
    expect(p.test("apps/web")).toBe(false);
    expect(p.testFull("apps/db/x")).toBe(false);
    expect(p.testFull("db")).toBe(true);
  });

  it("returns the same frozen compiled pattern for the same source", () => {
    const a = compileRe2("^cache/me$");
    expect(compileRe2("^cache/me$")).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
  });

  it("keeps the user's anchors only", () => {
    const p = compileRe2("^apps/");
    if (isRuleViolation(p)) throw new Error("expected a pattern");
    expect(p.test("apps/web/db")).toBe(true);
    expect(p.test("x/apps/web")).toBe(false);
  });

  it("full match wraps alternations in a group", () => {
    const p = compileRe2("a|spike/system/acl");
    if (isRuleViolation(p)) throw new Error("expected a pattern");
    expect(p.testFull("spike/system/acl")).toBe(true);
    expect(p.testFull("a/spike/system/acl")).toBe(false);
  });

  it.each(["\\1", "(a", "a**", "a{1001}", "[z-a]"])("refuses %j with a 500 like Nexus", (src) => {
    const v = compileRe2(src);
    expect(isRuleViolation(v)).toBe(true);
    if (!isRuleViolation(v)) return;
    expect(v.code).toBe("regex_invalid");
    expect(v.status).toBe(500);
    expect(v.message).toMatch(/^nexus-model: .* is not a valid go re2 regex \(.+\); nexus answers 500 for it$/);
  });

  it("accepts RE2-only syntax that JavaScript refuses or reads differently", () => {
    for (const src of ["(?i)abc", "\\Qa.b\\E", "\\pL", "\\Aabc\\z", "[[:alpha:]]", "(?P<n>a)"]) {
      expect(isRuleViolation(compileRe2(src))).toBe(false);
    }
    const ci = compileRe2("(?i)^APPS/");
    if (isRuleViolation(ci)) throw new Error("expected a pattern");
    expect(ci.test("apps/x")).toBe(true);
    const q = compileRe2("\\Qa.b\\E");
    if (isRuleViolation(q)) throw new Error("expected a pattern");
    expect(q.test("a.b")).toBe(true);
    expect(q.test("axb")).toBe(false);
    expect(() => new RegExp("(?i)abc")).toThrow();
  });

  it("`.` does not match a newline and `$` is end of text, as in Go", () => {
    const dot = compileRe2("^a.b$");
    if (isRuleViolation(dot)) throw new Error("expected a pattern");
    expect(dot.test("a\nb")).toBe(false);
    expect(dot.test("axb")).toBe(true);
  });
});

describe("findRegexDialectNotes", () => {
  it("points at each construct with its index", () => {
    const notes = findRegexDialectNotes("(?i)a\\1[[:alpha:]]");
    expect(notes.map((n) => [n.index, n.construct])).toEqual([
      [0, "(?i)"],
      [5, "\\1"],
      [7, "[[:alpha:]]"],
    ]);
    expect(notes[1]?.note).toContain("re2 refuses it");
  });
  it("ignores escaped backslashes and plain patterns", () => {
    expect(findRegexDialectNotes("a\\\\1")).toEqual([]);
    expect(findRegexDialectNotes("^apps/web/.*$")).toEqual([]);
  });
});
