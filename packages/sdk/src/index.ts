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
export type { Policy, PolicySummary, SecretMetadata, SecretVersionInfo } from "@spike-ts/nexus-client";
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
