import { type CompiledPolicy, compileStoredPolicy, type Permission } from "@spike-ts/nexus-model";
import {
  deleteSecretVersions,
  putSecretVersion,
  readableVersion,
  type SecretRecord,
  type SecretVersion,
  undeleteSecretVersions,
} from "./secret-record.js";
import type { NexusStore, StoredPolicy, StoredState } from "./store.js";

interface PolicyEntry {
  readonly stored: StoredPolicy;
  readonly compiled: CompiledPolicy | undefined;
}

function compile(p: StoredPolicy): CompiledPolicy | undefined {
  try {
    return compileStoredPolicy({
      name: p.name,
      spiffeIdPattern: p.spiffeIdPattern,
      pathPattern: p.pathPattern,
      permissions: p.permissions as readonly Permission[],
    });
  } catch {
    return undefined; // a stored pattern that no longer compiles grants nothing
  }
}

/**
 * The working state of one dev Nexus: the records in memory, and a queue that applies
 * one change at a time: compute the new record, persist it, then publish it. A change
 * whose persist step fails is never published, so nothing is half-stored.
 */
export class NexusState {
  readonly #store: NexusStore;
  readonly #secrets: Map<string, SecretRecord>;
  readonly #policies = new Map<string, PolicyEntry>();
  readonly #maxVersions: number;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(store: NexusStore, loaded: StoredState, maxVersions: number) {
    this.#store = store;
    this.#secrets = new Map(loaded.secrets);
    for (const p of loaded.policies.values()) this.#policies.set(p.name, { stored: p, compiled: compile(p) });
    this.#maxVersions = maxVersions;
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(fn, fn);
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /** Puts a new version (spec §5.4). */
  putSecret(path: string, data: Readonly<Record<string, string>>, now: Date): Promise<void> {
    return this.#serial(async () => {
      const next = putSecretVersion(this.#secrets.get(path), data, now, this.#maxVersions);
      await this.#store.writeSecret(path, next);
      this.#secrets.set(path, next);
    });
  }

  /** Soft-deletes versions; `false` when the path does not exist (404). */
  deleteSecret(path: string, versions: readonly number[] | null, now: Date): Promise<boolean> {
    return this.#serial(async () => {
      const rec = this.#secrets.get(path);
      if (!rec) return false;
      const next = deleteSecretVersions(rec, versions, now);
      await this.#store.writeSecret(path, next);
      this.#secrets.set(path, next);
      return true;
    });
  }

  /** Undeletes versions; `false` when the path is missing or nothing changed (404). */
  undeleteSecret(path: string, versions: readonly number[] | null, now: Date): Promise<boolean> {
    return this.#serial(async () => {
      const rec = this.#secrets.get(path);
      if (!rec) return false;
      const next = undeleteSecretVersions(rec, versions, now);
      if (!next) return false;
      await this.#store.writeSecret(path, next);
      this.#secrets.set(path, next);
      return true;
    });
  }

  /** The live version get reads, or `undefined` (404). */
  readSecret(path: string, version: number): SecretVersion | undefined {
    const rec = this.#secrets.get(path);
    return rec ? readableVersion(rec, version) : undefined;
  }

  /** The whole record when `version` (0 = current) is readable, else `undefined` (404). */
  readMetadata(path: string, version: number): SecretRecord | undefined {
    const rec = this.#secrets.get(path);
    return rec && readableVersion(rec, version) ? rec : undefined;
  }

  /** Every secret path, deleted ones included, in byte order. */
  listSecretPaths(): string[] {
    return [...this.#secrets.keys()].sort();
  }

  /** Upserts a policy: `createdAt` is kept for an existing name (spec §4.7). */
  putPolicy(spec: Omit<StoredPolicy, "createdAt" | "updatedAt">, now: Date): Promise<void> {
    return this.#serial(async () => {
      const old = this.#policies.get(spec.name);
      const stored: StoredPolicy = { ...spec, permissions: [...spec.permissions], createdAt: old?.stored.createdAt ?? now, updatedAt: now };
      await this.#store.writePolicy(stored);
      this.#policies.set(stored.name, { stored, compiled: compile(stored) });
    });
  }

  /** One policy by name. */
  getPolicy(name: string): StoredPolicy | undefined {
    return this.#policies.get(name)?.stored;
  }

  /** Deletes a policy; `false` when the name is missing. */
  deletePolicy(name: string): Promise<boolean> {
    return this.#serial(async () => {
      if (!this.#policies.has(name)) return false;
      await this.#store.removePolicy(name);
      this.#policies.delete(name);
      return true;
    });
  }

  /** Every stored policy, in insertion order. */
  listPolicies(): StoredPolicy[] {
    return [...this.#policies.values()].map((e) => e.stored);
  }

  /** The compiled policies for authorization. */
  *compiledPolicies(): Iterable<CompiledPolicy> {
    for (const e of this.#policies.values()) if (e.compiled) yield e.compiled;
  }

  /** Waits for queued changes to settle. */
  async drain(): Promise<void> {
    await this.#tail;
  }
}
