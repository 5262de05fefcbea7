const brand: unique symbol = Symbol.for("@spike-ts/cache.error");

/**
 * The string codes a {@link CacheError} carries.
 *
 * - `load_failed`: `load()` or `loadVersion()` failed (or timed out) and there was no cached value
 *   to fall back on; `cause` holds the loader's error.
 * - `stale`: the loader failed and the cached value is older than the stale-if-error bound, so it
 *   is not served; `cause` holds the loader's error.
 * - `aborted`: the caller's `AbortSignal` fired before the value arrived; `cause` is the reason.
 * - `timeout`: a load took longer than `loadTimeoutMs` (found as the `cause` of `load_failed`/`stale`).
 * - `closed`: the cache was closed.
 * - `identity_unavailable`: the `identity()` getter threw; the cache was flushed (fail closed).
 * - `refresh_failed`: a background refresh failed (only passed to `onError`, never thrown).
 * - `listener_failed`: an `onChange` listener threw (only passed to `onError`).
 * - `invalid_options`: `createSecretCache()` got an option it cannot use.
 * - `invalid_argument`: a method got a path or version it cannot use.
 */
export type CacheErrorCode =
  | "load_failed"
  | "stale"
  | "aborted"
  | "timeout"
  | "closed"
  | "identity_unavailable"
  | "refresh_failed"
  | "listener_failed"
  | "invalid_options"
  | "invalid_argument";

/** Extra facts a {@link CacheError} can carry; never a secret value. */
export interface CacheErrorDetails {
  /** The secret path the error is about, when there is one. */
  readonly path?: string;
  /** The pinned version asked for, when there is one. */
  readonly version?: number;
}

/**
 * The one error class of `@spike-ts/cache`: a string `code`, the loader's error as `cause`,
 * and never a secret value in its message or fields.
 */
export class CacheError extends Error {
  override name = "CacheError";
  readonly [brand] = true;
  /** What went wrong, as a stable string code. */
  readonly code: CacheErrorCode;
  /** The secret path involved, if any. */
  readonly path: string | undefined;
  /** The pinned version involved, if any. */
  readonly version: number | undefined;

  /** Makes an error; `message` must be lower case, start with `cache:` and hold no secret. */
  constructor(code: CacheErrorCode, message: string, options?: ErrorOptions & CacheErrorDetails) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = options?.path;
    this.version = options?.version;
  }

  /**
   * Tells whether `v` is a `CacheError` (from any copy of this package), optionally with `code`;
   * with a code, `v.code` is narrowed to it.
   */
  static is<C extends CacheErrorCode = CacheErrorCode>(v: unknown, code?: C): v is CacheError & { readonly code: C } {
    return (
      typeof v === "object" &&
      v !== null &&
      brand in v &&
      (code === undefined || (v as CacheError).code === code)
    );
  }
}
