import { constants as cryptoConstants } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { SecureVersion, Server as TlsServer, TLSSocket } from "node:tls";
import { inspect } from "node:util";
import type { Authorizer, SpiffeId, X509Source, X509Svid } from "@spike-ts/spiffe";
import { systemNow } from "./clock.js";
import { MtlsError } from "./errors.js";
import { currentSvid, sameLeaf, svidPem } from "./local-svid.js";
import { peerChainOf } from "./peer-chain.js";
import { type PeerIdCarrier, peerIdOf, recordPeerId } from "./peer-id.js";
import { validateSourceAndAuthorizer } from "./validate.js";
import { verifyPeer } from "./verify-peer.js";

/** Options of {@link createMtlsServerOptions}. */
export interface MtlsServerOptionsInit {
  /** Current SVID (served as the server certificate) and bundles, read at every handshake. */
  readonly source: X509Source;
  /** Decides which client SPIFFE IDs may connect. */
  readonly authorize: Authorizer;
  /** Clock for certificate validity checks (default: system time). */
  readonly now?: () => Date;
  /** Lowest TLS version (default `TLSv1.2`). */
  readonly minVersion?: SecureVersion;
  /** Highest TLS version (default: Node's, `TLSv1.3`). */
  readonly maxVersion?: SecureVersion;
  /** Called when rotating the server certificate failed (the previous one stays in use). */
  readonly onError?: (error: MtlsError) => void;
}

/**
 * Options for `https.createServer()` / `http2.createSecureServer()` / `tls.createServer()` that
 * require a client certificate, plus the methods that make them safe: always {@link attach} the
 * server, which verifies every client SVID and rotates the server certificate.
 */
export interface MtlsServerOptions {
  /** The current SVID chain, PEM. */
  readonly cert: string;
  /** The current SVID private key, PEM (hidden from `util.inspect` and `JSON.stringify`). */
  readonly key: string;
  /** Always true: clients must present an SVID. */
  readonly requestCert: true;
  /** Always false: OpenSSL's check is replaced by the SPIFFE check done by {@link attach}. */
  readonly rejectUnauthorized: false;
  /** Lowest TLS version. */
  readonly minVersion: SecureVersion;
  /** Highest TLS version, when set. */
  readonly maxVersion?: SecureVersion;
  /**
   * `SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION`: no session resumption, so every connection is
   * fully verified, and no TLS 1.2 renegotiation, so a verified client cannot swap its
   * certificate afterwards (Go servers never renegotiate either).
   */
  readonly secureOptions: number;
  /**
   * Verifies every client connection of `server` (resumed ones too) before any of the server's
   * `secureConnection` listeners (also ones added later) sees it, destroys rejected sockets (emitting `tlsClientError`
   * with the {@link MtlsError}), and rotates the server certificate with `setSecureContext`
   * when the source updates. Returns `server`.
   */
  attach<S extends TlsServer>(server: S): S;
  /** The verified client SPIFFE ID of a request or socket; see {@link peerIdOf}. */
  peerIdOf(carrier: PeerIdCarrier | IncomingMessage): SpiffeId;
  /** Stops following the source for every attached server. */
  close(): Promise<void>;
}

const CONTEXT_FIELDS = [
  "ca",
  "ciphers",
  "sigalgs",
  "ecdhCurve",
  "dhparam",
  "minVersion",
  "maxVersion",
  "secureProtocol",
  "secureOptions",
  "honorCipherOrder",
  "crl",
  "sessionIdContext",
  "sessionTimeout",
  "ticketKeys",
] as const;

const MAX_REMEMBERED_CHAINS = 256;

/** Marks a server whose emit carries a verification gate (from any options object). */
const gatedBy: unique symbol = Symbol.for("@spike-ts/mtls-transport.gated");

/**
 * Creates Node TLS server options for mTLS with X509-SVIDs: the server presents the source's
 * current SVID, requires a client SVID, verifies it the SPIFFE way (chain to the bundle of the
 * client's trust domain looked up at handshake time, then `authorize`) and exposes the caller's
 * SPIFFE ID through `peerIdOf(req)`. Validates the source on the spot (throws `no_svid`).
 *
 * @example
 * ```ts
 * const mtls = createMtlsServerOptions({ source, authorize: authorizeMemberOf("example.org") });
 * const server = mtls.attach(https.createServer(mtls, (req, res) => res.end(`hi ${mtls.peerIdOf(req)}`)));
 * server.listen(8553, "127.0.0.1");
 * ```
 */
export function createMtlsServerOptions(init: MtlsServerOptionsInit): MtlsServerOptions {
  if (init === null || typeof init !== "object") {
    throw new MtlsError("invalid_options", "mtls: createMtlsServerOptions needs an options object with source and authorize");
  }
  const { source, authorize, onError } = init;
  validateSourceAndAuthorizer("createMtlsServerOptions", source, authorize, init.now);
  const now = init.now ?? systemNow;
  const minVersion = init.minVersion ?? "TLSv1.2";
  const initialSvid = currentSvid(source, now(), "server");
  const pem = svidPem(initialSvid);
  const attached = new Map<TlsServer, () => void>();
  // Node keeps only the leaf in a resumed session; remember intermediates of verified leaves.
  const intermediates = new Map<string, Uint8Array[]>();

  const verifySocket = (socket: TLSSocket): SpiffeId => {
    let chain = peerChainOf(socket);
    if (socket.isSessionReused() && chain.length === 1) {
      const fingerprint = socket.getPeerCertificate().fingerprint256;
      const rest = intermediates.get(fingerprint);
      if (rest) chain = [...chain, ...rest];
    }
    const verified = verifyPeer(chain, { bundles: source, authorize, now: now(), role: "server" });
    if (chain.length > 1 && !socket.isSessionReused()) {
      const fingerprint = socket.getPeerCertificate().fingerprint256;
      if (!intermediates.has(fingerprint)) {
        if (intermediates.size >= MAX_REMEMBERED_CHAINS) {
          const oldest = intermediates.keys().next().value;
          if (oldest !== undefined) intermediates.delete(oldest);
        }
        intermediates.set(fingerprint, chain.slice(1));
      }
    }
    return verified.id;
  };

  const attach = <S extends TlsServer>(server: S): S => {
    const s = server as S & { requestCert?: boolean; rejectUnauthorized?: boolean };
    if (s === null || typeof s !== "object" || typeof s.setSecureContext !== "function") {
      throw new MtlsError("invalid_options", "mtls: attach() needs a tls, https or http2 secure server");
    }
    if (attached.has(server)) return server;
    if ((server as unknown as Record<symbol, unknown>)[gatedBy] === true) {
      throw new MtlsError(
        "invalid_options",
        "mtls: attach() refused a server already attached to other mtls server options; create one server per options object",
      );
    }
    if (s.requestCert !== true) {
      throw new MtlsError(
        "invalid_options",
        "mtls: attach() refused a server that does not request client certificates (requestCert was overridden); create it with these options unchanged",
      );
    }
    if (s.rejectUnauthorized !== false) {
      throw new MtlsError(
        "invalid_options",
        "mtls: attach() refused a server with rejectUnauthorized: true; spiffe verification replaces openssl's, create it with these options unchanged",
      );
    }
    // The gate sits in the server's own emit, so every "secureConnection" listener, including
    // ones added after attach(), only ever sees verified sockets.
    const originalEmit = server.emit as (this: S, event: string | symbol, ...args: unknown[]) => boolean;
    const gatedEmit = function (this: S, event: string | symbol, ...args: unknown[]): boolean {
      if (event !== "secureConnection") return originalEmit.call(this, event, ...args);
      const socket = args[0] as TLSSocket;
      let id: SpiffeId;
      try {
        id = verifySocket(socket);
      } catch (error) {
        const mtlsError = MtlsError.is(error)
          ? error
          : new MtlsError("chain_untrusted", "mtls: client verification failed", { cause: error, role: "server" });
        socket.destroy();
        originalEmit.call(this, "tlsClientError", mtlsError, socket);
        return false;
      }
      recordPeerId(socket, id);
      return originalEmit.call(this, event, ...args);
    };
    (server as unknown as { emit: typeof gatedEmit }).emit = gatedEmit;
    Object.defineProperty(server, gatedBy, { value: true, enumerable: false });

    let lastSvid: X509Svid | undefined = initialSvid;
    const rotate = (): void => {
      let svid: X509Svid;
      try {
        svid = currentSvid(source, now(), "server");
      } catch (error) {
        onError?.(error as MtlsError);
        return;
      }
      if (sameLeaf(svid, lastSvid)) return;
      try {
        const context: Record<string, unknown> = {};
        for (const field of CONTEXT_FIELDS) {
          const value = (server as unknown as Record<string, unknown>)[field];
          if (value !== undefined) context[field] = value;
        }
        const next = svidPem(svid);
        server.setSecureContext({ ...context, cert: next.cert, key: next.key });
        lastSvid = svid;
      } catch (error) {
        onError?.(
          new MtlsError("no_svid", "mtls: could not install the rotated server certificate; the previous one stays in use", {
            cause: error,
            role: "server",
          }),
        );
      }
    };
    const unsubscribe = source.onUpdate(rotate);
    const detach = (): void => {
      unsubscribe();
      attached.delete(server);
    };
    attached.set(server, detach);
    server.once("close", detach);
    return server;
  };

  const options = {
    cert: pem.cert,
    key: pem.key,
    requestCert: true as const,
    rejectUnauthorized: false as const,
    minVersion,
    ...(init.maxVersion ? { maxVersion: init.maxVersion } : {}),
    secureOptions: cryptoConstants.SSL_OP_NO_TICKET | cryptoConstants.SSL_OP_NO_RENEGOTIATION,
  };
  const redacted = (): object => ({ ...options, key: "[redacted]" });
  Object.defineProperties(options, {
    attach: { value: attach, enumerable: false },
    peerIdOf: { value: (carrier: PeerIdCarrier | IncomingMessage) => peerIdOf(carrier as PeerIdCarrier), enumerable: false },
    close: {
      value: async (): Promise<void> => {
        for (const detach of [...attached.values()]) detach();
      },
      enumerable: false,
    },
    toJSON: { value: redacted, enumerable: false },
    [inspect.custom]: { value: redacted, enumerable: false },
  });
  return options as MtlsServerOptions;
}

