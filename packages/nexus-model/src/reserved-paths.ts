import type { Re2Pattern } from "./patterns.js";

/** The reserved system paths Nexus checks list, policy and cipher permissions against. */
export type ReservedPath = "spike/system/acl" | "spike/system/secret" | "spike/system/cipher/exec";

/** The policy resource: `write`/`read`/`list` here govern policy put/get/list/delete. */
export const ACL_RESOURCE_PATH = "spike/system/acl" satisfies ReservedPath;
/** The secret-list resource: `list` here lets a caller list every secret path. */
export const SECRET_LIST_RESOURCE_PATH = "spike/system/secret" satisfies ReservedPath;
/** The cipher resource: `execute` here lets a caller encrypt and decrypt. */
export const CIPHER_RESOURCE_PATH = "spike/system/cipher/exec" satisfies ReservedPath;

/**
 * The three reserved paths, in the order Nexus tries them at upsert. Only these
 * exact strings are reserved; nothing else under `spike/system/` is.
 */
export const RESERVED_PATHS: readonly ReservedPath[] = Object.freeze([
  ACL_RESOURCE_PATH,
  SECRET_LIST_RESOURCE_PATH,
  CIPHER_RESOURCE_PATH,
]);

/** The probe a SPIFFE ID pattern must full-match to count as a catch-all. */
export const RESERVED_PATH_PROBE = "spike-arbitrary-probe-value";

/** Whether `path` is exactly one of the {@link RESERVED_PATHS}. */
export function isReservedPath(path: string): path is ReservedPath {
  return (RESERVED_PATHS as readonly string[]).includes(path);
}

/**
 * Whether a SPIFFE ID pattern is "precise" for the reserved-path rule: it starts
 * with `^` and ends with `$`, or its full-match form matches the probe value
 * (only a catch-all such as `.*` does).
 */
export function isPreciseSpiffeIdPattern(spiffeId: Re2Pattern): boolean {
  const s = spiffeId.source;
  if (s.startsWith("^") && s.endsWith("$")) return true;
  return spiffeId.testFull(RESERVED_PATH_PROBE);
}

/**
 * Whether a policy with these compiled patterns may reach the reserved path
 * `reserved`: its path pattern full-matches it (`^(?:pattern)$`), and its SPIFFE
 * ID pattern is precise ({@link isPreciseSpiffeIdPattern}).
 */
export function mayReachReservedPath(
  patterns: { readonly spiffeId: Re2Pattern; readonly path: Re2Pattern },
  reserved: ReservedPath,
): boolean {
  return patterns.path.testFull(reserved) && isPreciseSpiffeIdPattern(patterns.spiffeId);
}

/**
 * The first reserved path that the path pattern matches as a substring (the
 * upsert guard's trigger), or `undefined`.
 */
export function firstReservedPathMatched(path: Re2Pattern): ReservedPath | undefined {
  return RESERVED_PATHS.find((r) => path.test(r));
}
