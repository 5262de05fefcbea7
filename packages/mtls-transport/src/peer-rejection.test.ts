import { EventEmitter } from "node:events";
import type { TLSSocket } from "node:tls";
import { describe, expect, it } from "vitest";
import { MtlsError } from "./errors.js";
import { isRejectionAlert, reportRejectionUntilFirstData, translateHandshakeError } from "./peer-rejection.js";

function err(code: string): Error {
  return Object.assign(new Error(code), { code });
}

class FakeSocket extends EventEmitter {
  destroyedWith: unknown = "not destroyed";
  destroyed = false;
  destroy(error?: unknown): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    this.destroyedWith = error;
    if (error) this.emit("error", error);
    return this;
  }
}

describe("peer rejection", () => {
  it("recognises certificate alerts", () => {
    expect(isRejectionAlert(err("ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED"))).toBe(true);
    expect(isRejectionAlert(err("ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE"))).toBe(true);
    expect(isRejectionAlert(err("ERR_SSL_TLSV1_ALERT_UNKNOWN_CA"))).toBe(true);
    expect(isRejectionAlert(err("ERR_SSL_TLSV1_ALERT_ACCESS_DENIED"))).toBe(true);
    expect(isRejectionAlert(err("ERR_SSL_WRONG_VERSION_NUMBER"))).toBe(false);
    expect(isRejectionAlert(err("ECONNREFUSED"))).toBe(false);
    expect(isRejectionAlert(undefined)).toBe(false);
  });

  it("translates handshake alerts and mid-handshake resets, and passes other errors", () => {
    const spoke = { tcpEstablished: true, peerSpokeTls: true, address: "127.0.0.1:8553" };
    const alert = err("ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE");
    const t = translateHandshakeError(alert, "client", spoke);
    expect(MtlsError.is(t, "rejected_by_peer")).toBe(true);
    expect((t as MtlsError).cause).toBe(alert);
    expect((t as MtlsError).address).toBe("127.0.0.1:8553");
    expect(MtlsError.is(translateHandshakeError(err("ECONNRESET"), "client", spoke), "rejected_by_peer")).toBe(true);
    const refused = err("ECONNRESET");
    expect(translateHandshakeError(refused, "client", { tcpEstablished: false, peerSpokeTls: false })).toBe(refused);
    const other = err("ECONNREFUSED");
    expect(translateHandshakeError(other, "client", spoke)).toBe(other);
    const keepalive = err("ETIMEDOUT");
    expect(translateHandshakeError(keepalive, "client", spoke)).toBe(keepalive);
  });

  it("names a peer that never answered TLS not_tls, with the address and what to do", () => {
    const silent = { tcpEstablished: true, peerSpokeTls: false, address: "127.0.0.1:8553" };
    const wrong = err("ERR_SSL_WRONG_VERSION_NUMBER");
    const t = translateHandshakeError(wrong, "client", silent) as MtlsError;
    expect(t.code).toBe("not_tls");
    expect(t.cause).toBe(wrong);
    expect(t.role).toBe("client");
    expect(t.message).toBe(
      "mtls: the server at 127.0.0.1:8553 did not answer tls (ERR_SSL_WRONG_VERSION_NUMBER); it is not a tls server " +
        "(plain http or another protocol?): check that the url points at the server's mtls port (for spike nexus: SPIKE_NEXUS_API_URL)",
    );
    const reset = translateHandshakeError(err("ECONNRESET"), "client", silent) as MtlsError;
    expect(reset.code).toBe("not_tls");
    expect(reset.message).toContain("closed the connection without answering the tls handshake (ECONNRESET)");
    expect((translateHandshakeError(err("ERR_SSL_PACKET_LENGTH_TOO_LONG"), "client", silent) as MtlsError).code).toBe("not_tls");
  });

  it("names other TLS failures of a TLS peer handshake_failed", () => {
    const spoke = { tcpEstablished: true, peerSpokeTls: true };
    const version = err("ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION");
    // An alert is TLS even before any key material: the peer refused our versions.
    const t = translateHandshakeError(version, "client", { tcpEstablished: true, peerSpokeTls: false }) as MtlsError;
    expect(t.code).toBe("handshake_failed");
    expect(t.cause).toBe(version);
    expect(t.address).toBeUndefined();
    expect(t.message).toMatch(/^mtls: the tls handshake with the server failed \(ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION\); /);
    expect((translateHandshakeError(err("ERR_SSL_UNEXPECTED_MESSAGE"), "client", spoke) as MtlsError).code).toBe("handshake_failed");
    expect((translateHandshakeError(err("ERR_TLS_INVALID_STATE"), "client", spoke) as MtlsError).code).toBe("handshake_failed");
    const already = new MtlsError("unauthorized", "mtls: x");
    expect(translateHandshakeError(already, "client", spoke)).toBe(already);
  });

  it("turns a close before any response into rejected_by_peer", () => {
    const socket = new FakeSocket();
    const errors: unknown[] = [];
    socket.on("error", (e) => errors.push(e));
    reportRejectionUntilFirstData(socket as unknown as TLSSocket, "client");
    socket.emit("end");
    expect(MtlsError.is(socket.destroyedWith, "rejected_by_peer")).toBe(true);
    expect(errors).toHaveLength(1);
    expect(MtlsError.is(errors[0], "rejected_by_peer")).toBe(true);
  });

  it("turns a post-handshake alert or reset into rejected_by_peer, keeping the cause", () => {
    for (const code of ["ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED", "ECONNRESET"]) {
      const socket = new FakeSocket();
      const errors: unknown[] = [];
      socket.on("error", (e) => errors.push(e));
      reportRejectionUntilFirstData(socket as unknown as TLSSocket, "client");
      const original = err(code);
      socket.emit("error", original);
      expect(MtlsError.is(errors[0], "rejected_by_peer")).toBe(true);
      expect((errors[0] as MtlsError).cause).toBe(original);
    }
  });

  it("destroys with the rejection so a later 'end' cannot replace it", () => {
    const socket = new FakeSocket();
    const seen: unknown[] = [];
    socket.on("error", (e) => seen.push(e));
    reportRejectionUntilFirstData(socket as unknown as TLSSocket, "client");
    socket.emit("error", err("ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE"));
    expect(socket.destroyed).toBe(true);
    expect(MtlsError.is(socket.destroyedWith, "rejected_by_peer")).toBe(true);
    expect(seen).toHaveLength(1);
  });

  it("steps aside after the first data", () => {
    const socket = new FakeSocket();
    const seen: unknown[] = [];
    socket.on("error", (e) => seen.push(e));
    socket.on("end", () => seen.push("end"));
    reportRejectionUntilFirstData(socket as unknown as TLSSocket, "client");
    socket.emit("data", Buffer.from("HTTP/1.1 200 OK\r\n"));
    const reset = err("ECONNRESET");
    socket.emit("error", reset);
    socket.emit("end");
    expect(seen).toEqual([reset, "end"]);
    expect(socket.destroyedWith).toBe("not destroyed");
  });
});
