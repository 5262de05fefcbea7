import { NEXUS_ENDPOINTS, type NexusOperation } from "./endpoints.js";
import { type CompiledPolicy, checkPolicyAccess } from "./policy.js";
import { hasRole, type TrustRoots, validatePeerSpiffeId } from "./roles.js";

/** The outcome of an authorization check, with a reason for logs (never sent to the caller). */
export type AccessDecision =
  | { readonly allowed: true; readonly via: "superuser" | "lite-workload" | "role" | "policy" }
  | { readonly allowed: false; readonly reason: string };

/** What {@link authorizeOperation} needs to decide. */
export interface AccessRequest {
  /** The operation called. */
  readonly operation: NexusOperation;
  /** The caller's SPIFFE ID (from the URI SAN of its client certificate). */
  readonly peerId: string;
  /** The request's secret path, for the secret operations that check one. */
  readonly path?: string;
  /** The stored policies, compiled. */
  readonly policies: Iterable<CompiledPolicy>;
  /** Which trust domains each role accepts. */
  readonly trustRoots: TrustRoots;
}

/**
 * Decides whether Nexus lets `peerId` call `operation` (spec §3.4, §4.4, §4.6):
 * the peer ID rule first, then the Pilot superuser (everything but recover,
 * restore and verify), the lite workload (cipher only), the fixed roles for
 * recover/restore/verify, and finally the policies. A refusal is a 401.
 */
export function authorizeOperation(req: AccessRequest): AccessDecision {
  const bad = validatePeerSpiffeId(req.peerId);
  if (bad) return { allowed: false, reason: bad.message };
  const ep = NEXUS_ENDPOINTS[req.operation];
  if (ep.auth.kind === "role") {
    return hasRole(req.peerId, ep.auth.role, req.trustRoots)
      ? { allowed: true, via: "role" }
      : { allowed: false, reason: `${req.operation} needs the ${ep.auth.role} role` };
  }
  if (hasRole(req.peerId, "superuser", req.trustRoots)) return { allowed: true, via: "superuser" };
  const cipher = req.operation === "cipher.encrypt" || req.operation === "cipher.decrypt";
  if (hasRole(req.peerId, "lite-workload", req.trustRoots)) {
    return cipher
      ? { allowed: true, via: "lite-workload" }
      : { allowed: false, reason: "lite workloads may only encrypt and decrypt" };
  }
  const resource = ep.auth.resource === "request-path" ? req.path : ep.auth.resource;
  if (resource === undefined) return { allowed: false, reason: `${req.operation} needs a path to check` };
  return checkPolicyAccess(req.policies, req.peerId, resource, [ep.auth.permission])
    ? { allowed: true, via: "policy" }
    : { allowed: false, reason: `no policy grants ${ep.auth.permission} on ${resource}` };
}
