import { once } from "node:events";
import type { AddressInfo } from "node:net";
import type { Server as TlsServer } from "node:tls";
import { createTestCa, type IssuedSvid, type TestCa } from "@spike-ts/spiffe/testing";
import { MtlsError } from "../src/index.js";

const HOUR = 3_600_000;

/** The SPIFFE ID every matrix peer should have to be accepted. */
export const PEER_ID = "spiffe://example.org/peer";
/** The SPIFFE ID of the local side (our agent, or our server). */
export const SELF_ID = "spiffe://example.org/self";

/** Three CAs: ours (example.org), a federated one (other.org) and two nobody trusts. */
export interface Cas {
  readonly ca: TestCa;
  readonly other: TestCa;
  readonly unknown: TestCa;
  readonly unfederated: TestCa;
}

export function makeCas(): Cas {
  return {
    ca: createTestCa({ trustDomain: "example.org" }),
    other: createTestCa({ trustDomain: "other.org" }),
    unknown: createTestCa({ trustDomain: "example.org" }),
    unfederated: createTestCa({ trustDomain: "nobundle.org" }),
  };
}

/** One row of the bad-peer matrix: how the peer's SVID is minted and the code we expect. */
export interface BadPeer {
  readonly name: string;
  readonly issue: (cas: Cas) => IssuedSvid;
  readonly code: string;
}

export const BAD_PEERS: readonly BadPeer[] = [
  { name: "wrong SPIFFE ID", issue: ({ ca }) => ca.issueSvid("spiffe://example.org/intruder"), code: "unauthorized" },
  { name: "other trust domain", issue: ({ other }) => other.issueSvid("spiffe://other.org/peer"), code: "unauthorized" },
  {
    name: "expired",
    issue: ({ ca }) => ca.issueSvid(PEER_ID, { notBefore: new Date(Date.now() - 2 * HOUR), notAfter: new Date(Date.now() - HOUR) }),
    code: "expired",
  },
  {
    name: "not yet valid",
    issue: ({ ca }) => ca.issueSvid(PEER_ID, { notBefore: new Date(Date.now() + HOUR), notAfter: new Date(Date.now() + 2 * HOUR) }),
    code: "not_yet_valid",
  },
  { name: "self-signed", issue: ({ ca }) => ca.issueSvid(PEER_ID, { selfSigned: true }), code: "chain_untrusted" },
  { name: "CA:true leaf", issue: ({ ca }) => ca.issueSvid(PEER_ID, { ca: true }), code: "invalid_peer_svid" },
  { name: "no URI SAN", issue: ({ ca }) => ca.issueSvid(PEER_ID, { uriSans: [] }), code: "invalid_peer_svid" },
  {
    name: "two URI SANs",
    issue: ({ ca }) => ca.issueSvid(PEER_ID, { uriSans: [PEER_ID, "spiffe://example.org/peer2"] }),
    code: "invalid_peer_svid",
  },
  {
    name: "DNS-only SAN",
    issue: ({ ca }) => ca.issueSvid(PEER_ID, { uriSans: [], dnsSans: ["peer.example.org"] }),
    code: "invalid_peer_svid",
  },
  { name: "chain to an unknown CA", issue: ({ unknown }) => unknown.issueSvid(PEER_ID), code: "chain_untrusted" },
  {
    name: "no bundle for the trust domain",
    issue: ({ unfederated }) => unfederated.issueSvid("spiffe://nobundle.org/peer"),
    code: "bundle_missing",
  },
];

/** Listens on 127.0.0.1:0 and returns the https origin. */
export async function listen(server: TlsServer): Promise<string> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes a server, dropping its open connections. */
export async function closeServer(server: TlsServer): Promise<void> {
  if (!server.listening) return;
  const closed = once(server, "close");
  server.close();
  (server as TlsServer & { closeAllConnections?: () => void }).closeAllConnections?.();
  await closed;
}

/** Awaits `promise` and returns the {@link MtlsError} it rejects with; fails on success or another error. */
export async function failure(promise: Promise<unknown>): Promise<MtlsError> {
  try {
    await promise;
  } catch (error) {
    if (MtlsError.is(error)) return error;
    throw new Error(`expected an MtlsError, got ${String(error)}`, { cause: error });
  }
  throw new Error("expected the request to fail");
}

export { HOUR };
