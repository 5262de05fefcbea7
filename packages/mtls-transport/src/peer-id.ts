import type { Socket } from "node:net";
import type { SpiffeId } from "@spike-ts/spiffe";
import { MtlsError } from "./errors.js";

const peerIdKey: unique symbol = Symbol("@spike-ts/mtls-transport.peer-id");

type Tagged = { [peerIdKey]?: SpiffeId };

/** Remembers the verified peer SPIFFE ID on a socket (readable through http2's socket proxy). */
export function recordPeerId(socket: Socket, id: SpiffeId): void {
  Object.defineProperty(socket, peerIdKey, { value: id, enumerable: false, writable: false, configurable: false });
}

/** Something that leads to the TLS socket a request arrived on. */
export type PeerIdCarrier =
  | Socket
  | { readonly socket: Socket | null | undefined }
  | { readonly session?: { readonly socket?: Socket | null } | undefined }
  | { readonly stream: { readonly session?: { readonly socket?: Socket | null } | undefined } };

function socketOf(carrier: PeerIdCarrier): Socket | undefined {
  const c = carrier as {
    socket?: Socket | null;
    session?: { socket?: Socket | null };
    stream?: { session?: { socket?: Socket | null } };
  };
  if (c.stream?.session?.socket) return c.stream.session.socket;
  if (c.session?.socket) return c.session.socket;
  if (c.socket) return c.socket;
  return carrier as Socket;
}

/**
 * The SPIFFE ID of the verified peer of a request or socket: an `http`/`https` request, an
 * `http2` compat request or stream session, or the TLS socket itself. Throws {@link MtlsError}
 * `not_verified` when the connection was not verified by these options (fail closed).
 *
 * @example
 * ```ts
 * https.createServer(mtls, (req, res) => res.end(`hello ${peerIdOf(req)}`));
 * ```
 */
export function peerIdOf(carrier: PeerIdCarrier): SpiffeId {
  const socket = carrier ? socketOf(carrier) : undefined;
  const id = socket ? (socket as Tagged)[peerIdKey] : undefined;
  if (id === undefined) {
    throw new MtlsError(
      "not_verified",
      "mtls: this connection was not verified by @spike-ts/mtls-transport; attach() the server options to the server (or use createMtlsAgent)",
    );
  }
  return id;
}
