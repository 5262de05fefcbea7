const brand: unique symbol = Symbol.for("@spike-ts/nexus-model.error");

/**
 * The rule a value broke, as a stable string.
 *
 * The `*_invalid` codes for input rules map to a Nexus `400 api_bad_request`;
 * `regex_invalid` and `reserved_path` map to a Nexus `500 api_internal_error`
 * (see {@link RuleViolation.status}).
 */
export type NexusModelErrorCode =
  | "secret_path_invalid"
  | "key_name_invalid"
  | "policy_name_invalid"
  | "spiffeid_pattern_invalid"
  | "path_pattern_invalid"
  | "permissions_invalid"
  | "regex_invalid"
  | "reserved_path"
  | "spiffe_id_invalid"
  | "trust_root_invalid"
  | "base_url_invalid"
  | "cipher_blob_invalid"
  | "shard_invalid"
  | "time_invalid"
  | "version_invalid";

/**
 * One broken rule: which rule, a lower-case message that says what to fix, and
 * the HTTP status real Nexus answers when the value reaches it.
 */
export interface RuleViolation {
  /** The rule that was broken. */
  readonly code: NexusModelErrorCode;
  /** What is wrong and what to do, without any secret value. */
  readonly message: string;
  /** The status Nexus sends for this input: 400, or 500 for compile/reserved-path failures. */
  readonly status: 400 | 401 | 500;
}

/**
 * The one error class of `@spike-ts/nexus-model`: a value broke a Nexus rule.
 *
 * @example
 * ```ts
 * try { assertSecretPath("bad path"); }
 * catch (e) { if (NexusModelError.is(e, "secret_path_invalid")) console.log(e.message); }
 * ```
 */
export class NexusModelError extends Error {
  override name = "NexusModelError";
  readonly [brand] = true;
  /** The rule that was broken. */
  readonly code: NexusModelErrorCode;
  /** The HTTP status Nexus would answer with for this input. */
  readonly status: 400 | 401 | 500;

  constructor(code: NexusModelErrorCode, message: string, options?: ErrorOptions & { status?: 400 | 401 | 500 }) {
    super(message, options);
    this.code = code;
    this.status = options?.status ?? 400;
  }

  /** Builds the error from a {@link RuleViolation}. */
  static fromViolation(v: RuleViolation): NexusModelError {
    return new NexusModelError(v.code, v.message, { status: v.status });
  }

  /**
   * Whether `v` is a `NexusModelError` (from any copy of this package), optionally with `code`.
   * With a code, `v.code` is narrowed to it (`if (NexusModelError.is(e, "secret_path_invalid"))` gives `e.code: "secret_path_invalid"`).
   */
  static is<C extends NexusModelErrorCode = NexusModelErrorCode>(v: unknown, code?: C): v is NexusModelError & { readonly code: C } {
    return (
      typeof v === "object" && v !== null && brand in v && (code === undefined || (v as NexusModelError).code === code)
    );
  }
}

/** Throws the violation if there is one. @internal */
export function throwIf(v: RuleViolation | undefined): void {
  if (v) throw NexusModelError.fromViolation(v);
}
