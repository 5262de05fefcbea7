import { constants as cryptoConstants } from "node:crypto";
import { isIP } from "node:net";
import { type SecureContext, type SecureVersion, type TLSSocket, connect, createSecureContext } from "node:tls";
import type { Authorizer, SpiffeId, X509Source, X509Svid } from "@spike-ts/spiffe";
import { type buildConnector, errors } from "undici";
import { MtlsError } from "./errors.js";
import { currentSvid, svidPem } from "./local-svid.js";
import { peerChainOf } from "./peer-chain.js";
import { recordPeerId } from "./peer-id.js";
import { reportRejectionUntilFirstData, translateHandshakeError } from "./peer-rejection.js";
import { verifyPeer } from "./verify-peer.js";

/** Options of {@link createMtlsConnector}. */
export interface MtlsConnectorOptions {
  /** Where the client SVID and the bundles come from, at every handshake. */
  readonly source: X509Source;
  /** Decides which server SPIFFE IDs are acceptable. */
  readonly authorize: Authorizer;
  /** The clock used for validity checks. */
  readonly now: () => Date;
  /** Offer HTTP/2 by ALPN. */
  readonly allowH2: boolean;
  /** Milliseconds for TCP connect plus TLS handshake; 0 disables the timer. */
  readonly timeoutMs: number;
  /** TCP keep-alive on the socket. */
  readonly keepAlive: boolean;
  /** TCP keep-alive initial delay in milliseconds. */
  readonly keepAliveInitialDelayMs: number;
  /** Fail servers that do not request a client certificate. */
  readonly requireClientAuth: boolean;
  /** Lowest TLS version offered. */
  readonly minVersion: SecureVersion;
  /** Highest TLS version offered. */
  readonly maxVersion: SecureVersion | undefined;
}

function noServerIdentityCheck(): undefined {
  return undefined;
}

function ignoreLateError(): void {
  // The connection already failed and was reported; nothing listens to this socket any more.
}

/**
 * Builds an undici connector that opens a TLS connection presenting the source's current SVID
 * and verifies the server's SVID the SPIFFE way before handing the socket to undici.
 * Sessions are never resumed: every connection is a full handshake that is verified.
 */
export function createMtlsConnector(options: MtlsConnectorOptions): buildConnector.connector {
  const contexts = new WeakMap<X509Svid, SecureContext>();
  const contextFor = (svid: X509Svid): SecureContext => {
    let context = contexts.get(svid);
    if (context === undefined) {
      const pem = svidPem(svid);
      context = createSecureContext({
        cert: pem.cert,
        key: pem.key,
        // No TLS 1.2 renegotiation: the server verified at the handshake stays the server
        // (Go clients default to RenegotiateNever).
        secureOptions: cryptoConstants.SSL_OP_NO_RENEGOTIATION,
        minVersion: options.minVersion,
        ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}),
      });
      contexts.set(svid, context);
    }
    return context;
  };

  return (connectOptions, callback) => {
    let secureContext: SecureContext;
    try {
      secureContext = contextFor(currentSvid(options.source, options.now(), "client"));
    } catch (error) {
      process.nextTick(callback, error as Error, null);
      return;
    }
    const hostname = connectOptions.hostname;
    const servername =
      connectOptions.servername || (isIP(hostname) === 0 && hostname !== "" ? hostname : undefined);
    const port = Number(connectOptions.port) || 443;
    let socket: TLSSocket;
    try {
      socket = connect({
        host: hostname,
        port,
        ...(servername ? { servername } : {}),
        ...(connectOptions.localAddress ? { localAddress: connectOptions.localAddress } : {}),
        ...(connectOptions.httpSocket ? { socket: connectOptions.httpSocket } : {}),
        secureContext,
        // Chain and name checks are ours (SPIFFE), done below on every connection.
        rejectUnauthorized: false,
        checkServerIdentity: noServerIdentityCheck,
        ALPNProtocols: options.allowH2 ? ["h2", "http/1.1"] : ["http/1.1"],
      });
    } catch (error) {
      process.nextTick(callback, error as Error, null);
      return;
    }

    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const settle = (error: Error | null): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      socket.off("error", onError);
      socket.off("secureConnect", onSecureConnect);
      socket.off("keylog", onKeylog);
      if (error) {
        socket.on("error", ignoreLateError);
        socket.destroy();
        callback(error, null);
      } else {
        callback(null, socket);
      }
    };
    const address = `${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
    // A socket handed over by undici (a proxy tunnel) is connected already.
    let tcpEstablished = connectOptions.httpSocket !== undefined;
    let peerSpokeTls = false;
    socket.once("connect", () => {
      tcpEstablished = true;
    });
    // Key material is derived only from a TLS reply (ServerHello), so this tells "the server
    // answered TLS, then failed" from "it never spoke TLS". The line itself is not kept.
    const onKeylog = (): void => {
      peerSpokeTls = true;
    };
    socket.on("keylog", onKeylog);
    const onError = (error: Error): void =>
      settle(translateHandshakeError(error, "client", { tcpEstablished, peerSpokeTls, address }));
    const onSecureConnect = (): void => {
      let peerId: SpiffeId;
      try {
        // The server's identity first: a TLS server that is not a SPIFFE server (a public
        // certificate) is named as such, not as one that merely skipped client auth.
        peerId = verifyPeer(peerChainOf(socket), {
          bundles: options.source,
          authorize: options.authorize,
          now: options.now(),
          role: "client",
          address,
        }).id;
        if (options.requireClientAuth && socket.getSharedSigalgs().length === 0) {
          throw new MtlsError(
            "client_auth_not_requested",
            `mtls: the server at ${address} did not request a client certificate, so it cannot authenticate us; ` +
              "configure it for mutual tls (or set requireClientAuth: false)",
            { role: "client", address, peerId: peerId.toString() },
          );
        }
      } catch (error) {
        settle(error as Error);
        return;
      }
      recordPeerId(socket, peerId);
      if (socket.alpnProtocol !== "h2") reportRejectionUntilFirstData(socket, "client", address);
      settle(null);
    };
    socket.on("error", onError);
    socket.once("secureConnect", onSecureConnect);
    socket.setNoDelay(true);
    if (options.keepAlive) socket.setKeepAlive(true, options.keepAliveInitialDelayMs);
    if (options.timeoutMs > 0) {
      timer = setTimeout(() => {
        settle(
          new errors.ConnectTimeoutError(
            tcpEstablished
              ? `mtls: the server at ${address} accepted the connection but did not complete a tls handshake within ${options.timeoutMs} ms; ` +
                  "check that the url points at the server's mtls port (for spike nexus: SPIKE_NEXUS_API_URL)"
              : `mtls: connect timeout after ${options.timeoutMs} ms to ${address}`,
          ),
        );
      }, options.timeoutMs);
      timer.unref?.();
    }
  };
}
