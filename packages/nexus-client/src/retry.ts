/** When and how often a call is retried. Only safe failures are ever retried (see README). */
export interface RetryOptions {
  /** Total attempts including the first; 1 turns retries off. Default 4. */
  readonly maxAttempts?: number;
  /** The delay before the first retry. Default 250 ms. */
  readonly initialDelayMs?: number;
  /** The largest delay between attempts. Default 5000 ms. */
  readonly maxDelayMs?: number;
  /** The growth factor per retry. Default 2. */
  readonly multiplier?: number;
  /** The randomization factor: each delay is scaled by a random factor in [1 - jitter, 1 + jitter]. Default 0.5. */
  readonly jitter?: number;
}

/** Retry settings with every field filled in. @internal */
export interface ResolvedRetry {
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly multiplier: number;
  readonly jitter: number;
}

/** The defaults of {@link RetryOptions}. */
export const DEFAULT_RETRY: Readonly<Required<RetryOptions>> = Object.freeze({
  maxAttempts: 4,
  initialDelayMs: 250,
  maxDelayMs: 5000,
  multiplier: 2,
  jitter: 0.5,
});

/** Checks and fills retry options; returns an error message for bad values. @internal */
export function resolveRetry(retry: RetryOptions | false | undefined): ResolvedRetry | string {
  if (retry === false) return { ...DEFAULT_RETRY, maxAttempts: 1 };
  const r = { ...DEFAULT_RETRY, ...(retry ?? {}) };
  if (!Number.isInteger(r.maxAttempts) || r.maxAttempts < 1) return "retry.maxAttempts must be an integer >= 1";
  if (!(r.initialDelayMs >= 0) || !Number.isFinite(r.initialDelayMs)) return "retry.initialDelayMs must be a finite number >= 0";
  if (!(r.maxDelayMs >= r.initialDelayMs) || !Number.isFinite(r.maxDelayMs)) return "retry.maxDelayMs must be finite and >= initialDelayMs";
  if (!(r.multiplier >= 1) || !Number.isFinite(r.multiplier)) return "retry.multiplier must be a finite number >= 1";
  if (!(r.jitter >= 0 && r.jitter <= 1)) return "retry.jitter must be between 0 and 1";
  return r;
}

/**
 * The delay before retry number `retry` (0 for the first retry): exponential,
 * capped, then scaled by a random factor in [1 - jitter, 1 + jitter].
 */
export function backoffDelay(r: ResolvedRetry, retry: number, random: () => number): number {
  const base = Math.min(r.maxDelayMs, r.initialDelayMs * r.multiplier ** retry);
  const factor = 1 - r.jitter + 2 * r.jitter * random();
  return Math.max(0, Math.round(base * factor));
}

/**
 * Network error codes that mean the connection was never established, so the
 * request was not written and any operation may be retried.
 */
const NOT_SENT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/** Network error codes that may have hit after the request was written. */
const MAYBE_SENT_CODES = new Set([
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_RESPONSE_STATUS_CODE",
]);

/**
 * The brand of `@spike-ts/mtls-transport`'s error, read without importing it (L1 packages stay
 * apart). Its messages name the server and what to do, and never carry secrets.
 */
const MTLS_ERROR_BRAND = Symbol.for("@spike-ts/mtls-transport.error");

/** Whether `e` is an mTLS-layer error (a handshake or peer check failed). @internal */
export function isMtlsError(e: unknown): e is Error & { code: string } {
  return typeof e === "object" && e !== null && MTLS_ERROR_BRAND in e && e instanceof Error;
}

/**
 * The error code string of `e` or of a cause in its chain. An mTLS-layer error answers with its
 * own code (the handshake failed, so nothing was sent, and retrying does not fix identities).
 * @internal
 */
export function networkCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let depth = 0; depth < 5 && typeof cur === "object" && cur !== null; depth++) {
    if (isMtlsError(cur)) return typeof cur.code === "string" ? cur.code : undefined;
    const code = (cur as { code?: unknown }).code;
    if (typeof code === "string" && (NOT_SENT_CODES.has(code) || MAYBE_SENT_CODES.has(code))) return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  const code = typeof e === "object" && e !== null ? (e as { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : undefined;
}

/** How a transport failure relates to the request. @internal */
export type TransportPhase = "not-sent" | "maybe-sent" | "config";

/**
 * Classifies a transport failure: connect-phase errors are `not-sent`; resets
 * and socket errors are `maybe-sent`; anything else (TLS verification, the
 * server's SPIFFE ID refused, bad options) is `config` and never retried.
 * @internal
 */
export function transportPhase(e: unknown): TransportPhase {
  const code = networkCode(e);
  if (code !== undefined && NOT_SENT_CODES.has(code)) return "not-sent";
  if (code !== undefined && MAYBE_SENT_CODES.has(code)) return "maybe-sent";
  return "config";
}
