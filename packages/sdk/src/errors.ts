const brand: unique symbol = Symbol.for("@spike-ts/sdk.error");

/**
 * The failures the SDK itself reports. Everything else (Workload API, mTLS, Nexus, cache)
 * reaches you as that layer's own error class, unchanged.
 *
 * - `config_invalid`: an option or environment variable is malformed; the message names it.
 * - `client_closed`: a method was called after `close()`.
 * - `aborted`: the `signal` you passed fired before the SDK could hand the call to a lower layer.
 */
export type SpikeErrorCode = "config_invalid" | "client_closed" | "aborted";

/**
 * The error class of `@spike-ts/sdk`, for failures that belong to the SDK layer.
 *
 * Messages are lower case, start with `spike:` and never carry secret values.
 */
export class SpikeError extends Error {
  override name = "SpikeError";
  readonly [brand] = true;
  /** What went wrong, as a stable string. */
  readonly code: SpikeErrorCode;
  /** The option or environment variable at fault, when `code` is `config_invalid`. */
  readonly setting: string | undefined;

  /** Makes an error; `setting` names the option or variable at fault. */
  constructor(code: SpikeErrorCode, message: string, options?: ErrorOptions & { setting?: string }) {
    super(message, options);
    this.code = code;
    this.setting = options?.setting;
  }

  /**
   * Tells whether `v` is a `SpikeError` (from any copy of this package), optionally of one `code`;
   * with a code, `v.code` is narrowed to it.
   */
  static is<C extends SpikeErrorCode = SpikeErrorCode>(v: unknown, code?: C): v is SpikeError & { readonly code: C } {
    return typeof v === "object" && v !== null && brand in v && (!code || (v as SpikeError).code === code);
  }
}
