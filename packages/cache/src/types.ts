import type { CacheClock, CacheTimers } from "./clock.js";
import type { CacheError } from "./errors.js";

/** Why the cache is calling a loader. */
export type LoadReason = "miss" | "refresh";

/** What the cache tells `loadVersion()` about the call. */
export interface VersionLoadContext {
  /** The caller identity (SPIFFE ID) the cache holds entries for; `undefined` if none was set. */
  readonly identity: string | undefined;
  /** `"miss"` when a caller waits for the answer, `"refresh"` for a background refresh. */
  readonly reason: LoadReason;
  /** Fires when the cache closes or the load times out; pass it to the network call. */
  readonly signal: AbortSignal;
}

/** What the cache tells `load()` about the call. */
export interface LoadContext extends VersionLoadContext {
  /**
   * The exact version to fetch, or `undefined` for the current one. When `loadVersion` is
   * configured the cache first asks it for the current version and then passes that number
   * here, so the value and the version it is cached under always match.
   */
  readonly version: number | undefined;
}

/** Fetches the value of the secret at `path` (for the SDK: Nexus "get secret"). */
export type SecretLoader<V> = (path: string, context: LoadContext) => Promise<V>;

/**
 * Fetches the current version number of the secret at `path`, cheaply (for the SDK: Nexus
 * "get metadata", `metadata.currentVersion`). Must be a positive safe integer; throw (for
 * example on Nexus 404, when every version is deleted) to report that there is none.
 */
export type VersionLoader = (path: string, context: VersionLoadContext) => Promise<number>;

/** Options of {@link createSecretCache}. */
export interface SecretCacheOptions<V> {
  /** Fetches a secret's value; called once per miss (single-flight) and on changed versions. */
  load: SecretLoader<V>;
  /**
   * Fetches a secret's current version. When given, refreshes first compare versions and call
   * `load` only when the version changed. Not used for pinned-version gets.
   */
  loadVersion?: VersionLoader;
  /** How long, in ms, a loaded value is served as fresh. Required; 0 < ttlMs, ttlMs + staleIfErrorMs <= 2^31 - 1. */
  ttlMs: number;
  /**
   * How far ahead of expiry background refreshes fire, as a fraction `j` of `ttlMs` in [0, 1):
   * a refresh fires at a random point in `[ttlMs * (1 - j), ttlMs * (1 - j / 2))` after the
   * load, so entries loaded together do not refresh together. Default 0.1.
   */
  refreshJitter?: number;
  /** Whether entries read since their last load are refreshed in the background. Default true. */
  backgroundRefresh?: boolean;
  /**
   * How long, in ms after expiry, a cached value may still be served when reloading it fails.
   * Default 0 (never serve an expired value).
   */
  staleIfErrorMs?: number;
  /** The most entries kept; the least recently used is evicted beyond it. Default 1000. */
  maxEntries?: number;
  /** A load (version check plus fetch) that takes longer than this fails with `timeout`. Default 30_000; `Infinity` disables. */
  loadTimeoutMs?: number;
  /** First delay before retrying a failed background refresh; doubles up to `ttlMs`. Default 1000. */
  retryBaseMs?: number;
  /** The clock; default monotonic `performance.now()`. Inject with `timers` in tests. */
  clock?: CacheClock;
  /** The timer functions; default Node's. Handles are `unref()`'d when they allow it. */
  timers?: CacheTimers;
  /** A uniform random source in [0, 1) for jitter; default `Math.random`. */
  random?: () => number;
  /**
   * The caller identity (SPIFFE ID) entries belong to: a fixed string, or a getter checked on
   * every access. When it changes every entry is flushed. See also `setIdentity()`.
   */
  identity?: string | (() => string | undefined);
  /** Compares values when versions are unknown, to decide whether `onChange` fires. Default: structural equality of plain data. */
  equals?: (a: V, b: V) => boolean;
  /**
   * Turns a value into text that is equal exactly when values are equal, for the fingerprint a
   * dropped entry leaves behind (HMAC-SHA256 under a per-cache random key; the text itself is not
   * kept). Default: a canonical form of plain data. Return `undefined` when there is none; without
   * versions, a reload of a dropped path then cannot tell a change and emits nothing.
   */
  fingerprint?: (value: V) => string | undefined;
  /** Deep-freeze plain objects and arrays returned by `load` (they are shared by all callers). Default true. */
  freeze?: boolean;
  /** Receives background failures (`refresh_failed`, `listener_failed`); never a secret value. */
  onError?: (error: CacheError) => void;
}

/** Options of {@link SecretCache.get}. */
export interface GetOptions {
  /** A pinned version to fetch; `undefined` or 0 means the current version. */
  version?: number;
  /** Stops waiting; the caller's promise rejects with `aborted`. A load shared with other callers goes on. */
  signal?: AbortSignal;
}

/** Options of the synchronous lookups {@link SecretCache.getIfFresh} and {@link SecretCache.peek}. */
export interface LookupOptions {
  /** A pinned version; `undefined` or 0 means the current version. */
  version?: number;
}

/** What {@link SecretCache.peek} reports about a cached entry. */
export interface CacheEntryView<V> {
  /** The secret path. */
  readonly path: string;
  /** The cached value (shared; do not change it). */
  readonly value: V;
  /** The version the value belongs to, when known (pinned, or reported by `loadVersion`). */
  readonly version: number | undefined;
  /** Whether the value is within its TTL. */
  readonly fresh: boolean;
  /** Milliseconds since the value was loaded or last confirmed current. */
  readonly ageMs: number;
}

/** An `onChange` event: a cached current value was replaced by a different one. No secret values. */
export interface CacheChangeEvent {
  /** The secret path. */
  readonly path: string;
  /** The identity the entry belongs to. */
  readonly identity: string | undefined;
  /** The version that was cached, when known. */
  readonly oldVersion: number | undefined;
  /** The version now cached, when known. */
  readonly newVersion: number | undefined;
  /** `"refresh"` for a background refresh, `"reload"` when a get reloaded an expired entry. */
  readonly reason: "refresh" | "reload";
}

/** A listener for {@link CacheChangeEvent}s. */
export type CacheChangeListener = (event: CacheChangeEvent) => void;

/** Counters since the cache was made; `size` is the current entry count. */
export interface CacheStats {
  /** Lookups answered from memory with a fresh value. */
  readonly hits: number;
  /** Lookups not answered with a fresh value (a `get` then loads or joins a load). */
  readonly misses: number;
  /** Calls to `load`. */
  readonly loads: number;
  /** Calls to `loadVersion`. */
  readonly versionChecks: number;
  /** Background refreshes started. */
  readonly refreshes: number;
  /** Failed loads, version checks and timeouts. */
  readonly errors: number;
  /** Times an expired value was served because reloading it failed. */
  readonly staleServed: number;
  /** Entries evicted to stay within `maxEntries`. */
  readonly evictions: number;
  /** Times the identity changed and every entry was dropped. */
  readonly flushes: number;
  /** Entries currently held (including ones still loading). */
  readonly size: number;
}

/** A memory-only, LRU-bounded cache of secrets for one caller identity at a time. */
export interface SecretCache<V> {
  /**
   * The value at `path` (current, or `options.version`): from memory when fresh (the same
   * already-resolved promise every time), otherwise loaded once for all concurrent callers.
   * Rejects with `CacheError` `load_failed`, `stale`, `aborted`, `closed` or `identity_unavailable`.
   */
  get(path: string, options?: GetOptions): Promise<V>;
  /** The fresh cached value at `path`, synchronously, or `undefined`; never loads. The fastest hit path. */
  getIfFresh(path: string, options?: LookupOptions): V | undefined;
  /** The cached entry at `path`, fresh or not, without loading, counting or touching LRU order. */
  peek(path: string, options?: LookupOptions): CacheEntryView<V> | undefined;
  /** Drops every entry of `path` (current and pinned versions); returns how many were dropped. */
  invalidate(path: string): number;
  /** Drops every entry. */
  clear(): void;
  /** The identity entries belong to now. */
  readonly identity: string | undefined;
  /** Sets the caller identity (SPIFFE ID); a different value drops every entry. Hook it to `X509Source.onUpdate`. */
  setIdentity(identity: string | undefined): void;
  /** Listens for changes of any path; returns an unsubscribe function. */
  onChange(listener: CacheChangeListener): () => void;
  /** Listens for changes of one path; returns an unsubscribe function. */
  onChange(path: string, listener: CacheChangeListener): () => void;
  /** A snapshot of the counters. */
  stats(): CacheStats;
  /** How many entries are held. */
  readonly size: number;
  /** Stops every timer, drops every entry and fails pending gets with `closed`. Idempotent. */
  close(): Promise<void>;
}
