import {
  CIPHER_NONCE_BYTES,
  CIPHER_VERSION,
  DEFAULT_MAX_CIPHER_BYTES,
  NexusModelError,
  type NexusOperation,
  type PolicySpec,
  SHARD_BYTES,
  STREAM_CONTENT_TYPE,
  assertShard,
  assertShardIndex,
  parseNexusBaseUrl,
} from "@spike-ts/nexus-model";
import type { Dispatcher } from "undici";
import { InFlightCalls } from "./call-abort.js";
import { type NexusClientClock, systemClock } from "./clock.js";
import { NexusError } from "./errors.js";
import {
  type CipherInput,
  checkPath,
  checkPolicyName,
  checkPolicySpec,
  checkValues,
  checkVersion,
  checkVersions,
  collectInput,
  invalid,
} from "./input-checks.js";
import {
  BodyReader,
  type EncryptedData,
  type Policy,
  type PolicySummary,
  type RecoveredShard,
  type RestoreStatus,
  type SecretMetadata,
  toPolicy,
  toSecretMetadata,
} from "./results.js";
import { resolveRetry, type RetryOptions } from "./retry.js";
import { RouteCache } from "./routes.js";
import {
  type CallOptions,
  type CallResult,
  type CallSpec,
  DEFAULT_MAX_RESPONSE_BYTES,
  execute,
  parseJson,
  type TransportConfig,
} from "./transport.js";

/** Options of {@link createNexusClient}. */
export interface NexusClientOptions {
  /**
   * The Nexus base URL, e.g. `https://localhost:8553` (the value of
   * `SPIKE_NEXUS_API_URL`). A path prefix is kept, as Go's `url.JoinPath` does.
   * A function is called for every request (the Go SDK re-reads the variable per call).
   */
  readonly baseUrl: string | URL | (() => string | URL);
  /** The undici dispatcher that carries the requests, usually `createMtlsAgent(...)`. The client never closes it. */
  readonly dispatcher: Dispatcher;
  /** Retry settings, or `false` for a single attempt. Only safe failures are retried. */
  readonly retry?: RetryOptions | false;
  /** The default per-call timeout in milliseconds, covering every attempt and backoff. Default 30000. */
  readonly timeoutMs?: number;
  /** The caller's SPIFFE ID (or a function returning the current one), named in `unauthorized` messages. */
  readonly callerId?: string | (() => string | undefined);
  /** Check inputs against the Nexus rules before sending (default `true`); `false` sends what you give. */
  readonly validateInput?: boolean;
  /** The cipher size limit checked before sending; the server's `SPIKE_NEXUS_CRYPTO_MAX_CIPHERTEXT_SIZE`. Default 65536. */
  readonly maxCipherBytes?: number;
  /** Refuse secret values of this many UTF-8 bytes or more before sending. Default: no limit (Nexus has none). */
  readonly maxValueBytes?: number;
  /**
   * The largest response body the client reads, in bytes; a longer one is cut off and fails
   * with `bad_response` (a broken proxy or a hostile server cannot exhaust memory). Default 32 MiB.
   */
  readonly maxResponseBytes?: number;
  /** The time source for timeouts and backoff (tests pass a fake). */
  readonly clock?: NexusClientClock;
  /** The random source for backoff jitter, returning [0, 1). Default `Math.random`. */
  readonly random?: () => number;
}

/** Options of {@link NexusClient.getSecret} and {@link NexusClient.getSecretMetadata}. */
export interface VersionOptions extends CallOptions {
  /** The version to read; 0 or absent means the current one. */
  readonly version?: number;
}

/** Options of {@link NexusClient.putSecret}. */
export interface PutSecretOptions extends CallOptions {
  /** Send an empty values map (Nexus stores a version with no data). Default `false`: refused. */
  readonly allowEmpty?: boolean;
}

/** Options of {@link NexusClient.deleteSecret} and {@link NexusClient.undeleteSecret}. */
export interface VersionsOptions extends CallOptions {
  /** The versions; empty or absent means current (see README for undelete). `0` means current. */
  readonly versions?: readonly number[];
}

/** Filters of {@link NexusClient.listPolicies}: exact string compares, not regex matches. */
export interface ListPoliciesOptions extends CallOptions {
  /** Keep policies whose SPIFFE ID pattern is exactly this string. Wins over `pathPattern`. */
  readonly spiffeIdPattern?: string;
  /** Keep policies whose path pattern is exactly this string. */
  readonly pathPattern?: string;
}

/** Options of the JSON cipher calls. */
export interface CipherOptions extends CallOptions {
  /** Sent as `algorithm`; Nexus ignores it. */
  readonly algorithm?: string;
}

/**
 * A client for every SPIKE Nexus endpoint. Every method takes `signal` and
 * `timeoutMs`, and throws {@link NexusError}.
 */
export interface NexusClient {
  /** Writes a new version of the secret at `path`, replacing the whole map. Never retried after it may have been sent. */
  putSecret(path: string, values: Readonly<Record<string, string>>, options?: PutSecretOptions): Promise<void>;
  /** Reads the current (or a given) version's data. A missing path, version or deleted version is `not_found`. */
  getSecret(path: string, options?: VersionOptions): Promise<Record<string, string>>;
  /** Soft-deletes versions (default: the current one). Versions that do not exist are ignored by Nexus. */
  deleteSecret(path: string, options?: VersionsOptions): Promise<void>;
  /** Restores soft-deleted versions. `not_found` when nothing was undeleted. */
  undeleteSecret(path: string, options?: VersionsOptions): Promise<void>;
  /** Every secret path in the store, sorted by byte value, deleted ones included. */
  listSecrets(options?: CallOptions): Promise<string[]>;
  /** The metadata of every kept version; the version asked for (default current) must be live. */
  getSecretMetadata(path: string, options?: VersionOptions): Promise<SecretMetadata>;
  /** Creates or overwrites a policy by name. */
  putPolicy(policy: PolicySpec, options?: CallOptions): Promise<void>;
  /** Reads a policy by name. A missing name is `not_found` (the client resolves Nexus's 500, see README). */
  getPolicy(name: string, options?: CallOptions): Promise<Policy>;
  /** Lists policy names, optionally filtered by an exact pattern string. */
  listPolicies(options?: ListPoliciesOptions): Promise<PolicySummary[]>;
  /** Deletes a policy by name. A missing name is `not_found` (resolved as for {@link NexusClient.getPolicy}). */
  deletePolicy(name: string, options?: CallOptions): Promise<void>;
  /** Encrypts in JSON mode and returns version, nonce and ciphertext. */
  encrypt(plaintext: Uint8Array | string, options?: CipherOptions): Promise<EncryptedData>;
  /** Decrypts a JSON-mode result. */
  decrypt(data: EncryptedData, options?: CipherOptions): Promise<Uint8Array>;
  /** Encrypts in streaming mode: raw bytes in, the `0x01 ‖ nonce ‖ ciphertext` blob out. */
  encryptStream(input: CipherInput, options?: CallOptions): Promise<Uint8Array>;
  /** Decrypts a streaming-mode blob. */
  decryptStream(input: CipherInput, options?: CallOptions): Promise<Uint8Array>;
  /** Operator recover (the recover role only): the root key's Shamir shards, by index. */
  recover(options?: CallOptions): Promise<RecoveredShard[]>;
  /** Operator restore (the restore role only): submits one shard. */
  restore(index: number, shard: Uint8Array, options?: CallOptions): Promise<RestoreStatus>;
  /** Bootstrap verify (the bootstrap role only): the hex SHA-256 of what Nexus decrypted. */
  verifyBootstrap(input: { readonly nonce: Uint8Array; readonly ciphertext: Uint8Array }, options?: CallOptions): Promise<string>;
  /** Aborts calls in flight and refuses new ones. The dispatcher is not closed: it is yours. */
  close(): Promise<void>;
}

/** The AES-GCM tag length every Nexus ciphertext ends with. */
const GCM_TAG_BYTES = 16;

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

/**
 * Creates a Nexus client over the dispatcher you pass. Options are checked
 * here; a bad option throws `NexusError` (`invalid_input`).
 *
 * @example
 * ```ts
 * const nexus = createNexusClient({
 *   baseUrl: process.env.SPIKE_NEXUS_API_URL ?? "https://localhost:8553",
 *   dispatcher: createMtlsAgent({ source, authorize: authorizeIf(isNexus, "a nexus id") }),
 * });
 * await nexus.putSecret("apps/web/db", { username: "app", password: "s3cr3t" });
 * const { password } = await nexus.getSecret("apps/web/db");
 * ```
 */
export function createNexusClient(options: NexusClientOptions): NexusClient {
  const bad = (m: string): never => {
    throw new NexusError("invalid_input", `nexus: ${m}`);
  };
  if (typeof options !== "object" || options === null) bad("createNexusClient needs an options object with baseUrl and dispatcher");
  const readBase = (): string => {
    try {
      const raw = typeof options.baseUrl === "function" ? options.baseUrl() : options.baseUrl;
      return parseNexusBaseUrl(raw).href;
    } catch (e) {
      throw new NexusError("invalid_input", NexusModelError.is(e) ? e.message.replace(/^nexus-model: /, "nexus: ") : "nexus: baseUrl is invalid", { cause: e });
    }
  };
  const fixedBase = readBase();
  const baseUrl = typeof options.baseUrl === "function" ? readBase : () => fixedBase;
  const d = options.dispatcher as unknown;
  if (typeof d !== "object" || d === null || typeof (d as Dispatcher).request !== "function") {
    bad("dispatcher must be an undici Dispatcher (an Agent, a MockAgent, or createMtlsAgent(...))");
  }
  const retry = resolveRetry(options.retry);
  if (typeof retry === "string") bad(retry as string);
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) bad("timeoutMs must be a positive number of milliseconds");
  const maxCipherBytes = options.maxCipherBytes ?? DEFAULT_MAX_CIPHER_BYTES;
  if (!Number.isSafeInteger(maxCipherBytes) || maxCipherBytes <= 0) bad("maxCipherBytes must be a positive integer");
  const maxValueBytes = options.maxValueBytes ?? Number.POSITIVE_INFINITY;
  if (!(maxValueBytes > 0)) bad("maxValueBytes must be a positive number");
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  if (!Number.isSafeInteger(maxResponseBytes) || maxResponseBytes <= 0) bad("maxResponseBytes must be a positive integer");
  const callerIdOpt = options.callerId;
  if (callerIdOpt !== undefined && typeof callerIdOpt !== "string" && typeof callerIdOpt !== "function") bad("callerId must be a string or a function");
  const check = options.validateInput ?? true;

  const calls = new InFlightCalls();
  const cfg: TransportConfig = {
    baseUrl,
    dispatcher: options.dispatcher,
    retry: retry as Exclude<typeof retry, string>,
    timeoutMs,
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
    callerId: typeof callerIdOpt === "function" ? callerIdOpt : () => callerIdOpt,
    calls,
    routes: new RouteCache(),
    maxResponseBytes,
  };

  const call = (spec: CallSpec, opts?: CallOptions): Promise<CallResult> => execute(cfg, spec, opts);
  const attemptsOf = new WeakMap<object, number>();
  const reader = (operation: NexusOperation, body: object) => new BodyReader(operation, attemptsOf.get(body) ?? 1);
  const json = async (operation: NexusOperation, body: unknown, opts: CallOptions | undefined, target?: string) => {
    const spec: CallSpec = { operation, target, body: JSON.stringify(body), contentType: "application/json" };
    const res = await call(spec, opts);
    const parsed = parseJson(spec, res);
    if (res.attempts !== 1) attemptsOf.set(parsed, res.attempts); // absent means 1: no WeakMap write on the warm path
    return parsed;
  };
  const pick = (opts: CallOptions | undefined): CallOptions | undefined => {
    if (opts === undefined || (!opts.signal && opts.timeoutMs === undefined)) return undefined;
    const o: { signal?: AbortSignal; timeoutMs?: number } = {};
    if (opts?.signal) o.signal = opts.signal;
    if (opts?.timeoutMs !== undefined) o.timeoutMs = opts.timeoutMs;
    return o;
  };

  const listPolicies = async (opts?: ListPoliciesOptions): Promise<PolicySummary[]> => {
    const spiffeidPattern = opts?.spiffeIdPattern ?? "";
    const pathPattern = opts?.pathPattern ?? "";
    if (typeof spiffeidPattern !== "string" || typeof pathPattern !== "string") throw invalid("policy.list", "list filters must be strings");
    let body: Record<string, unknown>;
    try {
      body = await json("policy.list", { spiffeidPattern, pathPattern }, pick(opts));
    } catch (e) {
      if (NexusError.is(e, "not_found")) return []; // as the Go SDK does
      throw e;
    }
    const r = reader("policy.list", body);
    return r.array(body, "policies").map((item) => {
      if (typeof item !== "object" || item === null) r.fail("a policy list item is not an object");
      return { name: r.string(item as Record<string, unknown>, "name") };
    });
  };

  /**
   * Nexus answers 500 (not 404) for a policy name it does not have. Like
   * Pilot, resolve it with a list: absent means `not_found`.
   */
  const resolveMissingPolicy = async (e: unknown, operation: NexusOperation, name: string, opts?: CallOptions): Promise<never> => {
    if (!NexusError.is(e, "internal") || e.status !== 500) throw e;
    let names: string[];
    try {
      names = (await listPolicies(pick(opts))).map((p) => p.name);
    } catch {
      throw e;
    }
    if (names.includes(name)) throw e;
    throw new NexusError("not_found", `nexus: policy ${name} does not exist (nexus answered 500 for ${operation}; a list confirmed the name is absent)`, {
      operation,
      status: e.status,
      serverCode: e.serverCode,
      target: name,
      callerId: e.callerId,
      attempts: e.attempts,
      cause: e,
    });
  };

  const client: NexusClient = {
    async putSecret(path, values, opts) {
      checkPath("secret.put", path, check);
      const map = checkValues(path, values, { check, allowEmpty: opts?.allowEmpty ?? false, maxValueBytes });
      await json("secret.put", { path, values: map }, pick(opts), path);
    },

    async getSecret(path, opts) {
      checkPath("secret.get", path, check);
      const version = checkVersion("secret.get", opts?.version ?? 0, path);
      const body = await json("secret.get", version === 0 ? { path } : { path, version }, pick(opts), path);
      return reader("secret.get", body).stringMap(body, "data");
    },

    async deleteSecret(path, opts) {
      checkPath("secret.delete", path, check);
      const versions = checkVersions("secret.delete", opts?.versions, path);
      await json("secret.delete", { path, versions }, pick(opts), path);
    },

    async undeleteSecret(path, opts) {
      checkPath("secret.undelete", path, check);
      const versions = checkVersions("secret.undelete", opts?.versions, path);
      await json("secret.undelete", { path, versions }, pick(opts), path);
    },

    async listSecrets(opts) {
      let body: Record<string, unknown>;
      try {
        body = await json("secret.list", {}, pick(opts));
      } catch (e) {
        if (NexusError.is(e, "not_found")) return []; // as the Go SDK does
        throw e;
      }
      const r = reader("secret.list", body);
      return r.array(body, "keys").map((k) => (typeof k === "string" ? k : r.fail("a key is not a string")));
    },

    async getSecretMetadata(path, opts) {
      checkPath("secret.metadata", path, check);
      const version = checkVersion("secret.metadata", opts?.version ?? 0, path);
      const body = await json("secret.metadata", version === 0 ? { path } : { path, version }, pick(opts), path);
      return toSecretMetadata(reader("secret.metadata", body), body);
    },

    async putPolicy(policy, opts) {
      checkPolicySpec(policy, check);
      const p = policy as PolicySpec;
      await json(
        "policy.put",
        { name: p.name, spiffeidPattern: p.spiffeIdPattern, pathPattern: p.pathPattern, permissions: [...(p.permissions ?? [])] },
        pick(opts),
        typeof p.name === "string" ? p.name : undefined,
      );
    },

    async getPolicy(name, opts) {
      checkPolicyName("policy.get", name, check);
      let body: Record<string, unknown>;
      try {
        body = await json("policy.get", { id: name }, pick(opts), name);
      } catch (e) {
        return resolveMissingPolicy(e, "policy.get", name, opts);
      }
      return toPolicy(reader("policy.get", body), body);
    },

    listPolicies,

    async deletePolicy(name, opts) {
      checkPolicyName("policy.delete", name, check);
      try {
        await json("policy.delete", { id: name }, pick(opts), name);
      } catch (e) {
        await resolveMissingPolicy(e, "policy.delete", name, opts);
      }
    },

    async encrypt(plaintext, opts) {
      const bytes = await collectInput("cipher.encrypt", plaintext, maxCipherBytes, opts?.signal);
      const req: Record<string, unknown> = { plaintext: b64(bytes) };
      if (opts?.algorithm) req["algorithm"] = opts.algorithm;
      const body = await json("cipher.encrypt", req, pick(opts));
      const r = reader("cipher.encrypt", body);
      const result = { version: r.int(body, "version"), nonce: r.base64(body, "nonce"), ciphertext: r.base64(body, "ciphertext") };
      if (result.version !== CIPHER_VERSION) r.fail(`"version" is ${result.version}, not ${CIPHER_VERSION}`);
      if (result.nonce.length !== CIPHER_NONCE_BYTES) r.fail(`"nonce" is ${result.nonce.length} bytes, not ${CIPHER_NONCE_BYTES}`);
      if (result.ciphertext.length < GCM_TAG_BYTES) r.fail(`"ciphertext" is ${result.ciphertext.length} bytes, shorter than the ${GCM_TAG_BYTES}-byte tag`);
      return result;
    },

    async decrypt(data, opts) {
      if (typeof data !== "object" || data === null) throw invalid("cipher.decrypt", "decrypt needs { version, nonce, ciphertext }");
      const { version, nonce, ciphertext } = data;
      if (check) {
        if (version !== CIPHER_VERSION) throw invalid("cipher.decrypt", `cipher version ${String(version)} is not supported; nexus only accepts 1`);
        if (!(nonce instanceof Uint8Array) || nonce.length !== CIPHER_NONCE_BYTES) {
          throw invalid("cipher.decrypt", `the nonce must be ${CIPHER_NONCE_BYTES} bytes`);
        }
      }
      if (!(ciphertext instanceof Uint8Array) || !(nonce instanceof Uint8Array)) throw invalid("cipher.decrypt", "nonce and ciphertext must be Uint8Array");
      if (check && ciphertext.length > maxCipherBytes) {
        throw invalid("cipher.decrypt", `the ciphertext is ${ciphertext.length} bytes; nexus accepts at most ${maxCipherBytes}`);
      }
      const req: Record<string, unknown> = { version, nonce: b64(nonce), ciphertext: b64(ciphertext) };
      if (opts?.algorithm) req["algorithm"] = opts.algorithm;
      const body = await json("cipher.decrypt", req, pick(opts));
      return reader("cipher.decrypt", body).base64(body, "plaintext");
    },

    async encryptStream(input, opts) {
      const bytes = await collectInput("cipher.encrypt", input, maxCipherBytes, opts?.signal);
      const res = await call({ operation: "cipher.encrypt", body: bytes, contentType: STREAM_CONTENT_TYPE }, pick(opts));
      const blob = res.bytes;
      if (blob.length < 1 + CIPHER_NONCE_BYTES + GCM_TAG_BYTES || blob[0] !== CIPHER_VERSION) {
        new BodyReader("cipher.encrypt", res.attempts).fail(
          `the ${blob.length}-byte body is not a version ${CIPHER_VERSION} cipher blob (version byte, ${CIPHER_NONCE_BYTES}-byte nonce, ciphertext and ${GCM_TAG_BYTES}-byte tag)`,
        );
      }
      return blob;
    },

    async decryptStream(input, opts) {
      const bytes = await collectInput("cipher.decrypt", input, maxCipherBytes + 1 + CIPHER_NONCE_BYTES, opts?.signal);
      if (check && bytes.length < 1 + CIPHER_NONCE_BYTES) {
        throw invalid("cipher.decrypt", `the cipher blob is ${bytes.length} bytes; it needs a version byte and a 12-byte nonce first`);
      }
      if (check && bytes[0] !== CIPHER_VERSION) throw invalid("cipher.decrypt", `cipher blob version ${String(bytes[0])} is not supported; nexus only accepts 1`);
      const res = await call({ operation: "cipher.decrypt", body: bytes, contentType: STREAM_CONTENT_TYPE }, pick(opts));
      return res.bytes;
    },

    async recover(opts) {
      const body = await json("operator.recover", {}, pick(opts));
      const r = reader("operator.recover", body);
      const out: RecoveredShard[] = [];
      for (const [key, raw] of Object.entries(r.optionalObject(body, "shards"))) {
        // Go writes int map keys as plain decimals: " 1", "1.0" or "01" would alias index 1.
        const index = /^[1-9][0-9]{0,8}$/.test(key) ? Number(key) : Number.NaN;
        if (!Number.isInteger(index)) r.fail(`shard key "${key.slice(0, 40)}" is not an index`);
        if (!Array.isArray(raw) || raw.length !== SHARD_BYTES || !raw.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) {
          r.fail(`shard ${key} is not ${SHARD_BYTES} byte values`);
        }
        out.push({ index, shard: Uint8Array.from(raw as number[]) });
      }
      return out.sort((a, b) => a.index - b.index);
    },

    async restore(index, shard, opts) {
      try {
        assertShardIndex(index);
        if (!(shard instanceof Uint8Array)) throw new NexusModelError("shard_invalid", "nexus-model: the shard must be a Uint8Array of 32 bytes");
        assertShard(shard);
      } catch (e) {
        if (!check && NexusModelError.is(e) && shard instanceof Uint8Array) {
          // send as given
        } else if (NexusModelError.is(e)) {
          throw new NexusError("invalid_input", e.message.replace(/^nexus-model: /, "nexus: "), { operation: "operator.restore", cause: e });
        } else throw e;
      }
      const numbers = Array.from(shard);
      try {
        const body = await json("operator.restore", { id: index, shard: numbers }, pick(opts));
        const r = reader("operator.restore", body);
        return { collected: r.int(body, "collected"), remaining: r.int(body, "remaining"), restored: r.bool(body, "restored") };
      } finally {
        numbers.fill(0);
      }
    },

    async verifyBootstrap(input, opts) {
      if (typeof input !== "object" || input === null || !(input.nonce instanceof Uint8Array) || !(input.ciphertext instanceof Uint8Array)) {
        throw invalid("bootstrap.verify", "verifyBootstrap needs { nonce, ciphertext } as Uint8Array");
      }
      if (check && input.nonce.length !== CIPHER_NONCE_BYTES) throw invalid("bootstrap.verify", `the nonce must be ${CIPHER_NONCE_BYTES} bytes`);
      if (check && input.ciphertext.length > maxCipherBytes) {
        throw invalid("bootstrap.verify", `the ciphertext is ${input.ciphertext.length} bytes; nexus accepts at most ${maxCipherBytes}`);
      }
      const body = await json("bootstrap.verify", { nonce: b64(input.nonce), ciphertext: b64(input.ciphertext) }, pick(opts));
      const hash = reader("bootstrap.verify", body).string(body, "hash");
      if (!/^[0-9a-f]{64}$/i.test(hash)) reader("bootstrap.verify", body).fail('"hash" is not a hex sha-256');
      return hash.toLowerCase();
    },

    async close() {
      calls.close();
    },
  };
  return Object.freeze(client);
}
