export {
  createNexusClient,
  type NexusClient,
  type NexusClientOptions,
  type VersionOptions,
  type PutSecretOptions,
  type VersionsOptions,
  type ListPoliciesOptions,
  type CipherOptions,
} from "./client.js";
export { NexusError, type NexusErrorCode, type NexusErrorDetails } from "./errors.js";
export type { CallOptions } from "./transport.js";
export { DEFAULT_RETRY, type RetryOptions } from "./retry.js";
export { type NexusClientClock, systemClock } from "./clock.js";
export type { CipherInput } from "./input-checks.js";
export type {
  SecretMetadata,
  SecretVersionInfo,
  Policy,
  PolicySummary,
  EncryptedData,
  RestoreStatus,
  RecoveredShard,
} from "./results.js";
