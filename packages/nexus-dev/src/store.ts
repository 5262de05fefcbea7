import type { SecretRecord } from "./secret-record.js";

/** A policy as the dev Nexus stores it (keyed by name, spec §4.1). */
export interface StoredPolicy {
  /** The policy name, its only identifier. */
  readonly name: string;
  /** The SPIFFE ID pattern as written (`spiffeidPattern` on the wire). */
  readonly spiffeIdPattern: string;
  /** The path pattern as written. */
  readonly pathPattern: string;
  /** The permissions as written. */
  readonly permissions: readonly string[];
  /** When the policy was first created; kept on overwrite. */
  readonly createdAt: Date;
  /** When the policy was last written. */
  readonly updatedAt: Date;
}

/** Everything a store holds. */
export interface StoredState {
  /** Secret records by path. */
  readonly secrets: Map<string, SecretRecord>;
  /** Policies by name. */
  readonly policies: Map<string, StoredPolicy>;
}

/**
 * Where the dev Nexus keeps its state. The server holds the working copy in memory and
 * calls the store for every change; a change is acknowledged (HTTP 200) only after its
 * `write*`/`remove*` promise resolved, and is dropped if it rejected.
 */
export interface NexusStore {
  /** `memory` keeps nothing across processes; `file` survives a crash after each acknowledged write. */
  readonly kind: "memory" | "file";
  /** Reads everything stored so far. */
  load(options?: { signal?: AbortSignal }): Promise<StoredState>;
  /** Stores the whole record of one secret path. */
  writeSecret(path: string, record: SecretRecord): Promise<void>;
  /** Stores one policy. */
  writePolicy(policy: StoredPolicy): Promise<void>;
  /** Forgets one policy. */
  removePolicy(name: string): Promise<void>;
  /** Releases files and locks. */
  close(): Promise<void>;
}

/**
 * A store that lives in this process only (SPIKE's `memory` backend). Reusing one
 * instance across dev Nexus restarts keeps its data, which is handy in tests.
 *
 * @example
 * ```ts
 * const store = createMemoryStore();
 * const nexus = await createDevNexus({ source, store });
 * ```
 */
export function createMemoryStore(): NexusStore {
  const secrets = new Map<string, SecretRecord>();
  const policies = new Map<string, StoredPolicy>();
  return {
    kind: "memory",
    async load() {
      return { secrets: new Map(secrets), policies: new Map(policies) };
    },
    async writeSecret(path, record) {
      secrets.set(path, record);
    },
    async writePolicy(policy) {
      policies.set(policy.name, policy);
    },
    async removePolicy(name) {
      policies.delete(name);
    },
    async close() {},
  };
}
