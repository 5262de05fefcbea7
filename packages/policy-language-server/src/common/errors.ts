const brand: unique symbol = Symbol.for("@spike-ts/policy-language-server.error");

/**
 * What went wrong in the policy language server:
 * - `invalid_options`: `startPolicyLanguageServer()` got options it cannot use.
 */
export type PolicyLanguageServerErrorCode = "invalid_options";

/**
 * The one error class of `@spike-ts/policy-language-server`.
 *
 * @example
 * ```ts
 * try { startPolicyLanguageServer({ input: process.stdin }); }
 * catch (e) { if (PolicyLanguageServerError.is(e, "invalid_options")) console.error(e.message); }
 * ```
 */
export class PolicyLanguageServerError extends Error {
  override name = "PolicyLanguageServerError";
  readonly [brand] = true;
  /** What went wrong. */
  readonly code: PolicyLanguageServerErrorCode;

  constructor(code: PolicyLanguageServerErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }

  /** Whether `v` is a `PolicyLanguageServerError` (from any copy of this package), optionally with `code`. */
  static is(v: unknown, code?: PolicyLanguageServerErrorCode): v is PolicyLanguageServerError {
    return (
      typeof v === "object" && v !== null && brand in v && (!code || (v as PolicyLanguageServerError).code === code)
    );
  }
}
