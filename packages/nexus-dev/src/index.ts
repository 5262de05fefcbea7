export { createDevNexus } from "./dev-nexus.js";
export type { DevNexus, DevNexusOptions } from "./dev-nexus.js";
export type { NexusDevLogEntry } from "./handler.js";
export { createMemoryStore } from "./store.js";
export type { NexusStore, StoredPolicy, StoredState } from "./store.js";
export { createFileStore } from "./file-store.js";
export type { FileStoreOptions } from "./file-store.js";
export type { SecretMetadata, SecretRecord, SecretVersion } from "./secret-record.js";
export { NexusDevError, type NexusDevErrorCode } from "./errors.js";
