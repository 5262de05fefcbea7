import type { Permission } from "./permissions.js";
import { ACL_RESOURCE_PATH, CIPHER_RESOURCE_PATH, type ReservedPath, SECRET_LIST_RESOURCE_PATH } from "./reserved-paths.js";
import type { NexusRole } from "./roles.js";

/** Every Nexus operation, named `<area>.<verb>`. */
export type NexusOperation =
  | "secret.put"
  | "secret.get"
  | "secret.delete"
  | "secret.undelete"
  | "secret.list"
  | "secret.metadata"
  | "policy.put"
  | "policy.get"
  | "policy.list"
  | "policy.delete"
  | "cipher.encrypt"
  | "cipher.decrypt"
  | "operator.recover"
  | "operator.restore"
  | "bootstrap.verify";

/** One routed endpoint: where it lives and who may call it. */
export interface NexusEndpoint {
  /** The operation name. */
  readonly operation: NexusOperation;
  /** The exact URL path Nexus routes (no trailing slash). */
  readonly path: string;
  /** The exact `action` query value; `""` means no `action` parameter. */
  readonly action: string;
  /**
   * How the caller is authorized: by policy on a resource path with a
   * permission, or by a fixed role.
   */
  readonly auth:
    | { readonly kind: "policy"; readonly resource: "request-path" | ReservedPath; readonly permission: Permission }
    | { readonly kind: "role"; readonly role: NexusRole };
  /** Whether the operation leaves Nexus state unchanged (so a repeat is harmless). */
  readonly readOnly: boolean;
  /** Whether the endpoint also accepts `application/octet-stream` (cipher streaming mode). */
  readonly streaming: boolean;
  /** Whether Nexus routes it with the `lite` backend (no store). */
  readonly lite: boolean;
  /** Whether the 503 readiness gate is skipped (recover and restore). */
  readonly skipsReadinessGate: boolean;
}

function ep(
  operation: NexusOperation,
  path: string,
  action: string,
  auth: NexusEndpoint["auth"],
  extra: Partial<Pick<NexusEndpoint, "readOnly" | "streaming" | "lite" | "skipsReadinessGate">> = {},
): NexusEndpoint {
  return Object.freeze({
    operation,
    path,
    action,
    auth: Object.freeze(auth),
    readOnly: extra.readOnly ?? false,
    streaming: extra.streaming ?? false,
    lite: extra.lite ?? false,
    skipsReadinessGate: extra.skipsReadinessGate ?? false,
  });
}

/** The secrets endpoint path. */
export const SECRETS_PATH = "/v1/store/secrets";
/** The secret metadata endpoint path. */
export const SECRET_METADATA_PATH = "/v1/store/secrets/metadata";
/** The policy endpoint path. */
export const POLICY_PATH = "/v1/acl/policy";
/** The encrypt endpoint path. */
export const ENCRYPT_PATH = "/v1/cipher/encrypt";
/** The decrypt endpoint path. */
export const DECRYPT_PATH = "/v1/cipher/decrypt";
/** The operator recover endpoint path. */
export const RECOVER_PATH = "/v1/operator/recover";
/** The operator restore endpoint path. */
export const RESTORE_PATH = "/v1/operator/restore";
/** The bootstrap verify endpoint path. */
export const BOOTSTRAP_VERIFY_PATH = "/v1/bootstrap/verify";

const onPath = (permission: Permission) => ({ kind: "policy", resource: "request-path", permission }) as const;
const onReserved = (resource: ReservedPath, permission: Permission) => ({ kind: "policy", resource, permission }) as const;

/** Every endpoint Nexus routes (spec §1.4, permissions §4.6). Every one is `POST`. */
export const NEXUS_ENDPOINTS: Readonly<Record<NexusOperation, NexusEndpoint>> = Object.freeze({
  "secret.put": ep("secret.put", SECRETS_PATH, "", onPath("write")),
  "secret.get": ep("secret.get", SECRETS_PATH, "get", onPath("read"), { readOnly: true }),
  "secret.delete": ep("secret.delete", SECRETS_PATH, "delete", onPath("write")),
  "secret.undelete": ep("secret.undelete", SECRETS_PATH, "undelete", onPath("write")),
  "secret.list": ep("secret.list", SECRETS_PATH, "list", onReserved(SECRET_LIST_RESOURCE_PATH, "list"), { readOnly: true }),
  "secret.metadata": ep("secret.metadata", SECRET_METADATA_PATH, "get", onPath("read"), { readOnly: true }),
  "policy.put": ep("policy.put", POLICY_PATH, "", onReserved(ACL_RESOURCE_PATH, "write")),
  "policy.get": ep("policy.get", POLICY_PATH, "get", onReserved(ACL_RESOURCE_PATH, "read"), { readOnly: true }),
  "policy.list": ep("policy.list", POLICY_PATH, "list", onReserved(ACL_RESOURCE_PATH, "list"), { readOnly: true }),
  "policy.delete": ep("policy.delete", POLICY_PATH, "delete", onReserved(ACL_RESOURCE_PATH, "write")),
  "cipher.encrypt": ep("cipher.encrypt", ENCRYPT_PATH, "", onReserved(CIPHER_RESOURCE_PATH, "execute"), {
    readOnly: true,
    streaming: true,
    lite: true,
  }),
  "cipher.decrypt": ep("cipher.decrypt", DECRYPT_PATH, "", onReserved(CIPHER_RESOURCE_PATH, "execute"), {
    readOnly: true,
    streaming: true,
    lite: true,
  }),
  "operator.recover": ep("operator.recover", RECOVER_PATH, "", { kind: "role", role: "recover" }, { lite: true, skipsReadinessGate: true }),
  "operator.restore": ep("operator.restore", RESTORE_PATH, "", { kind: "role", role: "restore" }, { lite: true, skipsReadinessGate: true }),
  "bootstrap.verify": ep("bootstrap.verify", BOOTSTRAP_VERIFY_PATH, "", { kind: "role", role: "bootstrap" }, { readOnly: true, lite: true }),
});

/**
 * The endpoint Nexus routes for an exact URL path and `action` value (a missing
 * `action` is `""`), or `undefined` (Nexus answers 400 `api_bad_request`).
 */
export function findEndpoint(path: string, action: string): NexusEndpoint | undefined {
  for (const e of Object.values(NEXUS_ENDPOINTS)) if (e.path === path && e.action === action) return e;
  return undefined;
}

/** The value of `Content-Type` that selects cipher streaming mode (exact compare). */
export const STREAM_CONTENT_TYPE = "application/octet-stream";

/** The headers Nexus sends on every JSON response. */
export const NEXUS_JSON_RESPONSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "content-type": "application/json",
  "cache-control": "no-store, no-cache, must-revalidate, private",
  pragma: "no-cache",
  expires: "0",
});
