import { createHmac, randomBytes } from "node:crypto";
import { monotonicClock, nodeTimers, unrefTimer } from "./clock.js";
import type { CacheClock, CacheTimers, TimerHandle } from "./clock.js";
import { DeadlineQueue } from "./deadline-queue.js";
import type { Deadline } from "./deadline-queue.js";
import { CacheError } from "./errors.js";
import { LruList } from "./lru-list.js";
import type { LruNode } from "./lru-list.js";
import type {
  CacheChangeEvent,
  CacheChangeListener,
  CacheEntryView,
  CacheStats,
  GetOptions,
  LoadReason,
  LookupOptions,
  SecretCache,
  SecretCacheOptions,
  SecretLoader,
  VersionLoader,
} from "./types.js";
import { canonicalPlain, freezePlain, plainEqual } from "./values.js";

/** Node fires longer timeouts after 1 ms, so every delay the cache uses must stay below this. */
const MAX_TIMER_MS = 2_147_483_647;

/** One in-flight load (version check plus fetch) shared by every caller waiting on a key. */
interface Operation<V> {
  readonly controller: AbortController;
  readonly reason: LoadReason;
  promise: Promise<V>;
  /** Waiters that passed a signal and have not aborted. */
  waiters: number;
  /** True once a waiter without a signal joined, or for background refreshes: never abort for lost interest. */
  keep: boolean;
  /** True once any get joined (so a stale answer counts as served). */
  joined: boolean;
  timeout: TimerHandle | undefined;
}

/** What an entry's deadline does when it falls due. */
const enum Due {
  Refresh = 0,
  Drop = 1,
}

/** A cached key: the current version of a path, or one pinned version of it. */
interface Entry<V> extends LruNode, Deadline {
  readonly path: string;
  /** The map key: the path, or `version:path` for a pinned version. */
  readonly key: string;
  /** The pinned version, or `undefined` for the current-version entry. */
  readonly pinned: number | undefined;
  hasValue: boolean;
  value: V | undefined;
  /** An already-resolved promise of `value`, handed to every hit so hits allocate nothing. */
  promise: Promise<V> | undefined;
  version: number | undefined;
  loadedAt: number;
  freshUntil: number;
  staleUntil: number;
  /** Read since the last successful load: only such entries are refreshed in the background. */
  read: boolean;
  /** The refresh timer fired while unread; the next read starts a refresh. */
  idle: boolean;
  /** What happens at `dueAt` (refresh or drop), while the entry sits in the deadline queue. */
  due: Due;
  op: Operation<V> | undefined;
  removed: boolean;
  retries: number;
  /** What was known about the path before this entry held a value (from its tombstone). */
  previous: Tombstone | undefined;
}

/**
 * What the cache remembers about a current value it dropped (lapsed, expired, evicted, invalidated):
 * its version and a keyed fingerprint, never the value, so a later reload can tell whether it changed.
 */
interface Tombstone {
  readonly version: number | undefined;
  /** HMAC-SHA256 (per-cache random key) of the value's canonical form; `undefined` when it has none. */
  readonly fingerprint: string | undefined;
}

const noop = (): void => {};

function fail(message: string): never {
  throw new CacheError("invalid_options", `cache: ${message}`);
}

function checkFunction(value: unknown, name: string, optional: boolean): void {
  if (value === undefined && optional) return;
  if (typeof value !== "function") fail(`option ${name} must be a function`);
}

function checkNumber(value: unknown, name: string, min: number, max: number, integer = false): void {
  if (
    typeof value !== "number" ||
    Number.isNaN(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isSafeInteger(value))
  ) {
    fail(`option ${name} must be ${integer ? "an integer" : "a number"} from ${min} to ${max}`);
  }
}

function checkBoolean(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== "boolean") fail(`option ${name} must be a boolean`);
}

/** Clamps a random draw into [0, 1) so a bad `random()` cannot push timers out of bounds. */
function unit(random: () => number): number {
  const r = random();
  return r >= 0 && r < 1 ? r : 0;
}

function describe(path: string, pinned: number | undefined): string {
  return pinned === undefined ? `path ${path}` : `path ${path} version ${pinned}`;
}

class SecretCacheImpl<V> implements SecretCache<V> {
  private readonly loadValue: SecretLoader<V>;
  private readonly loadVersion: VersionLoader | undefined;
  private readonly ttlMs: number;
  private readonly refreshJitter: number;
  private readonly backgroundRefresh: boolean;
  private readonly staleIfErrorMs: number;
  private readonly maxEntries: number;
  private readonly loadTimeoutMs: number;
  private readonly retryBaseMs: number;
  private readonly clock: CacheClock;
  private readonly timers: CacheTimers;
  private readonly random: () => number;
  private readonly identityGetter: (() => string | undefined) | undefined;
  private readonly equals: (a: V, b: V) => boolean;
  private readonly freeze: boolean;
  private readonly onError: ((error: CacheError) => void) | undefined;
  private readonly fingerprintOf: ((value: V) => string | undefined) | undefined;
  /** Per-cache HMAC key for fingerprints, so a fingerprint cannot be checked against guesses elsewhere. */
  private readonly fingerprintKey = randomBytes(32);
  /** Paths whose current value was dropped, in insertion (LRU) order, bounded by `maxEntries`. */
  private readonly tombstones = new Map<string, Tombstone>();

  private readonly current = new Map<string, Entry<V>>();
  private readonly pinned = new Map<string, Entry<V>>();
  private readonly lru = new LruList<Entry<V>>();
  private readonly deadlines: DeadlineQueue<Entry<V>>;
  private readonly listeners = new Set<CacheChangeListener>();
  private readonly pathListeners = new Map<string, Set<CacheChangeListener>>();
  private currentIdentity: string | undefined;
  private closed = false;

  private hits = 0;
  private misses = 0;
  private loads = 0;
  private versionChecks = 0;
  private refreshes = 0;
  private errors = 0;
  private staleServed = 0;
  private evictions = 0;
  private flushes = 0;

  constructor(options: SecretCacheOptions<V>) {
    if (typeof options !== "object" || options === null) fail("options must be an object");
    checkFunction(options.load, "load", false);
    checkFunction(options.loadVersion, "loadVersion", true);
    checkNumber(options.ttlMs, "ttlMs", 1, MAX_TIMER_MS);
    const staleIfErrorMs = options.staleIfErrorMs ?? 0;
    checkNumber(staleIfErrorMs, "staleIfErrorMs", 0, MAX_TIMER_MS - options.ttlMs);
    const refreshJitter = options.refreshJitter ?? 0.1;
    checkNumber(refreshJitter, "refreshJitter", 0, 0.999_999);
    const maxEntries = options.maxEntries ?? 1000;
    checkNumber(maxEntries, "maxEntries", 1, Number.MAX_SAFE_INTEGER, true);
    const loadTimeoutMs = options.loadTimeoutMs ?? 30_000;
    if (loadTimeoutMs !== Number.POSITIVE_INFINITY) checkNumber(loadTimeoutMs, "loadTimeoutMs", 1, MAX_TIMER_MS);
    const retryBaseMs = options.retryBaseMs ?? 1000;
    checkNumber(retryBaseMs, "retryBaseMs", 1, MAX_TIMER_MS);
    checkBoolean(options.backgroundRefresh, "backgroundRefresh");
    checkBoolean(options.freeze, "freeze");
    if (options.clock !== undefined && typeof options.clock?.now !== "function") fail("option clock must have now()");
    if (
      options.timers !== undefined &&
      (typeof options.timers?.setTimeout !== "function" || typeof options.timers?.clearTimeout !== "function")
    ) {
      fail("option timers must have setTimeout() and clearTimeout()");
    }
    checkFunction(options.random, "random", true);
    checkFunction(options.equals, "equals", true);
    checkFunction(options.onError, "onError", true);
    checkFunction(options.fingerprint, "fingerprint", true);
    const identity = options.identity;
    if (identity !== undefined && typeof identity !== "string" && typeof identity !== "function") {
      fail("option identity must be a string or a function");
    }

    this.loadValue = options.load;
    this.loadVersion = options.loadVersion;
    this.ttlMs = options.ttlMs;
    this.refreshJitter = refreshJitter;
    this.backgroundRefresh = options.backgroundRefresh ?? true;
    this.staleIfErrorMs = staleIfErrorMs;
    this.maxEntries = maxEntries;
    this.loadTimeoutMs = loadTimeoutMs;
    this.retryBaseMs = retryBaseMs;
    this.clock = options.clock ?? monotonicClock;
    this.timers = options.timers ?? nodeTimers;
    this.random = options.random ?? Math.random;
    this.equals = options.equals ?? plainEqual;
    this.freeze = options.freeze ?? true;
    this.onError = options.onError;
    this.fingerprintOf = options.fingerprint;
    this.deadlines = new DeadlineQueue<Entry<V>>(this.clock, this.timers, (entry) => this.onDue(entry));
    this.identityGetter = typeof identity === "function" ? identity : undefined;
    this.currentIdentity = typeof identity === "string" ? identity : undefined;
    // A getter is read once up front so the first access does not count as a change.
    if (this.identityGetter !== undefined) {
      try {
        this.currentIdentity = this.identityGetter();
      } catch {
        this.currentIdentity = undefined;
      }
    }
  }

  // ---------------------------------------------------------------- lookups

  get(path: string, options?: GetOptions): Promise<V> {
    if (this.closed) return Promise.reject(this.closedError(path));
    if (this.identityGetter !== undefined) {
      const problem = this.syncIdentity();
      if (problem !== undefined) return Promise.reject(problem);
    }
    let entry: Entry<V> | undefined;
    let pinned: number | undefined;
    if (options === undefined || options.version === undefined || options.version === 0) {
      if (typeof path !== "string" || path === "") return Promise.reject(badPath(path));
      entry = this.current.get(path);
    } else {
      pinned = options.version;
      const problem = checkLookup(path, pinned);
      if (problem !== undefined) return Promise.reject(problem);
      entry = this.pinned.get(`${pinned}:${path}`);
    }
    const signal = options?.signal;
    if (entry !== undefined && entry.hasValue && this.clock.now() < entry.freshUntil) {
      if (signal !== undefined && signal.aborted) return Promise.reject(abortedError(path, pinned, signal));
      this.hits++;
      this.lru.touch(entry);
      if (!entry.read) this.markRead(entry);
      return entry.promise as Promise<V>;
    }
    return this.miss(path, pinned, entry, signal);
  }

  getIfFresh(path: string, options?: LookupOptions): V | undefined {
    if (this.closed) throw this.closedError(path);
    if (this.identityGetter !== undefined) {
      const problem = this.syncIdentity();
      if (problem !== undefined) throw problem;
    }
    let entry: Entry<V> | undefined;
    if (options === undefined || options.version === undefined || options.version === 0) {
      entry = this.current.get(path);
    } else {
      const problem = checkLookup(path, options.version);
      if (problem !== undefined) throw problem;
      entry = this.pinned.get(`${options.version}:${path}`);
    }
    if (entry !== undefined && entry.hasValue && this.clock.now() < entry.freshUntil) {
      this.hits++;
      this.lru.touch(entry);
      if (!entry.read) this.markRead(entry);
      return entry.value;
    }
    this.misses++;
    return undefined;
  }

  peek(path: string, options?: LookupOptions): CacheEntryView<V> | undefined {
    if (this.closed) throw this.closedError(path);
    if (this.identityGetter !== undefined) {
      const problem = this.syncIdentity();
      if (problem !== undefined) throw problem;
    }
    const version = options?.version;
    const problem = checkLookup(path, version);
    if (problem !== undefined) throw problem;
    const entry =
      version === undefined || version === 0 ? this.current.get(path) : this.pinned.get(`${version}:${path}`);
    if (entry === undefined || !entry.hasValue) return undefined;
    const now = this.clock.now();
    return {
      path: entry.path,
      value: entry.value as V,
      version: entry.version,
      fresh: now < entry.freshUntil,
      ageMs: Math.max(0, now - entry.loadedAt),
    };
  }

  // ---------------------------------------------------------------- management

  invalidate(path: string): number {
    if (this.closed) return 0;
    if (typeof path !== "string" || path === "") throw badPath(path);
    let dropped = 0;
    const entry = this.current.get(path);
    if (entry !== undefined) {
      this.remove(entry);
      dropped++;
    }
    for (const pinnedEntry of [...this.pinned.values()]) {
      if (pinnedEntry.path === path) {
        this.remove(pinnedEntry);
        dropped++;
      }
    }
    return dropped;
  }

  clear(): void {
    if (this.closed) return;
    this.removeAll();
  }

  get identity(): string | undefined {
    return this.currentIdentity;
  }

  setIdentity(identity: string | undefined): void {
    if (identity !== undefined && (typeof identity !== "string" || identity === "")) {
      throw new CacheError("invalid_argument", "cache: identity must be a non-empty string or undefined");
    }
    if (this.closed || identity === this.currentIdentity) return;
    this.flush(identity);
  }

  onChange(pathOrListener: string | CacheChangeListener, maybeListener?: CacheChangeListener): () => void {
    if (typeof pathOrListener === "function") {
      const listener = pathOrListener;
      if (this.closed) return noop;
      this.listeners.add(listener);
      return () => {
        this.listeners.delete(listener);
      };
    }
    const path = pathOrListener;
    if (typeof path !== "string" || path === "") throw badPath(path);
    if (typeof maybeListener !== "function") {
      throw new CacheError("invalid_argument", "cache: onChange needs a listener function");
    }
    const listener = maybeListener;
    if (this.closed) return noop;
    let set = this.pathListeners.get(path);
    if (set === undefined) {
      set = new Set();
      this.pathListeners.set(path, set);
    }
    set.add(listener);
    return () => {
      const s = this.pathListeners.get(path);
      if (s === undefined) return;
      s.delete(listener);
      if (s.size === 0) this.pathListeners.delete(path);
    };
  }

  stats(): CacheStats {
    return {
      hits: this.hits,
      misses: this.misses,
      loads: this.loads,
      versionChecks: this.versionChecks,
      refreshes: this.refreshes,
      errors: this.errors,
      staleServed: this.staleServed,
      evictions: this.evictions,
      flushes: this.flushes,
      size: this.size,
    };
  }

  get size(): number {
    return this.current.size + this.pinned.size;
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    const reason = new CacheError("closed", "cache: the secret cache was closed");
    this.tombstones.clear();
    for (const entry of [...this.current.values(), ...this.pinned.values()]) {
      const op = entry.op;
      this.remove(entry, true);
      if (op !== undefined) op.controller.abort(reason);
    }
    this.deadlines.clear();
    this.listeners.clear();
    this.pathListeners.clear();
    return Promise.resolve();
  }

  /** What `console.log(cache)` shows: counts only, never the cached values. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `SecretCache { size: ${this.size}, identity: ${JSON.stringify(this.currentIdentity ?? null)}, closed: ${this.closed} }`;
  }

  /** What `JSON.stringify(cache)` gives: the counters, never the cached values. */
  toJSON(): CacheStats & { identity: string | undefined; closed: boolean } {
    return { ...this.stats(), identity: this.currentIdentity, closed: this.closed };
  }

  // ---------------------------------------------------------------- loading

  private miss(path: string, pinned: number | undefined, found: Entry<V> | undefined, signal: AbortSignal | undefined): Promise<V> {
    this.misses++;
    if (signal !== undefined && signal.aborted) return Promise.reject(abortedError(path, pinned, signal));
    let entry = found;
    if (entry === undefined) {
      entry = this.insert(path, pinned);
    } else {
      this.lru.touch(entry);
    }
    const op = entry.op ?? this.start(entry, "miss");
    op.joined = true;
    return this.wait(op, path, pinned, signal);
  }

  private insert(path: string, pinned: number | undefined): Entry<V> {
    const key = pinned === undefined ? path : `${pinned}:${path}`;
    const entry: Entry<V> = {
      path,
      key,
      pinned,
      hasValue: false,
      value: undefined,
      promise: undefined,
      version: pinned,
      loadedAt: 0,
      freshUntil: 0,
      staleUntil: 0,
      read: false,
      idle: false,
      dueAt: 0,
      heapIndex: -1,
      due: Due.Drop,
      op: undefined,
      removed: false,
      retries: 0,
      previous: undefined,
      older: undefined,
      newer: undefined,
      linked: false,
    };
    (pinned === undefined ? this.current : this.pinned).set(key, entry);
    if (pinned === undefined) {
      const tombstone = this.tombstones.get(path);
      if (tombstone !== undefined) {
        this.tombstones.delete(path);
        entry.previous = tombstone;
      }
    }
    this.lru.pushNewest(entry);
    while (this.lru.size > this.maxEntries) {
      const oldest = this.lru.oldest();
      if (oldest === undefined || oldest === entry) break;
      this.remove(oldest);
      this.evictions++;
    }
    return entry;
  }

  private wait(op: Operation<V>, path: string, pinned: number | undefined, signal: AbortSignal | undefined): Promise<V> {
    if (signal === undefined) {
      op.keep = true;
      return op.promise;
    }
    op.waiters++;
    return new Promise<V>((resolve, reject) => {
      let settled = false;
      const onAbort = (): void => {
        if (settled) return;
        settled = true;
        reject(abortedError(path, pinned, signal));
        op.waiters--;
        if (op.waiters === 0 && !op.keep) {
          op.controller.abort(new CacheError("aborted", `cache: every caller waiting for ${describe(path, pinned)} gave up`, { path, version: pinned }));
        }
      };
      signal.addEventListener("abort", onAbort, { once: true });
      op.promise.then(
        (value) => {
          if (settled) return;
          settled = true;
          signal.removeEventListener("abort", onAbort);
          op.waiters--;
          resolve(value);
        },
        (error: unknown) => {
          if (settled) return;
          settled = true;
          signal.removeEventListener("abort", onAbort);
          op.waiters--;
          reject(error);
        },
      );
    });
  }

  private start(entry: Entry<V>, reason: LoadReason): Operation<V> {
    this.clearTimer(entry);
    const op: Operation<V> = {
      controller: new AbortController(),
      reason,
      promise: undefined as unknown as Promise<V>,
      waiters: 0,
      keep: reason === "refresh",
      joined: false,
      timeout: undefined,
    };
    entry.op = op;
    entry.idle = false;
    if (reason === "refresh") this.refreshes++;
    if (this.loadTimeoutMs !== Number.POSITIVE_INFINITY) {
      const { path, pinned } = entry;
      op.timeout = this.timers.setTimeout(() => {
        op.timeout = undefined;
        op.controller.abort(
          new CacheError("timeout", `cache: loading ${describe(path, pinned)} took longer than ${this.loadTimeoutMs} ms`, {
            path,
            version: pinned,
          }),
        );
      }, this.loadTimeoutMs);
      unrefTimer(op.timeout);
    }
    op.promise = this.run(entry, op);
    op.promise.then(noop, noop);
    return op;
  }

  private async run(entry: Entry<V>, op: Operation<V>): Promise<V> {
    const { path, pinned } = entry;
    const signal = op.controller.signal;
    const identity = this.currentIdentity;
    try {
      let version = pinned;
      let value: V;
      let fetched = true;
      if (pinned === undefined && this.loadVersion !== undefined) {
        this.versionChecks++;
        const loadVersion = this.loadVersion;
        const reported = await guard(() => loadVersion(path, { identity, reason: op.reason, signal }), signal);
        if (typeof reported !== "number" || !Number.isSafeInteger(reported) || reported < 1) {
          throw new CacheError("invalid_argument", `cache: loadVersion returned a version that is not a positive integer for path ${path}`, { path });
        }
        version = reported;
        if (entry.hasValue && entry.version === reported && this.isLive(entry, op)) {
          fetched = false;
        }
      }
      if (fetched) {
        this.loads++;
        const loadValue = this.loadValue;
        const v = version;
        value = await guard(() => loadValue(path, { identity, reason: op.reason, signal, version: v }), signal);
        if (this.freeze) value = freezePlain(value);
      } else {
        value = entry.value as V;
      }
      this.finish(op);
      if (this.isLive(entry, op)) this.install(entry, op, value, version, fetched, identity);
      return value;
    } catch (error) {
      this.finish(op);
      if (this.closed) throw this.closedError(path, pinned);
      // Every waiter gave up (their own promises already rejected): not a loader failure.
      const abandoned = op.controller.signal.aborted && CacheError.is(op.controller.signal.reason, "aborted");
      if (!abandoned) this.errors++;
      const live = this.isLive(entry, op);
      if (live) entry.op = undefined;
      const now = this.clock.now();
      if (live && entry.hasValue && now < entry.staleUntil) {
        if (op.reason === "refresh") {
          this.report(new CacheError("refresh_failed", `cache: background refresh of ${describe(path, pinned)} failed; serving the cached value`, { cause: error, path, version: pinned }));
        }
        this.scheduleRetry(entry, now);
        if (now >= entry.freshUntil && op.joined) this.staleServed++;
        return entry.value as V;
      }
      const hadValue = live && entry.hasValue;
      if (live) this.remove(entry);
      const failure = hadValue
        ? new CacheError("stale", `cache: reloading ${describe(path, pinned)} failed and the cached value is past its stale-if-error bound`, { cause: error, path, version: pinned })
        : new CacheError("load_failed", `cache: could not load ${describe(path, pinned)}`, { cause: error, path, version: pinned });
      if (op.reason === "refresh") {
        this.report(new CacheError("refresh_failed", `cache: background refresh of ${describe(path, pinned)} failed; the entry was dropped`, { cause: error, path, version: pinned }));
      }
      throw failure;
    }
  }

  private finish(op: Operation<V>): void {
    if (op.timeout !== undefined) {
      this.timers.clearTimeout(op.timeout);
      op.timeout = undefined;
    }
  }

  private isLive(entry: Entry<V>, op: Operation<V>): boolean {
    return !this.closed && !entry.removed && entry.op === op;
  }

  private install(entry: Entry<V>, op: Operation<V>, value: V, version: number | undefined, fetched: boolean, identity: string | undefined): void {
    const now = this.clock.now();
    const had = entry.hasValue;
    const oldVersion = entry.version;
    const oldValue = entry.value;
    if (fetched || !had) {
      entry.value = value;
      entry.promise = Promise.resolve(value);
    }
    entry.hasValue = true;
    entry.version = version;
    entry.loadedAt = now;
    entry.freshUntil = now + this.ttlMs;
    entry.staleUntil = entry.freshUntil + this.staleIfErrorMs;
    // The get that waited for this load read the value: it counts, so the entry is refreshed ahead
    // of expiry like any entry read since its last load.
    entry.read = op.joined;
    entry.idle = false;
    entry.retries = 0;
    entry.op = undefined;
    this.schedule(entry, now);
    if (entry.pinned !== undefined || !fetched) return;
    let changed: boolean;
    let before = oldVersion;
    if (had) {
      changed =
        oldVersion !== undefined && version !== undefined ? oldVersion !== version : !this.equals(oldValue as V, value);
    } else {
      const previous = entry.previous;
      if (previous === undefined) return;
      entry.previous = undefined;
      before = previous.version;
      changed = this.changedSince(previous, value, version);
    }
    if (changed) {
      this.emit({ path: entry.path, identity, oldVersion: before, newVersion: version, reason: op.reason === "refresh" ? "refresh" : "reload" });
    }
  }

  /** Whether `value` at `version` differs from what a tombstone remembers; unknown counts as unchanged. */
  private changedSince(previous: Tombstone, value: V, version: number | undefined): boolean {
    if (previous.version !== undefined && version !== undefined) return previous.version !== version;
    const now = this.fingerprint(value);
    return previous.fingerprint !== undefined && now !== undefined && previous.fingerprint !== now;
  }

  private fingerprint(value: V): string | undefined {
    let text: string | undefined;
    try {
      text = this.fingerprintOf !== undefined ? this.fingerprintOf(value) : canonicalPlain(value);
    } catch {
      return undefined;
    }
    if (typeof text !== "string") return undefined;
    return createHmac("sha256", this.fingerprintKey).update(text).digest("base64");
  }

  /** Remembers a dropped current value's version and fingerprint, LRU-bounded like the entries. */
  private bury(entry: Entry<V>): void {
    if (entry.pinned !== undefined) return;
    let tombstone: Tombstone | undefined;
    if (entry.hasValue) {
      tombstone = { version: entry.version, fingerprint: this.fingerprint(entry.value as V) };
    } else {
      // A failed reload of a path whose tombstone it carried: keep what was known.
      tombstone = entry.previous;
    }
    if (tombstone === undefined) return;
    this.tombstones.delete(entry.path);
    this.tombstones.set(entry.path, tombstone);
    while (this.tombstones.size > this.maxEntries) {
      const oldest = this.tombstones.keys().next().value as string;
      this.tombstones.delete(oldest);
    }
  }

  // ---------------------------------------------------------------- timers

  private schedule(entry: Entry<V>, now: number): void {
    if (this.backgroundRefresh) {
      // u is uniform in (0.5, 1]: the refresh lands in [ttl * (1 - j), ttl * (1 - j / 2)),
      // so even the latest draw leaves a margin of ttl * j / 2 before expiry.
      const u = 1 - unit(this.random) / 2;
      this.setDue(entry, Due.Refresh, now + this.ttlMs * (1 - this.refreshJitter * u));
    } else {
      this.setDue(entry, Due.Drop, entry.staleUntil);
    }
  }

  private scheduleRetry(entry: Entry<V>, now: number): void {
    if (!this.backgroundRefresh) {
      this.setDue(entry, Due.Drop, entry.staleUntil);
      return;
    }
    const base = Math.min(this.retryBaseMs * 2 ** Math.min(entry.retries, 30), this.ttlMs);
    entry.retries++;
    const at = now + base * (0.5 + unit(this.random) / 2);
    if (at < entry.staleUntil) this.setDue(entry, Due.Refresh, at);
    else this.setDue(entry, Due.Drop, entry.staleUntil);
  }

  private setDue(entry: Entry<V>, due: Due, at: number): void {
    entry.due = due;
    this.deadlines.schedule(entry, at);
  }

  private clearTimer(entry: Entry<V>): void {
    this.deadlines.cancel(entry);
  }

  private onDue(entry: Entry<V>): void {
    if (this.closed || entry.removed || entry.op !== undefined) return;
    if (entry.due === Due.Drop) {
      this.remove(entry);
      return;
    }
    if (entry.read || entry.retries > 0) {
      this.start(entry, "refresh");
      return;
    }
    // Nobody read it since it was loaded: let it lapse instead of loading it forever.
    entry.idle = true;
    this.setDue(entry, Due.Drop, entry.staleUntil);
  }

  private markRead(entry: Entry<V>): void {
    entry.read = true;
    if (entry.idle && entry.op === undefined && this.backgroundRefresh) this.start(entry, "refresh");
  }

  // ---------------------------------------------------------------- removal, identity, events

  /** Drops an entry; unless `forget`, a current value leaves a tombstone so a reload can report a change. */
  private remove(entry: Entry<V>, forget = false): void {
    if (entry.removed) return;
    if (!forget) this.bury(entry);
    entry.removed = true;
    this.clearTimer(entry);
    this.lru.unlink(entry);
    (entry.pinned === undefined ? this.current : this.pinned).delete(entry.key);
    entry.value = undefined;
    entry.promise = undefined;
    entry.hasValue = false;
    entry.op = undefined;
    entry.previous = undefined;
  }

  /** Drops every entry and every tombstone (identity change, `clear()`, `close()`). */
  private removeAll(): void {
    for (const entry of [...this.current.values(), ...this.pinned.values()]) this.remove(entry, true);
    this.tombstones.clear();
  }

  private flush(identity: string | undefined): void {
    this.currentIdentity = identity;
    this.flushes++;
    this.removeAll();
  }

  /** Reads the identity getter; flushes on a change; returns an error (after flushing) if it throws. */
  private syncIdentity(): CacheError | undefined {
    let id: string | undefined;
    try {
      id = (this.identityGetter as () => string | undefined)();
    } catch (error) {
      if (this.size > 0 || this.currentIdentity !== undefined) this.flush(undefined);
      return new CacheError("identity_unavailable", "cache: the identity getter failed; every entry was dropped", { cause: error });
    }
    if (id !== this.currentIdentity) this.flush(id);
    return undefined;
  }

  private emit(event: CacheChangeEvent): void {
    const scoped = this.pathListeners.get(event.path);
    if (this.listeners.size === 0 && scoped === undefined) return;
    const all = [...this.listeners, ...(scoped ?? [])];
    for (const listener of all) {
      try {
        listener(event);
      } catch (error) {
        this.report(new CacheError("listener_failed", `cache: an onChange listener for path ${event.path} threw`, { cause: error, path: event.path }));
      }
    }
  }

  private report(error: CacheError): void {
    if (this.onError === undefined) return;
    try {
      this.onError(error);
    } catch {
      // A failing error hook must not break the cache.
    }
  }

  private closedError(path: string, pinned?: number): CacheError {
    return new CacheError("closed", "cache: the secret cache is closed", { path, version: pinned });
  }
}

function badPath(path: unknown): CacheError {
  return new CacheError("invalid_argument", `cache: path must be a non-empty string, got ${typeof path === "string" ? "an empty string" : typeof path}`);
}

function checkLookup(path: unknown, version: unknown): CacheError | undefined {
  if (typeof path !== "string" || path === "") return badPath(path);
  if (version !== undefined && (typeof version !== "number" || !Number.isSafeInteger(version) || version < 0)) {
    return new CacheError("invalid_argument", "cache: version must be a non-negative integer", { path });
  }
  return undefined;
}

function abortedError(path: string, pinned: number | undefined, signal: AbortSignal): CacheError {
  return new CacheError("aborted", `cache: waiting for ${describe(path, pinned)} was aborted`, {
    cause: signal.reason,
    path,
    version: pinned,
  });
}

/** Runs a loader, turning a synchronous throw into a rejection and racing it against `signal`. */
function guard<T>(call: () => Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    let pending: Promise<T>;
    try {
      pending = Promise.resolve(call());
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Makes a memory-only, LRU-bounded secret cache: single-flight loads, jittered background refresh
 * ahead of expiry, version-aware refresh (with `loadVersion`), bounded stale-on-error, and a flush
 * when the caller identity changes. It imports no other spike-ts package: pass `load` (and
 * `loadVersion`) functions bound to your Nexus client.
 *
 * @example
 * ```ts
 * const cache = createSecretCache({
 *   load: (path, { version, signal }) => nexus.getSecret(path, { version, signal }),
 *   loadVersion: async (path, { signal }) => (await nexus.getSecretMetadata(path, { signal })).metadata.currentVersion,
 *   ttlMs: 60_000,
 *   staleIfErrorMs: 300_000,
 * });
 * source.onUpdate(() => cache.setIdentity(source.getX509Svid().id.toString()));
 * const db = await cache.get("apps/web/db");
 * ```
 */
export function createSecretCache<V = Record<string, string>>(options: SecretCacheOptions<V>): SecretCache<V> {
  return new SecretCacheImpl<V>(options);
}
