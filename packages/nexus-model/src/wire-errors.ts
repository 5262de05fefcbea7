/** The five `err` codes Nexus sends in JSON error bodies. */
export type NexusWireErrorCode =
  | "api_bad_request"
  | "access_unauthorized"
  | "api_not_found"
  | "api_internal_error"
  | "state_not_ready";

/** The HTTP status Nexus pairs with each wire error code. Nexus never sends 403. */
export const NEXUS_ERROR_STATUS: Readonly<Record<NexusWireErrorCode, 400 | 401 | 404 | 500 | 503>> = Object.freeze({
  api_bad_request: 400,
  access_unauthorized: 401,
  api_not_found: 404,
  api_internal_error: 500,
  state_not_ready: 503,
});

/** Every wire error code, in status order. */
export const NEXUS_WIRE_ERROR_CODES: readonly NexusWireErrorCode[] = Object.freeze([
  "api_bad_request",
  "access_unauthorized",
  "api_not_found",
  "api_internal_error",
  "state_not_ready",
]);

/** Whether `v` is one of the five wire error codes. */
export function isNexusWireErrorCode(v: unknown): v is NexusWireErrorCode {
  return typeof v === "string" && (NEXUS_WIRE_ERROR_CODES as readonly string[]).includes(v);
}

/** A JSON error body: every Nexus response struct with only `err` set. */
export interface WireErrorBody {
  /** The error code; on success it is absent. */
  readonly err: string;
}

/**
 * The body Nexus sends when reading the request body fails: the whole Go
 * `SDKError` marshalled without JSON tags (spec §2.1 c).
 */
export interface WireSdkErrorBody {
  readonly Code: string;
  readonly Msg: string;
  readonly Wrapped: unknown;
}

/**
 * The plain-text error bodies of the cipher streaming mode (Go `http.Error`:
 * `text/plain; charset=utf-8`, body ends with `\n`), with their statuses.
 */
export const CIPHER_PLAIN_TEXT_ERRORS: Readonly<Record<string, 400 | 500>> = Object.freeze({
  crypto_cipher_not_available: 500,
  crypto_nonce_generation_failed: 500,
  crypto_failed_to_read_version: 400,
  crypto_unsupported_version: 400,
  crypto_failed_to_read_nonce: 400,
  data_read_failure: 400,
  "decryption failed": 400,
});
