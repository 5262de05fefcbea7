import type { PeerCertificate, TLSSocket } from "node:tls";

const MAX_CHAIN = 16;

/**
 * The certificates the peer presented on `socket`, leaf first, as DER.
 * Empty when the peer sent none, or when a resumed session carries none.
 */
export function peerChainOf(socket: TLSSocket): Uint8Array[] {
  const chain: Uint8Array[] = [];
  const seen = new Set<string>();
  let cert: PeerCertificate | undefined = socket.getPeerCertificate(true);
  while (cert !== undefined && cert !== null && cert.raw !== undefined && chain.length < MAX_CHAIN) {
    const key = cert.fingerprint256;
    if (seen.has(key)) break;
    seen.add(key);
    chain.push(new Uint8Array(cert.raw));
    const next: PeerCertificate | undefined = (cert as { issuerCertificate?: PeerCertificate }).issuerCertificate;
    cert = next;
  }
  return chain;
}
