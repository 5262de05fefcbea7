const brand: unique symbol = Symbol.for("@spike-ts/nexus-dev.error");

/**
 * The string codes of {@link NexusDevError}. Stable: match on these, not on messages.
 *
 * - `invalid_options`: a factory got options it cannot use.
 * - `not_nexus_identity`: the server's own SVID is not a SPIKE Nexus ID.
 * - `listen_failed`: the server could not bind its address.
 * - `store_io`: the durable file store could not read or write its directory.
 * - `store_corrupt`: a file in the durable store does not hold a valid record.
 * - `store_locked`: another dev Nexus already uses that store directory.
 * - `closed`: the server or store was used after `close()`.
 * - `stack_failed`: the dev stack could not start one of its parts.
 */
export type NexusDevErrorCode =
  | "invalid_options"
  | "not_nexus_identity"
  | "listen_failed"
  | "store_io"
  | "store_corrupt"
  | "store_locked"
  | "closed"
  | "stack_failed";

/**
 * The one error class of `@spike-ts/nexus-dev`: the dev Nexus, its stores and the dev stack.
 *
 * Messages are lower case, start with `nexus-dev:`, and never carry secret values.
 */
export class NexusDevError extends Error {
  override name = "NexusDevError";
  readonly [brand] = true;
  /** What went wrong, as a stable string code. */
  readonly code: NexusDevErrorCode;
  constructor(code: NexusDevErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }

  /**
   * Whether `v` is a `NexusDevError` (optionally with `code`), even across duplicate installs.
   * With a code, `v.code` is narrowed to it (`if (NexusDevError.is(e, "store_locked"))` gives `e.code: "store_locked"`).
   */
  static is<C extends NexusDevErrorCode = NexusDevErrorCode>(v: unknown, code?: C): v is NexusDevError & { readonly code: C } {
    return (
      typeof v === "object" &&
      v !== null &&
      brand in v &&
      (code === undefined || (v as NexusDevError).code === code)
    );
  }
}
