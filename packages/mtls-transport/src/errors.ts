const brand: unique symbol = Symbol.for("@spike-ts/mtls-transport.error");

/**
 * The stable string codes of {@link MtlsError}; each names the check that failed.
 *
 * - `no_peer_certificate`: the peer presented no certificate (or a resumed session carried none).
 * - `invalid_peer_svid`: the peer's leaf is not a valid X509-SVID (no or several URI SANs,
 *   not a SPIFFE ID, root path, CA leaf, signing key usage).
 * - `bundle_missing`: the source has no (or an empty) bundle for the peer's trust domain.
 * - `chain_untrusted`: the peer's chain does not build to its trust domain's bundle.
 * - `expired` / `not_yet_valid`: a certificate of the peer's chain is outside its validity period.
 * - `unauthorized`: the chain is good but the authorizer refused the peer's SPIFFE ID.
 * - `no_svid`: the local source has no usable SVID (not fetched yet, or closed).
 * - `svid_expired`: the local source's SVID has expired.
 * - `rejected_by_peer`: the peer aborted the TLS handshake, usually because it refused our certificate.
 * - `not_tls`: the server accepted the TCP connection but never answered TLS (a plaintext HTTP
 *   server, another protocol, or a peer that closed the connection before any TLS reply).
 * - `handshake_failed`: the server speaks TLS but the handshake failed for a reason other than
 *   refusing our certificate (no common protocol version or cipher, a malformed message).
 * - `client_auth_not_requested`: the server did not ask for our certificate, so it cannot
 *   authenticate us (agent option `requireClientAuth`).
 * - `not_verified`: {@link peerIdOf} was asked about a connection these options did not verify.
 * - `invalid_options`: a factory was called with options it cannot honour.
 */
export type MtlsErrorCode =
  | "no_peer_certificate"
  | "invalid_peer_svid"
  | "bundle_missing"
  | "chain_untrusted"
  | "expired"
  | "not_yet_valid"
  | "unauthorized"
  | "no_svid"
  | "svid_expired"
  | "rejected_by_peer"
  | "not_tls"
  | "handshake_failed"
  | "client_auth_not_requested"
  | "not_verified"
  | "invalid_options";

/** Which end of the connection raised an {@link MtlsError}. */
export type MtlsRole = "client" | "server";

/** Extra, secret-free facts carried by an {@link MtlsError}. */
export interface MtlsErrorDetails {
  /** Which side detected the failure: our agent (`client`) or our server options (`server`). */
  readonly role?: MtlsRole;
  /** The SPIFFE ID the peer presented, when it could be read. */
  readonly peerId?: string;
  /** What the authorizer expected, for `unauthorized`. */
  readonly expected?: string;
  /** The `@spike-ts/spiffe` error code behind a verification failure. */
  readonly spiffeCode?: string;
  /** The peer's `host:port`, when our agent was connecting to it. */
  readonly address?: string;
}

/**
 * The one error class of `@spike-ts/mtls-transport`: an mTLS handshake or peer check failed.
 *
 * The `code` says which check failed; the message starts with `mtls:` and never contains key
 * material. The original error (a `SpiffeError`, a Node TLS error) is kept as `cause`.
 */
export class MtlsError extends Error {
  override name = "MtlsError";
  readonly [brand] = true;
  /** Which check failed. */
  readonly code: MtlsErrorCode;
  /** Which side detected the failure, when known. */
  readonly role: MtlsRole | undefined;
  /** The SPIFFE ID the peer presented, when it could be read. */
  readonly peerId: string | undefined;
  /** What the authorizer expected, for `unauthorized`. */
  readonly expected: string | undefined;
  /** The `@spike-ts/spiffe` error code behind a verification failure. */
  readonly spiffeCode: string | undefined;
  /** The peer's `host:port`, when our agent was connecting to it. */
  readonly address: string | undefined;

  constructor(code: MtlsErrorCode, message: string, options?: ErrorOptions & MtlsErrorDetails) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.role = options?.role;
    this.peerId = options?.peerId;
    this.expected = options?.expected;
    this.spiffeCode = options?.spiffeCode;
    this.address = options?.address;
  }

  /** Whether `v` is an {@link MtlsError} (optionally with `code`), across duplicate installs. */
  static is<C extends MtlsErrorCode = MtlsErrorCode>(v: unknown, code?: C): v is MtlsError & { readonly code: C } {
    return (
      typeof v === "object" && v !== null && brand in v && (code === undefined || (v as MtlsError).code === code)
    );
  }
}
