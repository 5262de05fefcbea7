import type { NexusOperation } from "@spike-ts/nexus-model";

const brand: unique symbol = Symbol.for("@spike-ts/nexus-client.error");

/**
 * What went wrong, as a stable string.
 *
 * | code | meaning |
 * |---|---|
 * | `invalid_input` | refused by the client before sending (a known Nexus rule) |
 * | `bad_request` | Nexus answered 400 `api_bad_request` |
 * | `unauthorized` | Nexus answered 401 `access_unauthorized` |
 * | `not_found` | Nexus answered 404 `api_not_found` (or a missing policy, see README) |
 * | `internal` | Nexus answered 500 `api_internal_error` |
 * | `not_ready` | Nexus answered 503 `state_not_ready` |
 * | `bad_response` | an unexpected status or an unreadable body |
 * | `transport` | the connection or TLS handshake failed |
 * | `timeout` | the per-call timeout elapsed |
 * | `aborted` | the caller's `AbortSignal` fired |
 * | `closed` | the client was closed |
 */
export type NexusErrorCode =
  | "invalid_input"
  | "bad_request"
  | "unauthorized"
  | "not_found"
  | "internal"
  | "not_ready"
  | "bad_response"
  | "transport"
  | "timeout"
  | "aborted"
  | "closed";

/** Extra facts carried by a {@link NexusError}. */
export interface NexusErrorDetails {
  /** The operation that failed. */
  readonly operation?: NexusOperation;
  /** The HTTP status, when Nexus answered. */
  readonly status?: number;
  /** Nexus's `err` code (or plain-text cipher error code), when it sent one. */
  readonly serverCode?: string;
  /** The secret path or policy name the call was about (never a value). */
  readonly target?: string;
  /** The caller's SPIFFE ID, when known. */
  readonly callerId?: string;
  /** How many HTTP attempts were made (0 when refused before sending). */
  readonly attempts?: number;
}

/**
 * The one error class of `@spike-ts/nexus-client`. `code` says which layer
 * failed; `status` and `serverCode` carry what Nexus sent; the message says
 * what to do next and never contains secret values or bodies.
 *
 * @example
 * ```ts
 * try { await nexus.getSecret("apps/web/db"); }
 * catch (e) { if (NexusError.is(e, "not_found")) return undefined; throw e; }
 * ```
 */
export class NexusError extends Error {
  override name = "NexusError";
  readonly [brand] = true;
  /** What went wrong. */
  readonly code: NexusErrorCode;
  /** The operation that failed. */
  readonly operation: NexusOperation | undefined;
  /** The HTTP status, when Nexus answered. */
  readonly status: number | undefined;
  /** Nexus's error code, e.g. `api_not_found`, when it sent one. */
  readonly serverCode: string | undefined;
  /** The secret path or policy name the call was about. */
  readonly target: string | undefined;
  /** The caller's SPIFFE ID, when known. */
  readonly callerId: string | undefined;
  /** HTTP attempts made; 0 when the client refused before sending. */
  readonly attempts: number;

  constructor(code: NexusErrorCode, message: string, options?: ErrorOptions & NexusErrorDetails) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.operation = options?.operation;
    this.status = options?.status;
    this.serverCode = options?.serverCode;
    this.target = options?.target;
    this.callerId = options?.callerId;
    this.attempts = options?.attempts ?? 0;
  }

  /** Whether `v` is a `NexusError` (from any copy of this package), optionally with `code`. */
  static is<C extends NexusErrorCode = NexusErrorCode>(v: unknown, code?: C): v is NexusError & { readonly code: C } {
    return typeof v === "object" && v !== null && brand in v && (code === undefined || (v as NexusError).code === code);
  }
}
