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

/**
 * Wraps a TLS alert received during the handshake, or the peer dropping an established TCP
 * connection in the middle of the handshake (how a Node server that verifies in
 * `secureConnection` refuses under TLS 1.2), into `rejected_by_peer`; other errors pass.
 */
export function translateHandshakeError(error: Error, role: MtlsRole, tcpEstablished: boolean): Error {
  const peer = role === "client" ? "server" : "client";
  if (tcpEstablished && RESET_CODES.has(codeOf(error) ?? "")) {
    return new MtlsError(
      "rejected_by_peer",
      `mtls: the ${peer} closed the connection during the tls handshake (${codeOf(error)}); it most likely rejected our certificate; ` +
        "check that it trusts our trust domain and authorizes our spiffe id",
      { cause: error, role },
    );
  }
  if (!isRejectionAlert(error)) return error;
  return new MtlsError(
    "rejected_by_peer",
    `mtls: the ${peer} aborted the tls handshake (${codeOf(error)}); check that it trusts our trust domain and authorizes our spiffe id`,
    { cause: error, role },
  );
}

function rejectedAfterHandshake(role: MtlsRole, cause: unknown): MtlsError {
  const peer = role === "client" ? "server" : "client";
  return new MtlsError(
    "rejected_by_peer",
    `mtls: the ${peer} closed the connection right after the tls handshake, before any response; ` +
      "it most likely rejected our certificate (tls 1.3 reports that only on the first read); " +
      "check that it trusts our trust domain and authorizes our spiffe id",
    cause === undefined ? { role } : { cause, role },
  );
}


/**
 * Until the first byte of application data arrives on `socket`, turns the ways a peer reports a
 * post-handshake certificate rejection (a TLS alert, a reset, a close without a response) into
 * {@link MtlsError} `rejected_by_peer`, so the caller of `dispatcher.request()` sees an mTLS error
 * instead of a generic socket error. Patches only this socket's `emit`, and only until then.
 */
export function reportRejectionUntilFirstData(socket: TLSSocket, role: MtlsRole): void {
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
        const rejection = rejectedAfterHandshake(role, error);
        // A TLS alert is emitted without destroying the socket, and the 'end' that follows
        // would make undici replace our error with "other side closed": destroy with ours.
        if (this.destroyed) return original.call(this, event, rejection);
        this.destroy(rejection);
        return true;
      }
    } else if (event === "end") {
      restore();
      this.destroy(rejectedAfterHandshake(role, undefined));
      return true;
    } else if (event === "close") {
      restore();
    }
    return original.call(this, event, ...args);
  } as TLSSocket["emit"];
}
