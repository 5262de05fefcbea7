import { quote } from "./bytes.js";
import { NexusModelError, type RuleViolation } from "./errors.js";
import { compileRe2, isRuleViolation, type Re2Pattern, validatePathPattern, validateSpiffeIdPattern } from "./patterns.js";
import { type Permission, permissionsGrant, validatePermissions } from "./permissions.js";
import {
  firstReservedPathMatched,
  isPreciseSpiffeIdPattern,
  isReservedPath,
  mayReachReservedPath,
  RESERVED_PATHS,
  type ReservedPath,
} from "./reserved-paths.js";
import { validatePolicyName } from "./secret-path.js";

/** A policy as the user writes it (Pilot YAML / flags), in TypeScript spelling. */
export interface PolicySpec {
  /** The policy name, which is its only identifier. */
  readonly name: string;
  /** RE2 regex matched (unanchored) against the caller's SPIFFE ID. */
  readonly spiffeIdPattern: string;
  /** RE2 regex matched (unanchored) against the secret or resource path. */
  readonly pathPattern: string;
  /** What the policy grants. */
  readonly permissions: readonly Permission[];
}

/** A validated policy with its patterns compiled as RE2, ready to authorize requests. */
export interface CompiledPolicy {
  /** The policy as given. */
  readonly spec: PolicySpec;
  /** The compiled SPIFFE ID pattern. */
  readonly spiffeId: Re2Pattern;
  /** The compiled path pattern. */
  readonly path: Re2Pattern;
  /**
   * Whether this policy alone grants `wanted` on `resourcePath` to `peerId`,
   * exactly as Nexus's `CheckPolicyAccess` evaluates one policy.
   */
  grants(peerId: string, resourcePath: string, wanted: readonly Permission[]): boolean;
}

/**
 * Every rule a policy breaks, in Nexus's order: name, SPIFFE ID pattern, path
 * pattern, permissions (each 400), then RE2 compile of both patterns and the
 * reserved-path guard (each 500). Editors show them all; Nexus reports the first.
 */
export function policyViolations(spec: unknown): RuleViolation[] {
  if (typeof spec !== "object" || spec === null) {
    return [{ code: "policy_name_invalid", status: 400, message: "nexus-model: a policy must be an object with name, spiffeIdPattern, pathPattern and permissions" }];
  }
  const s = spec as Record<string, unknown>;
  const out: RuleViolation[] = [];
  for (const v of [
    validatePolicyName(s["name"]),
    validateSpiffeIdPattern(s["spiffeIdPattern"]),
    validatePathPattern(s["pathPattern"]),
    validatePermissions(s["permissions"]),
  ]) {
    if (v) out.push(v);
  }
  const compiled: Re2Pattern[] = [];
  for (const key of ["spiffeIdPattern", "pathPattern"] as const) {
    const value = s[key];
    if (typeof value !== "string") continue;
    const c = compileRe2(value);
    if (isRuleViolation(c)) out.push(c);
    else compiled.push(c);
  }
  if (out.length === 0 && compiled.length === 2) {
    const [spiffeId, path] = compiled as [Re2Pattern, Re2Pattern];
    const r = reservedPathViolation({ spiffeId, path });
    if (r) out.push(r);
  }
  return out;
}

/** The first rule a policy breaks (what Nexus would answer), or `undefined`. */
export function validatePolicySpec(spec: unknown): RuleViolation | undefined {
  return policyViolations(spec)[0];
}

/**
 * The upsert-time reserved-path guard: when the path pattern matches a reserved
 * path as a substring, the policy must be allowed to reach it
 * ({@link mayReachReservedPath}); otherwise Nexus refuses the policy with 500.
 * So `pathPattern: "secret"` or `".*"` with an unanchored SPIFFE pattern is refused.
 */
export function reservedPathViolation(patterns: { readonly spiffeId: Re2Pattern; readonly path: Re2Pattern }): RuleViolation | undefined {
  const hit = firstReservedPathMatched(patterns.path);
  if (!hit || mayReachReservedPath(patterns, hit)) return undefined;
  const why = !patterns.path.testFull(hit)
    ? `the path pattern ${quote(patterns.path.source)} matches ${hit} only as a substring; anchor it (for example ^apps/) or write a pattern that fully matches ${hit}`
    : `the spiffeid pattern ${quote(patterns.spiffeId.source)} is not anchored with ^ and $`;
  return {
    code: "reserved_path",
    status: 500,
    message: `nexus-model: policy touches the reserved path ${hit}: ${why}; nexus refuses it with 500`,
  };
}

/**
 * Validates and compiles a policy. Throws `NexusModelError` with the first
 * broken rule (see {@link policyViolations}).
 *
 * @example
 * ```ts
 * const p = compilePolicy({ name: "web-read", spiffeIdPattern: "^spiffe://example\\.org/web$",
 *   pathPattern: "^apps/web/", permissions: ["read"] });
 * p.grants("spiffe://example.org/web", "apps/web/db", ["read"]); // true
 * ```
 */
export function compilePolicy(spec: PolicySpec): CompiledPolicy {
  const v = validatePolicySpec(spec);
  if (v) throw NexusModelError.fromViolation(v);
  return compileStoredPolicy(spec);
}

/**
 * Compiles a policy that is already stored, skipping the input and upsert rules
 * (Nexus re-checks the reserved-path rule per request instead). Throws
 * `NexusModelError` (`regex_invalid`) only if a pattern does not compile.
 */
export function compileStoredPolicy(spec: PolicySpec): CompiledPolicy {
  const spiffeId = compileRe2(spec.spiffeIdPattern);
  if (isRuleViolation(spiffeId)) throw NexusModelError.fromViolation(spiffeId);
  const path = compileRe2(spec.pathPattern);
  if (isRuleViolation(path)) throw NexusModelError.fromViolation(path);
  const permissions = [...spec.permissions];
  return {
    spec,
    spiffeId,
    path,
    grants(peerId, resourcePath, wanted) {
      if (!spiffeId.test(peerId)) return false;
      if (!path.test(resourcePath)) return false;
      if (isReservedPath(resourcePath) && !mayReachReservedPath({ spiffeId, path }, resourcePath)) return false;
      return permissionsGrant(permissions, wanted);
    },
  };
}

/**
 * Nexus's policy check for an ordinary workload (not a Pilot role, not a lite
 * workload): allowed when **any one** policy grants all of `wanted`.
 * Permissions are never merged across policies.
 */
export function checkPolicyAccess(
  policies: Iterable<CompiledPolicy>,
  peerId: string,
  resourcePath: string,
  wanted: readonly Permission[],
): boolean {
  for (const p of policies) if (p.grants(peerId, resourcePath, wanted)) return true;
  return false;
}

/** Whether the SPIFFE ID pattern counts as precise for reserved paths. */
export function policyHasPreciseSpiffeIdPattern(p: CompiledPolicy): boolean {
  return isPreciseSpiffeIdPattern(p.spiffeId);
}

/** The reserved paths this policy can reach, for editors and `explain` output. */
export function reservedPathsReachable(p: CompiledPolicy): ReservedPath[] {
  return RESERVED_PATHS.filter((r) => mayReachReservedPath(p, r));
}
