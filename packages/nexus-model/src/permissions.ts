import { quote } from "./bytes.js";
import { type RuleViolation, throwIf } from "./errors.js";
import { typeName } from "./secret-path.js";

/** A Nexus policy permission. `super` is a wildcard that satisfies any request. */
export type Permission = "read" | "write" | "list" | "execute" | "super";

/** Every permission Nexus accepts, in the order the spec lists them. */
export const PERMISSIONS: readonly Permission[] = Object.freeze(["read", "write", "list", "execute", "super"]);

/** What each permission grants, for help text and editors. */
export const PERMISSION_DESCRIPTIONS: Readonly<Record<Permission, string>> = Object.freeze({
  read: "read a secret and its metadata; read a policy",
  write: "put, delete and undelete secrets; create, update and delete policies",
  list: "list secrets (spike/system/secret) and policies (spike/system/acl)",
  execute: "encrypt and decrypt (spike/system/cipher/exec)",
  super: "wildcard: satisfies every request the policy's patterns match",
});

/** Whether `v` is one of the five permission strings (exact, case-sensitive). */
export function isPermission(v: unknown): v is Permission {
  return typeof v === "string" && (PERMISSIONS as readonly string[]).includes(v);
}

/**
 * Checks a policy's `permissions` array as Nexus does: non-empty, and every item
 * one of `read`, `write`, `list`, `execute`, `super`.
 */
export function validatePermissions(perms: unknown): RuleViolation | undefined {
  if (!Array.isArray(perms)) {
    return { code: "permissions_invalid", status: 400, message: `nexus-model: permissions must be an array, got ${typeName(perms)}` };
  }
  if (perms.length === 0) {
    return { code: "permissions_invalid", status: 400, message: `nexus-model: permissions are empty; give at least one of ${PERMISSIONS.join(", ")}` };
  }
  for (const p of perms) {
    if (!isPermission(p)) {
      const shown = typeof p === "string" ? quote(p) : typeName(p);
      return {
        code: "permissions_invalid",
        status: 400,
        message: `nexus-model: unknown permission ${shown}; use one of ${PERMISSIONS.join(", ")}`,
      };
    }
  }
  return undefined;
}

/** Throws `NexusModelError` (`permissions_invalid`) unless {@link validatePermissions} passes. */
export function assertPermissions(perms: unknown): asserts perms is Permission[] {
  throwIf(validatePermissions(perms));
}

/**
 * Parses a comma-separated permission list such as `"read, write"` (Pilot's
 * `--permissions` flag). Items are trimmed; empty items are skipped; duplicates
 * are kept once. Throws `NexusModelError` (`permissions_invalid`) for an unknown
 * item or an empty list.
 */
export function parsePermissions(text: string): Permission[] {
  const items = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  assertPermissions(items);
  return [...new Set(items)];
}

/**
 * Whether a policy holding `held` grants every permission in `wanted`
 * (`super` grants everything). A single policy must hold all of them.
 */
export function permissionsGrant(held: readonly string[], wanted: readonly Permission[]): boolean {
  if (held.includes("super")) return true;
  return wanted.every((w) => held.includes(w));
}
