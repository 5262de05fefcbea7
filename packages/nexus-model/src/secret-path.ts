import { firstBadChar, quote, utf8Length } from "./bytes.js";
import { type RuleViolation, throwIf } from "./errors.js";

/** The longest secret path Nexus accepts, in UTF-8 bytes. */
export const MAX_SECRET_PATH_BYTES = 500;

/** The longest key name (and policy name) Nexus accepts, in UTF-8 bytes. */
export const MAX_NAME_BYTES = 250;

/** Nexus's secret path regex (spike-sdk-go `ValidatePath`), as Go source text. */
export const SECRET_PATH_REGEX_SOURCE = String.raw`^[a-zA-Z0-9._\-/()?+*|[\]{}\\]+$`;

/** Nexus's name regex for policy names, policy `id`s and secret keys, as Go source text. */
export const NAME_REGEX_SOURCE = "^[a-zA-Z0-9-_ ]+$";

const pathChar = /^[a-zA-Z0-9._\-/()?+*|[\]{}\\]$/;
const nameChar = /^[a-zA-Z0-9_ -]$/;

function describeChar(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x20 || cp === 0x7f || cp > 0x7e) return `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
  return JSON.stringify(ch);
}

/**
 * Checks a secret path against Nexus's rule: 1–500 UTF-8 bytes of
 * `a-z A-Z 0-9 . _ - / ( ) ? + * | [ ] { } \`. Nexus keeps paths as given:
 * a leading slash, `a//b` and a trailing slash are all allowed and distinct.
 *
 * @returns the broken rule, or `undefined` when the path is valid.
 */
export function validateSecretPath(path: unknown): RuleViolation | undefined {
  if (typeof path !== "string") {
    return { code: "secret_path_invalid", status: 400, message: `nexus-model: secret path must be a string, got ${typeName(path)}` };
  }
  if (path.length === 0) {
    return { code: "secret_path_invalid", status: 400, message: "nexus-model: secret path is empty; give a path such as app/db" };
  }
  const bad = firstBadChar(path, (c) => pathChar.test(c));
  if (bad) {
    return {
      code: "secret_path_invalid",
      status: 400,
      message: `nexus-model: secret path ${quote(path)} has the character ${describeChar(bad.ch)} at index ${bad.index}; only letters, digits and . _ - / ( ) ? + * | [ ] { } \\ are allowed`,
    };
  }
  const bytes = utf8Length(path);
  if (bytes > MAX_SECRET_PATH_BYTES) {
    return {
      code: "secret_path_invalid",
      status: 400,
      message: `nexus-model: secret path is ${bytes} bytes; the limit is ${MAX_SECRET_PATH_BYTES}`,
    };
  }
  return undefined;
}

/** Throws `NexusModelError` (`secret_path_invalid`) unless {@link validateSecretPath} passes. */
export function assertSecretPath(path: unknown): asserts path is string {
  throwIf(validateSecretPath(path));
}

function validateName(what: "policy name" | "key name", code: "policy_name_invalid" | "key_name_invalid", name: unknown): RuleViolation | undefined {
  if (typeof name !== "string") {
    return { code, status: 400, message: `nexus-model: ${what} must be a string, got ${typeName(name)}` };
  }
  if (name.length === 0) return { code, status: 400, message: `nexus-model: ${what} is empty; use 1-${MAX_NAME_BYTES} letters, digits, - _ or space` };
  const bad = firstBadChar(name, (c) => nameChar.test(c));
  if (bad) {
    const hint = what === "key name" && bad.ch === "." ? " (Nexus refuses dots in key names: use db_password, not db.password)" : "";
    return {
      code,
      status: 400,
      message: `nexus-model: ${what} ${quote(name)} has the character ${describeChar(bad.ch)} at index ${bad.index}; only letters, digits, - _ and space are allowed${hint}`,
    };
  }
  const bytes = utf8Length(name);
  if (bytes > MAX_NAME_BYTES) return { code, status: 400, message: `nexus-model: ${what} is ${bytes} bytes; the limit is ${MAX_NAME_BYTES}` };
  return undefined;
}

/**
 * Checks a policy name (also the `id` of policy get and delete) against Nexus's
 * rule: 1–250 bytes of letters, digits, `-`, `_` and space.
 */
export function validatePolicyName(name: unknown): RuleViolation | undefined {
  return validateName("policy name", "policy_name_invalid", name);
}

/** Throws `NexusModelError` (`policy_name_invalid`) unless {@link validatePolicyName} passes. */
export function assertPolicyName(name: unknown): asserts name is string {
  throwIf(validatePolicyName(name));
}

/**
 * Checks one key of a secret's `values` map. Keys follow the policy-name rule:
 * 1–250 bytes of letters, digits, `-`, `_` and space, so `.` and `:` are refused.
 */
export function validateKeyName(key: unknown): RuleViolation | undefined {
  return validateName("key name", "key_name_invalid", key);
}

/**
 * Checks a whole `values` map as Nexus does on put: every key by
 * {@link validateKeyName}, and (a client-side addition, since Go would fail to
 * decode it) every value is a string. Values themselves are never quoted in messages.
 */
export function validateSecretValues(values: unknown): RuleViolation | undefined {
  if (typeof values !== "object" || values === null || Array.isArray(values)) {
    return { code: "key_name_invalid", status: 400, message: `nexus-model: secret values must be an object of string to string, got ${typeName(values)}` };
  }
  for (const [k, v] of Object.entries(values)) {
    const bad = validateKeyName(k);
    if (bad) return bad;
    if (typeof v !== "string") {
      return { code: "key_name_invalid", status: 400, message: `nexus-model: the value of key ${quote(k)} must be a string, got ${typeName(v)}` };
    }
  }
  return undefined;
}

/** A short type name for messages (never the value itself). @internal */
export function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}
