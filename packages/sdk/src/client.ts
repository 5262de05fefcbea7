import { createSecretCache } from "@spike-ts/cache";
import type { CacheClock, CacheTimers, SecretCache } from "@spike-ts/cache";
import { MtlsError } from "@spike-ts/mtls-transport";
import { NexusError, createNexusClient } from "@spike-ts/nexus-client";
import { rewordForSdk, withDeletedVersions } from "./hints.js";
import { createNexusAgent } from "./nexus-agent.js";
import type { EncryptedData, NexusClient, Policy, PolicySummary, SecretMetadata } from "@spike-ts/nexus-client";
import type { PolicySpec } from "@spike-ts/nexus-model";
import type { X509Source } from "@spike-ts/spiffe";
import { createX509Source } from "@spike-ts/workload-api";
import type { WorkloadApiError } from "@spike-ts/workload-api";
import type { Dispatcher } from "undici";
import { resolveConfig } from "./config.js";
import type { ResolvedConfig } from "./config.js";
import { SpikeError } from "./errors.js";
import { Secret } from "./secret.js";

/** Options of {@link createSpikeClient}. Every one falls back to the Go SDK's environment variable. */
export interface SpikeClientOptions {
  /** Workload API address, `unix:///path` or `tcp://ip:port` (env `SPIFFE_ENDPOINT_SOCKET`, default `unix:///tmp/spire-agent/public/api.sock`). */
  endpointSocket?: string;
  /** Nexus base URL (env `SPIKE_NEXUS_API_URL`, then its alias `SPIKE_NEXUS_URL`, default `https://localhost:8553`). */
  nexusUrl?: string;
  /** Trust domains whose `/spike/nexus` ID is accepted as the server (env `SPIKE_TRUST_ROOT_NEXUS`, comma-separated, default `spike.ist`). */
  nexusTrustRoots?: string | readonly string[];
  /** How long to wait for the first SVID, ms (env `SPIKE_SPIFFE_SOURCE_TIMEOUT` as a Go duration, default 30 s). */
  sourceTimeoutMs?: number;
  /** Overall limit of one call, ms (env `SPIKE_HTTP_CLIENT_TIMEOUT` as a Go duration, default 60 s). */
  requestTimeoutMs?: number;
  /** The environment to read instead of `process.env` (for tests). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Use this X.509 source instead of opening one on the Workload API; the client then does not close it. */
  source?: X509Source;
  /**
   * Called with every error of the SVID source the client opens: at once on the first failed
   * attempt (so a missing agent shows before `sourceTimeoutMs`), then on later errors while the
   * client runs (agent restarts, revoked identity). A throwing listener does not break the
   * source. Not allowed together with `source` (subscribe to your own source instead).
   */
  onSourceError?: (error: WorkloadApiError) => void;
  /**
   * `true` (default) keeps retrying while no agent answers, until `sourceTimeoutMs` (it may come
   * up meanwhile); `false` rejects at once with the first `WorkloadApiError` `unreachable` (no
   * socket, not a socket, nothing listening), for CLIs and health checks. Not allowed together
   * with `source`.
   */
  waitForAgent?: boolean;
  /** Cancels creation (waiting for the SVID). */
  signal?: AbortSignal;
}

/** Options of calls that only take a signal. */
export interface CallOptions {
  /** Cancels the call. */
  signal?: AbortSignal;
}

/** Options of {@link SpikeClient.getSecret}. */
export interface GetSecretOptions extends CallOptions {
  /** The version to read; omitted or 0 means the current one. */
  version?: number;
}

/** Options of {@link SpikeClient.getSecretMetadata}. */
export interface GetSecretMetadataOptions extends CallOptions {
  /** The version that must exist and be live; omitted or 0 means the current one. */
  version?: number;
}

/** Options of {@link SpikeClient.deleteSecret} and {@link SpikeClient.undeleteSecret}. */
export interface SecretVersionsOptions extends CallOptions {
  /**
   * The versions to act on. For delete, omitted means the current version. For undelete,
   * omitted means the current version, or the highest deleted one when every version is deleted.
   */
  versions?: readonly number[];
}

/** Options of {@link SpikeClient.listPolicies}: exact-string filters, as Nexus applies them. */
export interface ListPoliciesOptions extends CallOptions {
  /** Keep only policies whose SPIFFE ID pattern is exactly this string. */
  spiffeIdPattern?: string;
  /** Keep only policies whose path pattern is exactly this string (ignored when `spiffeIdPattern` is set). */
  pathPattern?: string;
}

/** Options of {@link SpikeClient.cached}. */
export interface CachedSecretsOptions {
  /** How long a secret is served from memory before it is checked again, ms (default 300 000: 5 minutes). */
  ttlMs?: number;
  /** Check the version through metadata first and re-read the secret only when it changed (default true). */
  versionAware?: boolean;
  /** Refresh secrets that were read, in the background, before they expire (default true). */
  backgroundRefresh?: boolean;
  /** Serve an expired secret this long when Nexus cannot be reached, ms (default 0). */
  staleIfErrorMs?: number;
  /** The most secrets kept (least recently used evicted; default 1000). */
  maxEntries?: number;
  /** Clock for tests (default monotonic). */
  clock?: CacheClock;
  /** Timers for tests (default Node's). */
  timers?: CacheTimers;
}

/** A cache of secrets bound to one {@link SpikeClient}: `get(path)` resolves a {@link Secret}. */
export type CachedSecrets = SecretCache<Secret>;

/**
 * A connected SPIKE client: an SVID from the Workload API, mTLS to Nexus (accepting only a Nexus
 * SPIFFE ID), and every secret, policy and cipher call. Errors of each layer arrive unchanged:
 * `WorkloadApiError`, `MtlsError`, `NexusError`, `CacheError`, `NexusModelError`, `SpikeError`.
 */
export interface SpikeClient extends AsyncDisposable {
  /** This workload's current SPIFFE ID (follows rotation). */
  readonly spiffeId: string;
  /** The Nexus base URL in use. */
  readonly nexusUrl: string;
  /** The settings in use, after options and environment were merged. */
  readonly config: ResolvedConfig;
  /** Stores `values` as a new version of the secret at `path` (the whole map; nothing is merged). */
  putSecret(path: string, values: Readonly<Record<string, string>>, options?: CallOptions): Promise<void>;
  /** Reads the secret at `path` (current version, or `options.version`). */
  getSecret(path: string, options?: GetSecretOptions): Promise<Secret>;
  /** Soft-deletes versions of the secret at `path` (default: the current version). */
  deleteSecret(path: string, options?: SecretVersionsOptions): Promise<void>;
  /** Restores soft-deleted versions of the secret at `path`. */
  undeleteSecret(path: string, options?: SecretVersionsOptions): Promise<void>;
  /** Every secret path in Nexus, sorted (needs `list`). */
  listSecretKeys(options?: CallOptions): Promise<string[]>;
  /** The versions and metadata of the secret at `path`; no values. */
  getSecretMetadata(path: string, options?: GetSecretMetadataOptions): Promise<SecretMetadata>;
  /** Creates or replaces the policy `spec.name`. */
  createPolicy(spec: PolicySpec, options?: CallOptions): Promise<void>;
  /** Reads the policy called `name`. */
  getPolicy(name: string, options?: CallOptions): Promise<Policy>;
  /** Lists policies, optionally filtered by exact pattern. */
  listPolicies(options?: ListPoliciesOptions): Promise<PolicySummary[]>;
  /** Deletes the policy called `name`. */
  deletePolicy(name: string, options?: CallOptions): Promise<void>;
  /** Encrypts `plaintext` with Nexus's key; returns the cipher blob (version ‖ nonce ‖ ciphertext). */
  encrypt(plaintext: Uint8Array | string, options?: CallOptions): Promise<Uint8Array>;
  /** Decrypts a blob made by {@link SpikeClient.encrypt}. */
  decrypt(blob: Uint8Array, options?: CallOptions): Promise<Uint8Array>;
  /**
   * Encrypts `plaintext` in Nexus's JSON mode (what Pilot's `--plaintext` sends): returns
   * `{ version, nonce, ciphertext }` as bytes. Same key and permission as {@link SpikeClient.encrypt}.
   */
  encryptJson(plaintext: Uint8Array | string, options?: CallOptions): Promise<EncryptedData>;
  /** Decrypts `{ version, nonce, ciphertext }` in Nexus's JSON mode (from {@link SpikeClient.encryptJson} or Pilot). */
  decryptJson(data: EncryptedData, options?: CallOptions): Promise<Uint8Array>;
  /**
   * A cache of secrets read through this client, keyed by this client's SPIFFE ID (flushed when
   * the SVID's ID changes) and refreshed by version through metadata. Closed with the client.
   */
  cached(options?: CachedSecretsOptions): CachedSecrets;
  /** Closes caches, connections and (when the client opened it) the X.509 source. Idempotent. */
  close(): Promise<void>;
}

function signalOf(options: CallOptions | undefined): { signal?: AbortSignal } {
  return options?.signal === undefined ? {} : { signal: options.signal };
}

function versionsOf(options: SecretVersionsOptions | undefined): { signal?: AbortSignal; versions?: readonly number[] } {
  return {
    ...signalOf(options),
    ...(options?.versions === undefined ? {} : { versions: options.versions }),
  };
}

/**
 * nexus-client reports every failed connection as `NexusError` `transport`; when the cause is an
 * mTLS check (server is not Nexus, untrusted chain, no SVID), the `MtlsError` is the error that
 * says what to fix, so it is thrown as is.
 */
function surfaceTransportCause(e: unknown): never {
  if (NexusError.is(e, "transport") && MtlsError.is(e.cause)) throw rewordForSdk(e.cause);
  throw rewordForSdk(e);
}

function secretsEqual(a: Secret, b: Secret): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a.entries()) if (b.get(k) !== v) return false;
  return true;
}

class Client implements SpikeClient {
  readonly config: ResolvedConfig;
  readonly #source: X509Source;
  readonly #ownsSource: boolean;
  readonly #dispatcher: Dispatcher;
  readonly #nexus: NexusClient;
  readonly #caches = new Set<CachedSecrets>();
  readonly #unsubscribe: () => void;
  #closed = false;
  #closing: Promise<void> | undefined;
  #lastId: string;

  constructor(config: ResolvedConfig, source: X509Source, ownsSource: boolean, dispatcher: Dispatcher, nexus: NexusClient) {
    this.config = config;
    this.#source = source;
    this.#ownsSource = ownsSource;
    this.#dispatcher = dispatcher;
    this.#nexus = nexus;
    this.#lastId = source.getX509Svid().id.toString();
    this.#unsubscribe = source.onUpdate(() => this.#onUpdate());
  }

  #onUpdate(): void {
    let id: string;
    try {
      id = this.#source.getX509Svid().id.toString();
    } catch {
      return;
    }
    if (id === this.#lastId) return;
    this.#lastId = id;
    for (const cache of this.#caches) cache.setIdentity(id);
  }

  get spiffeId(): string {
    return this.#source.getX509Svid().id.toString();
  }

  get nexusUrl(): string {
    return this.config.nexusUrl;
  }

  #call<T>(what: string, run: () => Promise<T>): Promise<T> {
    if (this.#closed) {
      return Promise.reject(new SpikeError("client_closed", `spike: ${what} called after close(); create a new client`));
    }
    return run().catch(surfaceTransportCause);
  }

  putSecret(path: string, values: Readonly<Record<string, string>>, options?: CallOptions): Promise<void> {
    return this.#call("putSecret", () => this.#nexus.putSecret(path, values, signalOf(options)));
  }

  getSecret(path: string, options?: GetSecretOptions): Promise<Secret> {
    const version = options?.version === 0 ? undefined : options?.version;
    return this.#call("getSecret", async () => {
      const data = await this.#nexus.getSecret(path, {
        ...signalOf(options),
        ...(version === undefined ? {} : { version }),
      });
      return new Secret(path, data, version);
    });
  }

  deleteSecret(path: string, options?: SecretVersionsOptions): Promise<void> {
    return this.#call("deleteSecret", () => this.#nexus.deleteSecret(path, versionsOf(options)));
  }

  undeleteSecret(path: string, options?: SecretVersionsOptions): Promise<void> {
    return this.#call("undeleteSecret", async () => {
      try {
        await this.#nexus.undeleteSecret(path, versionsOf(options));
      } catch (e) {
        if (!NexusError.is(e, "not_found")) throw e;
        let metadata: SecretMetadata;
        try {
          metadata = await this.#nexus.getSecretMetadata(path, signalOf(options));
        } catch {
          throw e; // no metadata to add (missing path, no read permission): the original error
        }
        throw withDeletedVersions(e, metadata);
      }
    });
  }

  listSecretKeys(options?: CallOptions): Promise<string[]> {
    return this.#call("listSecretKeys", () => this.#nexus.listSecrets(signalOf(options)));
  }

  getSecretMetadata(path: string, options?: GetSecretMetadataOptions): Promise<SecretMetadata> {
    return this.#call("getSecretMetadata", () =>
      this.#nexus.getSecretMetadata(path, {
        ...signalOf(options),
        ...(options?.version === undefined ? {} : { version: options.version }),
      }),
    );
  }

  createPolicy(spec: PolicySpec, options?: CallOptions): Promise<void> {
    return this.#call("createPolicy", () => this.#nexus.putPolicy(spec, signalOf(options)));
  }

  getPolicy(name: string, options?: CallOptions): Promise<Policy> {
    return this.#call("getPolicy", () => this.#nexus.getPolicy(name, signalOf(options)));
  }

  listPolicies(options?: ListPoliciesOptions): Promise<PolicySummary[]> {
    return this.#call("listPolicies", () =>
      this.#nexus.listPolicies({
        ...signalOf(options),
        ...(options?.spiffeIdPattern === undefined ? {} : { spiffeIdPattern: options.spiffeIdPattern }),
        ...(options?.pathPattern === undefined ? {} : { pathPattern: options.pathPattern }),
      }),
    );
  }

  deletePolicy(name: string, options?: CallOptions): Promise<void> {
    return this.#call("deletePolicy", () => this.#nexus.deletePolicy(name, signalOf(options)));
  }

  encrypt(plaintext: Uint8Array | string, options?: CallOptions): Promise<Uint8Array> {
    return this.#call("encrypt", () => this.#nexus.encryptStream(plaintext, signalOf(options)));
  }

  decrypt(blob: Uint8Array, options?: CallOptions): Promise<Uint8Array> {
    return this.#call("decrypt", () => this.#nexus.decryptStream(blob, signalOf(options)));
  }

  encryptJson(plaintext: Uint8Array | string, options?: CallOptions): Promise<EncryptedData> {
    return this.#call("encryptJson", () => this.#nexus.encrypt(plaintext, signalOf(options)));
  }

  decryptJson(data: EncryptedData, options?: CallOptions): Promise<Uint8Array> {
    return this.#call("decryptJson", () => this.#nexus.decrypt(data, signalOf(options)));
  }

  cached(options: CachedSecretsOptions = {}): CachedSecrets {
    if (this.#closed) throw new SpikeError("client_closed", "spike: cached() called after close(); create a new client");
    const versionAware = options.versionAware ?? true;
    const cache = createSecretCache<Secret>({
      ttlMs: options.ttlMs ?? 300_000,
      ...(options.backgroundRefresh === undefined ? {} : { backgroundRefresh: options.backgroundRefresh }),
      ...(options.staleIfErrorMs === undefined ? {} : { staleIfErrorMs: options.staleIfErrorMs }),
      ...(options.maxEntries === undefined ? {} : { maxEntries: options.maxEntries }),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.timers === undefined ? {} : { timers: options.timers }),
      identity: this.#lastId,
      freeze: false,
      equals: secretsEqual,
      // Without versions, a reload after a drop compares this (kept only as a keyed hash).
      fingerprint: (secret) => JSON.stringify(secret.entries()),
      load: (path, ctx) =>
        this.getSecret(path, { ...(ctx.version ? { version: ctx.version } : {}), signal: ctx.signal }),
      ...(versionAware
        ? {
            loadVersion: async (path: string, ctx: { readonly signal: AbortSignal }) =>
              (await this.getSecretMetadata(path, { signal: ctx.signal })).currentVersion,
          }
        : {}),
    });
    this.#caches.add(cache);
    return cache;
  }

  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#closed = true;
    this.#unsubscribe();
    this.#closing = (async () => {
      const errors: unknown[] = [];
      const step = async (f: () => Promise<void>): Promise<void> => {
        try {
          await f();
        } catch (e) {
          errors.push(e);
        }
      };
      for (const cache of this.#caches) await step(() => cache.close());
      this.#caches.clear();
      await step(() => this.#nexus.close());
      await step(() => this.#dispatcher.close());
      if (this.#ownsSource) await step(() => closeSource(this.#source));
      if (errors.length > 0) throw errors[0];
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** Checks the options that shape the source the client opens, before anything connects. */
function checkSourceOptions(options: SpikeClientOptions): void {
  if (options.onSourceError !== undefined && typeof options.onSourceError !== "function") {
    throw new SpikeError("config_invalid", "spike: onSourceError must be a function", { setting: "onSourceError" });
  }
  if (options.waitForAgent !== undefined && typeof options.waitForAgent !== "boolean") {
    throw new SpikeError("config_invalid", `spike: waitForAgent must be true or false, got ${typeof options.waitForAgent}`, {
      setting: "waitForAgent",
    });
  }
  if (options.source !== undefined) {
    const setting = options.onSourceError !== undefined ? "onSourceError" : options.waitForAgent !== undefined ? "waitForAgent" : undefined;
    if (setting !== undefined) {
      throw new SpikeError(
        "config_invalid",
        `spike: ${setting} applies to the source the client opens, not to a source you pass; give it to your createX509Source() instead, or drop source`,
        { setting },
      );
    }
  }
}

async function closeSource(source: X509Source): Promise<void> {
  const closable = source as X509Source & { close?: () => Promise<void> };
  if (typeof closable.close === "function") await closable.close();
}

/**
 * Creates a SPIKE client. Resolves once this workload's SVID is ready; rejects with the failing
 * layer's typed error (`WorkloadApiError` `unreachable`/`no_identity`/`timeout`, `SpikeError`
 * `config_invalid`, ...). Options override the Go SDK's environment variables.
 *
 * @example
 * ```ts
 * await using spike = await createSpikeClient();
 * await spike.putSecret("tenants/demo/db", { username: "app", password: "s3cr3t" });
 * const secret = await spike.getSecret("tenants/demo/db");
 * console.log(`Username: ${secret.get("username")}`);
 * ```
 */
export async function createSpikeClient(options: SpikeClientOptions = {}): Promise<SpikeClient> {
  if (options === null || typeof options !== "object") {
    throw new SpikeError("config_invalid", "spike: createSpikeClient options must be an object", { setting: "options" });
  }
  const config = resolveConfig(options);
  checkSourceOptions(options);
  if (options.signal?.aborted) {
    throw new SpikeError("aborted", "spike: createSpikeClient was aborted before it started", {
      cause: options.signal.reason,
    });
  }
  const ownsSource = options.source === undefined;
  const source: X509Source =
    options.source ??
    (await createX509Source({
      address: config.endpointSocket,
      timeoutMs: config.sourceTimeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onSourceError === undefined ? {} : { onError: options.onSourceError }),
      ...(options.waitForAgent === undefined ? {} : { waitForAgent: options.waitForAgent }),
    }));
  let dispatcher: Dispatcher | undefined;
  try {
    dispatcher = createNexusAgent(config, source);
    const nexus = createNexusClient({
      baseUrl: config.nexusUrl,
      dispatcher,
      timeoutMs: config.requestTimeoutMs,
      callerId: () => {
        try {
          return source.getX509Svid().id.toString();
        } catch {
          return undefined;
        }
      },
    });
    return new Client(config, source, ownsSource, dispatcher, nexus);
  } catch (e) {
    await dispatcher?.close().catch(() => {});
    if (ownsSource) await closeSource(source).catch(() => {});
    throw e;
  }
}
