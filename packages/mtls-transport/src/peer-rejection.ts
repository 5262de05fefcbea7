import type { TLSSocket } from "node:tls";
import { MtlsError, type MtlsRole } from "./errors.js";

const REJECTION_ALERT =
  /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_(?:BAD_CERTIFICATE|UNSUPPORTED_CERTIFICATE|CERTIFICATE_[A-Z_]+|UNKNOWN_CA|ACCESS_DENIED|HANDSHAKE_FAILURE|DECRYPT_ERROR)$/;

const RESET_CODES = new Set(["ECONNRESET", "EPIPE"]);

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** Whether `error` is a TLS alert by which the peer refused our certificate or the handshake. */
export function isRejectionAlert(error: unknown): boolean {
  const code = codeOf(error);
  return code !== undefined && REJECTION_ALERT.test(code);
}

/** What the connector saw of a handshake before it failed. */
export interface HandshakeState {
  /** The TCP connection was established (errors before that are network errors and pass). */
  readonly tcpEstablished: boolean;
  /** The peer sent a TLS handshake reply (we derived key material from its ServerHello). */
  readonly peerSpokeTls: boolean;
  /** The peer's `host:port`, named in the message. */
  readonly address?: string;
}

const TLS_LAYER = /^ERR_(?:SSL|TLS)_/;
const ALERT = /_ALERT_/;

/**
 * Turns every TLS-layer failure during the handshake into an {@link MtlsError}, keeping the
 * original as `cause`:
 *
 * - a rejection alert, or a reset after the peer answered TLS (how a Node server that verifies in
 *   `secureConnection` refuses under TLS 1.2): `rejected_by_peer`;
 * - an OpenSSL error or a reset before the peer answered any TLS (a plaintext HTTP server,
 *   another protocol): `not_tls`;
 * - any other TLS error from a peer that speaks TLS (version or cipher mismatch alerts, malformed
 *   messages): `handshake_failed`.
 *
 * Errors before the TCP connection is up (refused, unreachable, DNS) pass unchanged, as do
 * errors that are not from the TLS layer.
 */
export function translateHandshakeError(error: Error, role: MtlsRole, state: HandshakeState): Error {
  if (MtlsError.is(error) || !state.tcpEstablished) return error;
  const peer = role === "client" ? "server" : "client";
  const where = state.address === undefined ? "" : ` at ${state.address}`;
  const details = { cause: error, role, ...(state.address === undefined ? {} : { address: state.address }) };
  const code = codeOf(error) ?? "";
  const reset = RESET_CODES.has(code);
  if (isRejectionAlert(error) || (reset && state.peerSpokeTls)) {
    return new MtlsError(
      "rejected_by_peer",
      reset
        ? `mtls: the ${peer}${where} closed the connection during the tls handshake (${code}); it most likely rejected our certificate; ` +
            "check that it trusts our trust domain and authorizes our spiffe id"
        : `mtls: the ${peer}${where} aborted the tls handshake (${code}); check that it trusts our trust domain and authorizes our spiffe id`,
      details,
    );
  }
  if (!reset && !TLS_LAYER.test(code)) return error;
  if (!state.peerSpokeTls && !ALERT.test(code)) {
    const what = reset ? "closed the connection without answering the tls handshake" : "did not answer tls";
    return new MtlsError(
      "not_tls",
      `mtls: the ${peer}${where} ${what} (${code}); it is not a tls server (plain http or another protocol?): ` +
        "check that the url points at the server's mtls port (for spike nexus: SPIKE_NEXUS_API_URL)",
      details,
    );
  }
  return new MtlsError(
    "handshake_failed",
    `mtls: the tls handshake with the ${peer}${where} failed (${code}); check that both sides allow a common tls version ` +
      "(minVersion/maxVersion) and cipher, and that the url points at an mtls server",
    details,
  );
}

function rejectedAfterHandshake(role: MtlsRole, cause: unknown, address: string | undefined): MtlsError {
  const peer = role === "client" ? "server" : "client";
  const at = address === undefined ? {} : { address };
  return new MtlsError(
    "rejected_by_peer",
    `mtls: the ${peer}${address === undefined ? "" : ` at ${address}`} closed the connection right after the tls handshake, before any response; ` +
      "it most likely rejected our certificate (tls 1.3 reports that only on the first read); " +
      "check that it trusts our trust domain and authorizes our spiffe id",
    cause === undefined ? { role, ...at } : { cause, role, ...at },
  );
}

/**
 * Until the first byte of application data arrives on `socket`, turns the ways a peer reports a
 * post-handshake certificate rejection (a TLS alert, a reset, a close without a response) into
 * {@link MtlsError} `rejected_by_peer`, so the caller of `dispatcher.request()` sees an mTLS error
 * instead of a generic socket error. Patches only this socket's `emit`, and only until then.
 */
export function reportRejectionUntilFirstData(socket: TLSSocket, role: MtlsRole, address?: string): void {
  const original = socket.emit as (this: TLSSocket, event: string | symbol, ...args: unknown[]) => boolean;
  const restore = (): void => {
    socket.emit = original as TLSSocket["emit"];
  };
  socket.emit = function guardedEmit(this: TLSSocket, event: string | symbol, ...args: unknown[]): boolean {
    if (event === "data") {
      restore();
    } else if (event === "error") {
      const error = args[0];
      if (isRejectionAlert(error) || RESET_CODES.has(codeOf(error) ?? "")) {
        restore();
        const rejection = rejectedAfterHandshake(role, error, address);
        // A TLS alert is emitted without destroying the socket, and the 'end' that follows
        // would make undici replace our error with "other side closed": destroy with ours.
        if (this.destroyed) return original.call(this, event, rejection);
        this.destroy(rejection);
        return true;
      }
    } else if (event === "end") {
      restore();
      this.destroy(rejectedAfterHandshake(role, undefined, address));
      return true;
    } else if (event === "close") {
      restore();
    }
    return original.call(this, event, ...args);
  } as TLSSocket["emit"];
}
