export { createSpikeClient } from "./client.js";
export type {
  CachedSecrets,
  CachedSecretsOptions,
  CallOptions,
  GetSecretMetadataOptions,
  GetSecretOptions,
  ListPoliciesOptions,
  SecretVersionsOptions,
  SpikeClient,
  SpikeClientOptions,
} from "./client.js";
export type { PolicySpec, Permission } from "@spike-ts/nexus-model";
export type { EncryptedData, Policy, PolicySummary, SecretMetadata, SecretVersionInfo } from "@spike-ts/nexus-client";
export { Secret } from "./secret.js";
export { SpikeError, type SpikeErrorCode } from "./errors.js";
export {
  DEFAULT_ENDPOINT_SOCKET,
  DEFAULT_NEXUS_TRUST_ROOT,
  DEFAULT_NEXUS_URL,
  resolveConfig,
} from "./config.js";
export type { ConfigOptions, ResolvedConfig } from "./config.js";
export { authorizeNexus, isNexusId } from "./nexus-authorizer.js";
export { parseGoDuration } from "./duration.js";
// The error classes of the layers below, re-exported so callers can test codes without
// depending on each package (their `is()` guards work across copies).
export { NexusError, type NexusErrorCode } from "@spike-ts/nexus-client";
export { MtlsError, type MtlsErrorCode } from "@spike-ts/mtls-transport";
export { WorkloadApiError, type WorkloadApiErrorCode } from "@spike-ts/workload-api";
export { CacheError, type CacheErrorCode } from "@spike-ts/cache";
export { NexusModelError, type NexusModelErrorCode } from "@spike-ts/nexus-model";
