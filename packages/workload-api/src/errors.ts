const brand: unique symbol = Symbol.for("@spike-ts/workload-api.error");

/**
 * The stable reason codes of {@link WorkloadApiError}.
 *
 * - `address_missing`: no address option and `SPIFFE_ENDPOINT_SOCKET` is unset.
 * - `address_invalid`: the address is not a `unix:` / `tcp:` URI the Workload API accepts.
 * - `unreachable`: no agent answers at the address (socket missing, connection refused).
 * - `no_identity`: the agent answered `PERMISSION_DENIED` (no identity issued to this workload).
 * - `invalid_argument`: the agent answered `INVALID_ARGUMENT` (client bug or bad request); never retried.
 * - `malformed_response`: a message from the agent could not be decoded or broke an SVID/bundle rule.
 * - `pick_missing`: the SVID selected by the `pick` option is not in the agent's answer.
 * - `timeout`: the first identity did not arrive in time (the message carries the last error).
 * - `aborted`: the caller's `AbortSignal` fired.
 * - `closed`: the client or source was closed.
 * - `expired`: the only material held has passed its `notAfter` / `exp`.
 * - `unavailable`: any other gRPC failure (agent restarting, `UNAVAILABLE`, `UNKNOWN`, ...).
 * - `unimplemented`: the agent does not implement the RPC.
 */
export type WorkloadApiErrorCode =
  | "address_missing"
  | "address_invalid"
  | "unreachable"
  | "no_identity"
  | "invalid_argument"
  | "malformed_response"
  | "pick_missing"
  | "timeout"
  | "aborted"
  | "closed"
  | "expired"
  | "unavailable"
  | "unimplemented";

/** Extra facts attached to a {@link WorkloadApiError}. */
export interface WorkloadApiErrorOptions extends ErrorOptions {
  /** The gRPC status code, when the error came from the agent or the gRPC transport. */
  grpcCode?: number;
  /** The RPC that failed, e.g. `FetchX509SVID`. */
  rpc?: string;
}

/**
 * The single error class of `@spike-ts/workload-api`; `code` says what failed.
 *
 * Messages start with `workload-api:` and never contain key material or tokens.
 */
export class WorkloadApiError extends Error {
  override name = "WorkloadApiError";
  readonly [brand] = true;
  /** Why it failed; stable, see {@link WorkloadApiErrorCode}. */
  readonly code: WorkloadApiErrorCode;
  /** The gRPC status code, if the failure came from gRPC. */
  readonly grpcCode: number | undefined;
  /** The RPC that failed, if any. */
  readonly rpc: string | undefined;

  constructor(code: WorkloadApiErrorCode, message: string, options?: WorkloadApiErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.grpcCode = options?.grpcCode;
    this.rpc = options?.rpc;
  }

  /**
   * True when `v` is a {@link WorkloadApiError} (from any copy of this package), optionally with `code`.
   * With a code, `v.code` is narrowed to it (`if (WorkloadApiError.is(e, "unreachable"))` gives `e.code: "unreachable"`).
   */
  static is<C extends WorkloadApiErrorCode = WorkloadApiErrorCode>(v: unknown, code?: C): v is WorkloadApiError & { readonly code: C } {
    return (
      typeof v === "object" &&
      v !== null &&
      brand in v &&
      (code === undefined || (v as WorkloadApiError).code === code)
    );
  }
}
