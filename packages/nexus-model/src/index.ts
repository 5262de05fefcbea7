export { NexusModelError, type NexusModelErrorCode, type RuleViolation } from "./errors.js";
export {
  MAX_SECRET_PATH_BYTES,
  MAX_NAME_BYTES,
  SECRET_PATH_REGEX_SOURCE,
  NAME_REGEX_SOURCE,
  validateSecretPath,
  assertSecretPath,
  validatePolicyName,
  assertPolicyName,
  validateKeyName,
  validateSecretValues,
} from "./secret-path.js";
export {
  type Permission,
  PERMISSIONS,
  PERMISSION_DESCRIPTIONS,
  isPermission,
  validatePermissions,
  assertPermissions,
  parsePermissions,
  permissionsGrant,
} from "./permissions.js";
export {
  SPIFFEID_PATTERN_REGEX_SOURCE,
  PATH_PATTERN_REGEX_SOURCE,
  MAX_PATH_PATTERN_BYTES,
  validateSpiffeIdPattern,
  validatePathPattern,
  assertSpiffeIdPattern,
  assertPathPattern,
  type Re2Pattern,
  compileRe2,
  isRuleViolation,
  type RegexDialectNote,
  findRegexDialectNotes,
} from "./patterns.js";
export {
  type ReservedPath,
  ACL_RESOURCE_PATH,
  SECRET_LIST_RESOURCE_PATH,
  CIPHER_RESOURCE_PATH,
  RESERVED_PATHS,
  RESERVED_PATH_PROBE,
  isReservedPath,
  isPreciseSpiffeIdPattern,
  mayReachReservedPath,
  firstReservedPathMatched,
} from "./reserved-paths.js";
export {
  type PolicySpec,
  type CompiledPolicy,
  policyViolations,
  validatePolicySpec,
  reservedPathViolation,
  compilePolicy,
  compileStoredPolicy,
  checkPolicyAccess,
  policyHasPreciseSpiffeIdPattern,
  reservedPathsReachable,
} from "./policy.js";
export {
  type NexusRole,
  NEXUS_ROLES,
  ROLE_PATHS,
  ROLE_TRUST_ROOT_ENV,
  DEFAULT_TRUST_ROOT,
  type TrustRoots,
  parseTrustRootList,
  trustRootsFromEnv,
  trustRootsFor,
  roleIds,
  hasRole,
  rolesOf,
  PEER_SPIFFE_ID_REGEX_SOURCE,
  validatePeerSpiffeId,
} from "./roles.js";
export {
  type NexusOperation,
  type NexusEndpoint,
  SECRETS_PATH,
  SECRET_METADATA_PATH,
  POLICY_PATH,
  ENCRYPT_PATH,
  DECRYPT_PATH,
  RECOVER_PATH,
  RESTORE_PATH,
  BOOTSTRAP_VERIFY_PATH,
  NEXUS_ENDPOINTS,
  findEndpoint,
  STREAM_CONTENT_TYPE,
  NEXUS_JSON_RESPONSE_HEADERS,
} from "./endpoints.js";
export { type AccessDecision, type AccessRequest, authorizeOperation } from "./authorize.js";
export {
  DEFAULT_NEXUS_API_URL,
  NEXUS_API_URL_ENV,
  parseNexusBaseUrl,
  joinNexusUrl,
  nexusBaseUrlFromEnv,
} from "./nexus-url.js";
export {
  type NexusWireErrorCode,
  NEXUS_ERROR_STATUS,
  NEXUS_WIRE_ERROR_CODES,
  isNexusWireErrorCode,
  type WireErrorBody,
  type WireSdkErrorBody,
  CIPHER_PLAIN_TEXT_ERRORS,
} from "./wire-errors.js";
export type {
  WireSecretPutRequest,
  WireSecretGetRequest,
  WireSecretGetResponse,
  WireSecretDeleteRequest,
  WireSecretUndeleteRequest,
  WireSecretListRequest,
  WireSecretListResponse,
  WireSecretMetadataRequest,
  WireSecretVersionInfo,
  WireSecretMetadataContent,
  WireSecretMetadataResponse,
  WireEmptyResponse,
} from "./wire-secrets.js";
export type {
  WirePolicyPutRequest,
  WirePolicyReadRequest,
  WirePolicy,
  WirePolicyReadResponse,
  WirePolicyListRequest,
  WirePolicyListItem,
  WirePolicyListResponse,
  WirePolicyDeleteRequest,
} from "./wire-policies.js";
export type {
  WireCipherEncryptRequest,
  WireCipherEncryptResponse,
  WireCipherDecryptRequest,
  WireCipherDecryptResponse,
} from "./wire-cipher.js";
export type {
  WireRecoverRequest,
  WireRecoverResponse,
  WireRestoreRequest,
  WireRestoreResponse,
  WireBootstrapVerifyRequest,
  WireBootstrapVerifyResponse,
} from "./wire-operator.js";
export {
  CIPHER_VERSION,
  CIPHER_NONCE_BYTES,
  CIPHER_TAG_BYTES,
  DEFAULT_MAX_CIPHER_BYTES,
  MAX_ROUND_TRIP_PLAINTEXT_BYTES,
  type CipherBlob,
  parseCipherBlob,
  formatCipherBlob,
  parseMaxCipherBytes,
} from "./cipher-blob.js";
export {
  SHARD_BYTES,
  DEFAULT_MAX_SHARD_INDEX,
  assertShard,
  assertShardIndex,
  type RecoveryShard,
  formatRecoveryShard,
  parseRecoveryShard,
} from "./recovery-shard.js";
export { GO_ZERO_TIME, parseGoTime, isGoZeroTime, formatGoTime } from "./go-time.js";
