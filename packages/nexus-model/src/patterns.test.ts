import { describe, expect, it } from "vitest";
import { compileRe2, findRegexDialectNotes, isRuleViolation, type Re2Pattern, validatePathPattern, validateSpiffeIdPattern } from "./patterns.js";

/** Compiles `src`, failing the test with the violation's message when it does not compile. */
function compiled(src: string): Re2Pattern {
  const p = compileRe2(src);
  if (isRuleViolation(p)) throw new Error(`expected ${JSON.stringify(src)} to compile, got ${p.message}`);
  return p;
}

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
    const p = compiled("db");
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
    const p = compiled("^apps/");
    expect(p.test("apps/web/db")).toBe(true);
    expect(p.test("x/apps/web")).toBe(false);
  });

  it("full match wraps alternations in a group", () => {
    const p = compiled("a|spike/system/acl");
    expect(p.testFull("spike/system/acl")).toBe(true);
    expect(p.testFull("a/spike/system/acl")).toBe(false);
  });

  it("accepts an unterminated \\Q like Go (it quotes to the end of the pattern) and full-matches it", () => {
    const q = compiled("\\Qspike/system/acl");
    expect(q.test("x/spike/system/acl/y")).toBe(true);
    expect(q.testFull("spike/system/acl")).toBe(true);
    expect(q.testFull("spike/system/acl)$")).toBe(false);
    expect(q.testFull("x/spike/system/acl")).toBe(false);
    // Metacharacters after \Q are literal, including a ")" and "$" of the pattern's own.
    const meta = compiled("^a\\Q.*)$");
    expect(meta.testFull("a.*)$")).toBe(true);
    expect(meta.test("abc")).toBe(false);
    expect(meta.testFull("abc")).toBe(false);
  });

  it("full-matches terminated \\Q…\\E, an empty \\Q and \\Q…\\E followed by more syntax", () => {
    const cases: Array<[string, string, boolean]> = [
      ["\\Qa.b\\E", "a.b", true],
      ["\\Qa.b\\E", "axb", false],
      ["\\Qa.b\\E.*", "a.b/anything", true],
      ["x\\Q", "x", true],
      ["\\Q|\\Ey", "|y", true],
      ["\\Q|\\Ey", "y", false],
    ];
    for (const [src, input, want] of cases) {
      const p = compiled(src);
      expect([src, input, p.testFull(input)]).toEqual([src, input, want]);
    }
  });

  it("full-matches with inline flags, leftmost-first alternations and lazy repeats", () => {
    const ci = compiled("(?i)SPIKE/SYSTEM/ACL");
    expect(ci.testFull("spike/system/acl")).toBe(true);
    expect(ci.testFull("spike/system/acl/x")).toBe(false);
    const scoped = compiled("a(?i:B)c");
    expect(scoped.testFull("abc")).toBe(true);
    expect(scoped.testFull("Abc")).toBe(false);
    const alt = compiled("a|ab");
    expect(alt.testFull("ab")).toBe(true);
    const lazy = compiled("a*?");
    expect(lazy.testFull("aaa")).toBe(true);
    const multi = compiled("(?m)^a$");
    expect(multi.testFull("a")).toBe(true);
    expect(multi.testFull("a\nb")).toBe(false);
  });

  it("refuses a trailing backslash with RE2's own reason, not one made up by the anchors", () => {
    const v = compileRe2("apps/\\");
    if (!isRuleViolation(v)) throw new Error("expected a violation");
    expect(v.code).toBe("regex_invalid");
    expect(v.status).toBe(500);
    expect(v.message).toBe('nexus-model: "apps/\\\\" is not a valid go re2 regex (trailing backslash at end of expression); nexus answers 500 for it');
    // An escaped backslash at the end is fine.
    const ok = compiled("apps\\\\");
    expect(ok.testFull("apps\\")).toBe(true);
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
    const ci = compiled("(?i)^APPS/");
    expect(ci.test("apps/x")).toBe(true);
    const q = compiled("\\Qa.b\\E");
    expect(q.test("a.b")).toBe(true);
    expect(q.test("axb")).toBe(false);
    expect(() => new RegExp("(?i)abc")).toThrow();
  });

  it("`.` does not match a newline and `$` is end of text, as in Go", () => {
    const dot = compiled("^a.b$");
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
