const brand: unique symbol = Symbol.for("@spike-ts/spiffe.error");

/**
 * The stable string codes of {@link SpiffeError}. Each names the rule that was broken.
 *
 * SPIFFE ID rules: `id_empty`, `id_scheme`, `td_missing`, `td_chars`, `td_too_long`,
 * `path_chars`, `path_empty_segment`, `path_dot_segment`, `path_trailing_slash`,
 * `path_no_leading_slash`, `id_too_long`.
 * DER / X.509-SVID: `der_malformed`, `svid_no_certificates`, `svid_no_uri_san`,
 * `svid_multiple_uri_sans`, `svid_invalid_id`, `svid_root_path`, `svid_ca_leaf`,
 * `svid_key_usage`, `svid_key_mismatch`, `svid_key_unsupported`, `svid_expired`.
 * Bundles and chains: `bundle_missing`, `bundle_malformed`, `chain_untrusted`,
 * `chain_expired`, `chain_not_yet_valid`, `chain_ca_rules`, `chain_critical_extension`.
 * JWT-SVID: `jwt_malformed`, `jwt_algorithm`, `jwt_header`, `jwt_claims`, `jwt_key_missing`,
 * `jwt_signature`, `jwt_expired`, `jwt_not_yet_valid`, `jwt_audience`.
 * Other: `unauthorized` (an authorizer refused), `source_closed`, `invalid_argument`.
 */
export type SpiffeErrorCode =
  | "id_empty"
  | "id_scheme"
  | "td_missing"
  | "td_chars"
  | "td_too_long"
  | "path_chars"
  | "path_empty_segment"
  | "path_dot_segment"
  | "path_trailing_slash"
  | "path_no_leading_slash"
  | "id_too_long"
  | "der_malformed"
  | "svid_no_certificates"
  | "svid_no_uri_san"
  | "svid_multiple_uri_sans"
  | "svid_invalid_id"
  | "svid_root_path"
  | "svid_ca_leaf"
  | "svid_key_usage"
  | "svid_key_mismatch"
  | "svid_key_unsupported"
  | "bundle_missing"
  | "bundle_malformed"
  | "chain_untrusted"
  | "chain_expired"
  | "chain_not_yet_valid"
  | "chain_ca_rules"
  | "chain_critical_extension"
  | "jwt_malformed"
  | "jwt_algorithm"
  | "jwt_header"
  | "jwt_claims"
  | "jwt_key_missing"
  | "jwt_signature"
  | "jwt_expired"
  | "jwt_not_yet_valid"
  | "jwt_audience"
  | "unauthorized"
  | "source_closed"
  | "svid_expired"
  | "invalid_argument";

/**
 * The one error class of `@spike-ts/spiffe`. `code` names the rule broken; the message is
 * lower case, starts with `spiffe:` and never contains key material or tokens.
 *
 * @example
 * ```ts
 * try { SpiffeId.parse(text) } catch (e) { if (SpiffeError.is(e, "path_dot_segment")) ... }
 * ```
 */
export class SpiffeError extends Error {
  override name = "SpiffeError";
  readonly [brand] = true;
  /** The stable code of the broken rule. */
  readonly code: SpiffeErrorCode;
  /** Creates an error; `message` gets the `spiffe: ` prefix if it lacks it. */
  constructor(code: SpiffeErrorCode, message: string, options?: ErrorOptions) {
    super(message.startsWith("spiffe: ") ? message : `spiffe: ${message}`, options);
    this.code = code;
  }

  /**
   * Tells whether `v` is a SpiffeError (from any copy of this package), optionally with `code`.
   * With a code, `v.code` is narrowed to it (`if (SpiffeError.is(e, "svid_expired"))` gives `e.code: "svid_expired"`).
   */
  static is<C extends SpiffeErrorCode = SpiffeErrorCode>(v: unknown, code?: C): v is SpiffeError & { readonly code: C } {
    return (
      typeof v === "object" &&
      v !== null &&
      brand in v &&
      (code === undefined || (v as SpiffeError).code === code)
    );
  }
}

/** Quotes a value for an error message, cut to a sane length. */
export function quote(text: string, max = 120): string {
  const cut = text.length > max ? `${text.slice(0, max)}...` : text;
  return JSON.stringify(cut);
}
