import {
  type Authorizer,
  type SpiffeId,
  SpiffeError,
  type X509BundleSource,
  spiffeIdFromCertificate,
  verifyX509Svid,
} from "@spike-ts/spiffe";
import { MtlsError, type MtlsErrorCode, type MtlsRole } from "./errors.js";

/** What {@link verifyPeer} needs: where bundles come from, who may connect, and the time. */
export interface VerifyPeerOptions {
  /** Looked up at every call, so bundle rotations apply to the next handshake. */
  readonly bundles: X509BundleSource;
  /** Runs after the chain verified. */
  readonly authorize: Authorizer;
  /** The verification time. */
  readonly now: Date;
  /** Which side we are; the peer is the other one. */
  readonly role: MtlsRole;
  /** The peer's `host:port`, named in messages and set on errors (the agent passes it). */
  readonly address?: string;
}

/** A peer that passed {@link verifyPeer}. */
export interface VerifiedPeer {
  /** The peer's SPIFFE ID. */
  readonly id: SpiffeId;
  /** Leaf, intermediates, then the trust anchor, as DER. */
  readonly verifiedChain: readonly Uint8Array[];
}

const SVID_RULES = new Set<string>([
  "der_malformed",
  "svid_no_certificates",
  "svid_no_uri_san",
  "svid_multiple_uri_sans",
  "svid_invalid_id",
  "svid_root_path",
  "svid_ca_leaf",
  "svid_key_usage",
  "svid_key_unsupported",
]);

function codeFor(spiffeCode: string): MtlsErrorCode {
  if (spiffeCode === "bundle_missing") return "bundle_missing";
  if (spiffeCode === "chain_expired") return "expired";
  if (spiffeCode === "chain_not_yet_valid") return "not_yet_valid";
  if (spiffeCode === "source_closed") return "no_svid";
  if (SVID_RULES.has(spiffeCode) || /^(id|td|path)_/.test(spiffeCode)) return "invalid_peer_svid";
  // chain_untrusted, chain_ca_rules, chain_critical_extension and anything unknown: fail closed.
  return "chain_untrusted";
}

const ADVICE: Record<MtlsErrorCode, string> = {
  no_peer_certificate: "the peer must present its X509-SVID",
  invalid_peer_svid: "the peer must present a valid X509-SVID",
  bundle_missing: "add (federate) the bundle of that trust domain to the source",
  chain_untrusted: "the peer's SVID must be issued by a CA in its trust domain's bundle",
  expired: "the peer must renew its SVID",
  not_yet_valid: "check the peer's clock or wait until its SVID is valid",
  unauthorized: "authorize this SPIFFE ID or connect to the expected peer",
  no_svid: "check that the source is open and has fetched an SVID",
  svid_expired: "check that the Workload API agent is renewing SVIDs",
  rejected_by_peer: "check that the peer trusts our trust domain and authorizes our SPIFFE ID",
  not_tls: "check that the url points at the server's mtls port (for spike nexus: SPIKE_NEXUS_API_URL)",
  handshake_failed: "check that both sides allow a common tls version (minVersion/maxVersion) and that the url points at an mtls server",
  client_auth_not_requested: "configure the server for mutual tls",
  not_verified: "attach() the options to the server that accepted this connection",
  invalid_options: "fix the options",
};

/** The documented "what to do" sentence for a code (used in messages). */
export function adviceFor(code: MtlsErrorCode): string {
  return ADVICE[code];
}

function peerIdOfLeaf(leaf: Uint8Array | undefined): string | undefined {
  if (leaf === undefined) return undefined;
  try {
    return spiffeIdFromCertificate(leaf).toString();
  } catch {
    return undefined;
  }
}

/**
 * Verifies a peer's presented chain the SPIFFE way: the bundle of the leaf's trust domain is
 * looked up in `bundles` now, the chain must build to it, then `authorize` decides.
 * Throws {@link MtlsError} whose code names the failed check; no hostname is involved.
 */
export function verifyPeer(chain: readonly Uint8Array[], options: VerifyPeerOptions): VerifiedPeer {
  const at = options.address === undefined ? {} : { address: options.address };
  const peer = options.role === "client" ? "server" : "client";
  const where = options.address === undefined ? "" : ` at ${options.address}`;
  if (chain.length === 0) {
    throw new MtlsError(
      "no_peer_certificate",
      `mtls: the ${peer}${where} presented no certificate; ${ADVICE.no_peer_certificate}`,
      { role: options.role, ...at },
    );
  }
  let verified: VerifiedPeer;
  try {
    verified = verifyX509Svid(chain, options.bundles, { now: options.now });
  } catch (error) {
    const spiffeCode = SpiffeError.is(error) ? error.code : "chain_untrusted";
    const code = codeFor(spiffeCode);
    const peerId = peerIdOfLeaf(chain[0]);
    const detail = error instanceof Error ? error.message : String(error);
    throw new MtlsError(
      code,
      `mtls: ${peer} certificate${peerId ? ` ${peerId}` : ""}${where} rejected (${code}): ${detail}; ${ADVICE[code]}`,
      { cause: error, role: options.role, spiffeCode, ...at, ...(peerId ? { peerId } : {}) },
    );
  }
  const peerId = verified.id.toString();
  let verdict: ReturnType<Authorizer>;
  try {
    verdict = options.authorize(verified.id, verified.verifiedChain);
  } catch (error) {
    throw new MtlsError(
      "unauthorized",
      `mtls: ${peer} ${peerId}${where} is not authorized: the authorizer threw; ${ADVICE.unauthorized}`,
      { cause: error, role: options.role, peerId, ...at },
    );
  }
  if (verdict?.allowed !== true) {
    const reason =
      typeof (verdict as { reason?: unknown } | undefined)?.reason === "string"
        ? (verdict as { reason: string }).reason
        : "the authorizer returned no verdict";
    throw new MtlsError("unauthorized", `mtls: ${peer} ${peerId}${where} is not authorized: ${reason}`, {
      role: options.role,
      peerId,
      expected: reason,
      ...at,
    });
  }
  return verified;
}
