import { describe, expect, it } from "vitest";
import { NexusModelError } from "./errors.js";
import {
  checkPolicyAccess,
  compilePolicy,
  compileStoredPolicy,
  policyViolations,
  reservedPathsReachable,
  validatePolicySpec,
} from "./policy.js";
import { firstReservedPathMatched, isReservedPath, RESERVED_PATHS } from "./reserved-paths.js";
import type { PolicySpec } from "./policy.js";

const web: PolicySpec = {
  name: "web-read",
  spiffeIdPattern: "^spiffe://example\\.org/web$",
  pathPattern: "^apps/web/",
  permissions: ["read"],
};

describe("reserved paths", () => {
  it("are exactly three strings", () => {
    expect(RESERVED_PATHS).toEqual(["spike/system/acl", "spike/system/secret", "spike/system/cipher/exec"]);
    expect(isReservedPath("spike/system/acl")).toBe(true);
    expect(isReservedPath("spike/system/other")).toBe(false);
    expect(isReservedPath("spike/system/acl/")).toBe(false);
  });
});

describe("policy validation", () => {
  it("accepts an ordinary policy", () => {
    expect(validatePolicySpec(web)).toBeUndefined();
  });

  it("reports rules in Nexus order: name, spiffeid, path, permissions", () => {
    const all = policyViolations({ name: "a.b", spiffeIdPattern: ".*", pathPattern: "", permissions: ["admin"] });
    expect(all.map((v) => v.code)).toEqual([
      "policy_name_invalid",
      "spiffeid_pattern_invalid",
      "path_pattern_invalid",
      "permissions_invalid",
    ]);
    expect(all.every((v) => v.status === 400)).toBe(true);
  });

  it("accepts a path pattern with an unterminated \\Q, as Nexus does, and still guards reserved paths", () => {
    expect(policyViolations({ ...web, pathPattern: "^apps/\\Qweb" })).toEqual([]);
    const p = compilePolicy({ ...web, pathPattern: "^apps/\\Qweb" });
    expect(p.grants("spiffe://example.org/web", "apps/web/db", ["read"])).toBe(true);
    expect(p.grants("spiffe://example.org/web", "apps/webx", ["read"])).toBe(true);
    expect(p.grants("spiffe://example.org/web", "apps/w", ["read"])).toBe(false);
    // Quoting a whole reserved path, for a precise spiffe id, is allowed (it fully matches it) ...
    expect(policyViolations({ ...web, pathPattern: "\\Qspike/system/acl" })).toEqual([]);
    expect(policyViolations({ ...web, pathPattern: "x|\\Qspike/system/acl" })).toEqual([]);
    // ... quoting part of one reaches it only as a substring: refused as Nexus does (500).
    const part = policyViolations({ ...web, pathPattern: "\\Qspike/system/ac" });
    expect(part.map((v) => [v.code, v.status])).toEqual([["reserved_path", 500]]);
  });

  it("gives 500 for a pattern that is not RE2", () => {
    const v = validatePolicySpec({ ...web, pathPattern: "^apps/(web" });
    expect(v?.code).toBe("regex_invalid");
    expect(v?.status).toBe(500);
    const w = validatePolicySpec({ ...web, spiffeIdPattern: "^spiffe://a.org/x**$" });
    expect(w?.code).toBe("regex_invalid");
  });

  it("refuses non-objects", () => {
    expect(validatePolicySpec(null)?.code).toBe("policy_name_invalid");
    expect(validatePolicySpec({ name: 1 })?.message).toContain("got number");
  });
});

describe("reserved-path guard at upsert", () => {
  const anchoredId = "^spiffe://example\\.org/admin$";
  const loose = "spiffe://example\\.org/admin";

  it.each(["^spike/system/acl$", "spike/system/acl", "^spike/system/.*$", ".*"])(
    "lets %j reach spike/system/acl with an anchored spiffe pattern",
    (pathPattern) => {
      expect(validatePolicySpec({ ...web, spiffeIdPattern: anchoredId, pathPattern })).toBeUndefined();
    },
  );

  it.each(["acl", "system", "spike", "^spike/", "secret", "s"])("refuses %j: a substring of a reserved path", (pathPattern) => {
    const v = validatePolicySpec({ ...web, spiffeIdPattern: anchoredId, pathPattern });
    expect(v?.code).toBe("reserved_path");
    expect(v?.status).toBe(500);
    expect(v?.message).toContain("only as a substring");
  });

  it("refuses .* with an unanchored spiffe pattern", () => {
    const v = validatePolicySpec({ ...web, spiffeIdPattern: loose, pathPattern: ".*" });
    expect(v?.code).toBe("reserved_path");
    expect(v?.message).toContain("is not anchored with ^ and $");
    expect(v?.message).toContain("spike/system/acl");
  });

  it("checks only the first reserved path the pattern hits", () => {
    const c = compileStoredPolicy({ ...web, pathPattern: "spike/system/secret|acl" });
    expect(firstReservedPathMatched(c.path)).toBe("spike/system/acl");
    expect(validatePolicySpec({ ...web, spiffeIdPattern: anchoredId, pathPattern: "spike/system/secret|acl" })?.code).toBe(
      "reserved_path",
    );
  });

  it("leaves ordinary paths alone", () => {
    expect(validatePolicySpec({ ...web, spiffeIdPattern: loose, pathPattern: "^apps/" })).toBeUndefined();
  });
});

describe("access checks (RE2 substring match)", () => {
  it("matches both patterns unanchored unless the pattern anchors itself", () => {
    const p = compilePolicy({ name: "db", spiffeIdPattern: "spiffe://example\\.org/web", pathPattern: "db", permissions: ["read"] });
    expect(p.grants("spiffe://example.org/web", "apps/db/x", ["read"])).toBe(true);
    expect(p.grants("spiffe://example.org/web/extra", "mydbpath", ["read"])).toBe(true);
    expect(p.grants("spiffe://example.org/api", "apps/db/x", ["read"])).toBe(false);
    expect(p.grants("spiffe://example.org/web", "apps/web", ["read"])).toBe(false);
    expect(p.grants("spiffe://example.org/web", "apps/db", ["write"])).toBe(false);
  });

  it("uses RE2 escapes: an unescaped dot matches any character", () => {
    const p = compilePolicy({ name: "x", spiffeIdPattern: "^spiffe://example.org/web$", pathPattern: "^a$", permissions: ["read"] });
    expect(p.grants("spiffe://exampleXorg/web", "a", ["read"])).toBe(true);
    const q = compilePolicy(web);
    expect(q.grants("spiffe://exampleXorg/web", "apps/web/x", ["read"])).toBe(false);
  });

  it("super grants every permission", () => {
    const p = compilePolicy({ ...web, permissions: ["super"] });
    expect(p.grants("spiffe://example.org/web", "apps/web/x", ["write"])).toBe(true);
  });

  it("skips a stored policy that may not reach a reserved path at check time", () => {
    // stored before the rule existed: unanchored spiffe pattern with .*
    const legacy = compileStoredPolicy({ name: "legacy", spiffeIdPattern: "spiffe://example\\.org/", pathPattern: ".*", permissions: ["super"] });
    expect(legacy.grants("spiffe://example.org/app", "apps/x", ["read"])).toBe(true);
    expect(legacy.grants("spiffe://example.org/app", "spike/system/acl", ["write"])).toBe(false);
    expect(reservedPathsReachable(legacy)).toEqual([]);
    const admin = compilePolicy({ name: "admin", spiffeIdPattern: "^spiffe://example\\.org/admin$", pathPattern: ".*", permissions: ["super"] });
    expect(admin.grants("spiffe://example.org/admin", "spike/system/acl", ["write"])).toBe(true);
    expect(reservedPathsReachable(admin)).toEqual(["spike/system/acl", "spike/system/secret", "spike/system/cipher/exec"]);
  });

  it("allows when any single policy grants; never merges permissions", () => {
    const r = compilePolicy({ ...web, name: "r", permissions: ["read"] });
    const w = compilePolicy({ ...web, name: "w", permissions: ["write"] });
    expect(checkPolicyAccess([r, w], "spiffe://example.org/web", "apps/web/db", ["write"])).toBe(true);
    expect(checkPolicyAccess([r, w], "spiffe://example.org/web", "apps/web/db", ["read", "write"])).toBe(false);
    expect(checkPolicyAccess([], "spiffe://example.org/web", "apps/web/db", ["read"])).toBe(false);
  });

  it("compilePolicy throws a typed error with the first rule", () => {
    expect(() => compilePolicy({ ...web, permissions: [] })).toThrow(NexusModelError);
    try {
      compilePolicy({ ...web, pathPattern: "secret" });
    } catch (e) {
      expect(NexusModelError.is(e, "reserved_path")).toBe(true);
      expect((e as NexusModelError).status).toBe(500);
    }
  });
});
