import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NexusModelError } from "./errors.js";
import {
  assertSecretPath,
  validateKeyName,
  validatePolicyName,
  validateSecretPath,
  validateSecretValues,
} from "./secret-path.js";

describe("validateSecretPath", () => {
  it.each(["a", "apps/web/db", "/a/b", "a//b", "a/b/", "x.y_z-1", "()?+*|[]{}\\", "A".repeat(500)])(
    "accepts %j",
    (p) => {
      expect(validateSecretPath(p)).toBeUndefined();
    },
  );

  it.each([
    ["", "empty"],
    ["bad path", '" "'],
    ["a:b", '":"'],
    ["a@b", '"@"'],
    ["a=b", '"="'],
    ["a,b", '","'],
    ["a#b", '"#"'],
    ["a%b", '"%"'],
    ["a~b", '"~"'],
    ["^a", '"^"'],
    ["a$", '"$"'],
    ["ünï", "U+00FC"],
    ["a\nb", "U+000A"],
  ])("refuses %j", (p, shown) => {
    const v = validateSecretPath(p);
    expect(v?.code).toBe("secret_path_invalid");
    expect(v?.status).toBe(400);
    expect(v?.message).toContain(shown);
  });

  it("counts the 500-byte limit", () => {
    expect(validateSecretPath("a".repeat(501))?.message).toBe("nexus-model: secret path is 501 bytes; the limit is 500");
  });

  it("refuses non-strings by type name", () => {
    expect(validateSecretPath(7)?.message).toBe("nexus-model: secret path must be a string, got number");
    expect(validateSecretPath(null)?.message).toContain("got null");
  });

  it("assertSecretPath throws a branded error", () => {
    expect(() => assertSecretPath("a b")).toThrow(NexusModelError);
    try {
      assertSecretPath("a b");
    } catch (e) {
      expect(NexusModelError.is(e, "secret_path_invalid")).toBe(true);
      expect(NexusModelError.is(e, "key_name_invalid")).toBe(false);
    }
  });

  it("agrees with the Go regex for any string (property)", () => {
    const goRule = /^[a-zA-Z0-9._\-/()?+*|[\]{}\\]+$/;
    fc.assert(
      fc.property(fc.string({ maxLength: 40, unit: "binary" }), (s) => {
        expect(validateSecretPath(s) === undefined).toBe(goRule.test(s) && s.length <= 500);
      }),
    );
  });
});

describe("names and keys", () => {
  it.each(["web-read", "a_b", "with space", "A".repeat(250)])("accepts policy name %j", (n) => {
    expect(validatePolicyName(n)).toBeUndefined();
  });
  it.each(["", "a.b", "a/b", "ü", "a:b", "A".repeat(251)])("refuses policy name %j", (n) => {
    expect(validatePolicyName(n)?.code).toBe("policy_name_invalid");
  });
  it("explains dots in key names", () => {
    expect(validateKeyName("db.password")?.message).toContain("use db_password, not db.password");
    expect(validateKeyName("api:key")?.code).toBe("key_name_invalid");
  });
  it("checks whole value maps without quoting values", () => {
    expect(validateSecretValues({ user: "app", pass: "s3cr3t" })).toBeUndefined();
    expect(validateSecretValues({})).toBeUndefined();
    const v = validateSecretValues({ ok: "s3cr3t-value", "bad.key": "s3cr3t-value" });
    expect(v?.code).toBe("key_name_invalid");
    expect(v?.message).not.toContain("s3cr3t");
    const t = validateSecretValues({ n: 5 });
    expect(t?.message).toBe('nexus-model: the value of key "n" must be a string, got number');
    expect(validateSecretValues([])?.message).toContain("got array");
  });
});
