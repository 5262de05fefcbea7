import { describe, expect, it } from "vitest";
import { NexusModelError } from "./errors.js";
import { isPermission, parsePermissions, permissionsGrant, PERMISSIONS, validatePermissions } from "./permissions.js";

describe("permissions", () => {
  it("lists the five permissions", () => {
    expect(PERMISSIONS).toEqual(["read", "write", "list", "execute", "super"]);
    expect(isPermission("execute")).toBe(true);
    expect(isPermission("Read")).toBe(false);
    expect(isPermission("admin")).toBe(false);
  });

  it("parses a comma list as Pilot's flag does", () => {
    expect(parsePermissions("read, write")).toEqual(["read", "write"]);
    expect(parsePermissions(" list ,read,,list")).toEqual(["list", "read"]);
  });

  it("refuses unknown and empty lists", () => {
    expect(() => parsePermissions("read, admin")).toThrow('nexus-model: unknown permission "admin"; use one of read, write, list, execute, super');
    expect(() => parsePermissions(" , ")).toThrow(/permissions are empty/);
    try {
      parsePermissions("delete");
    } catch (e) {
      expect(NexusModelError.is(e, "permissions_invalid")).toBe(true);
    }
  });

  it("validates arrays with wrong types", () => {
    expect(validatePermissions("read")?.message).toBe("nexus-model: permissions must be an array, got string");
    expect(validatePermissions([])?.code).toBe("permissions_invalid");
    expect(validatePermissions(["read", 1])?.message).toContain("unknown permission number");
    expect(validatePermissions(["read", "super"])).toBeUndefined();
  });

  it("grants only when one policy holds every wanted permission, super as wildcard", () => {
    expect(permissionsGrant(["read"], ["read"])).toBe(true);
    expect(permissionsGrant(["read"], ["write"])).toBe(false);
    expect(permissionsGrant(["read", "write"], ["read", "write"])).toBe(true);
    expect(permissionsGrant(["read"], ["read", "write"])).toBe(false);
    expect(permissionsGrant(["super"], ["execute", "list"])).toBe(true);
  });
});
