import { SpiffeId, TrustDomain, X509Bundle, X509BundleSet, parseX509Svid } from "@spike-ts/spiffe";
import type { X509Svid } from "@spike-ts/spiffe";
import { WorkloadApiError } from "./errors.js";
import { firstPerHint } from "./hints.js";
import type { X509BundlesResponseMessage, X509SvidResponseMessage } from "./proto/messages.js";

/** Everything one `FetchX509SVID` message carries: SVIDs, own and federated bundles. */
export interface X509Context {
  /** The SVIDs in the agent's order, after hint de-duplication. */
  readonly svids: readonly X509Svid[];
  /** Own trust domain bundle(s) and federated bundles. */
  readonly bundles: X509BundleSet;
  /** The first SVID (what go-spiffe calls the default). */
  readonly defaultSvid: X509Svid;
}

/**
 * Remembers the bundles parsed from the previous message of a stream, so an update that only
 * rotates SVIDs does not parse unchanged CA certificates again. Keeps one message's worth.
 */
export class BundleParseCache {
  #previous = new Map<string, X509Bundle>();
  #current = new Map<string, X509Bundle>();

  /** Parses (or reuses) the bundle of `td` from concatenated DER. */
  parse(td: TrustDomain, der: Uint8Array): X509Bundle {
    const key = `${td.name} ${Buffer.from(der).toString("base64")}`;
    const hit = this.#current.get(key) ?? this.#previous.get(key);
    const bundle = hit ?? X509Bundle.parseRaw(td, der);
    this.#current.set(key, bundle);
    return bundle;
  }

  /** Marks the end of one message: entries not used by it are dropped at the next call. */
  commit(): void {
    this.#previous = this.#current;
    this.#current = new Map();
  }
}

const parseBundle = (cache: BundleParseCache | undefined, td: TrustDomain, der: Uint8Array) =>
  cache ? cache.parse(td, der) : X509Bundle.parseRaw(td, der);

function malformed(rpc: string, what: string, cause?: unknown): WorkloadApiError {
  const reason = cause instanceof Error ? `: ${cause.message}` : "";
  return new WorkloadApiError("malformed_response", `workload-api: malformed ${rpc} response: ${what}${reason}; the previous state is kept`, { rpc, cause });
}

/** Parses a map key that names a trust domain (`spiffe://td` or a bare name). */
function trustDomainKey(rpc: string, key: string): TrustDomain {
  try {
    return TrustDomain.parse(key);
  } catch (e) {
    throw malformed(rpc, `bundle key ${JSON.stringify(key.slice(0, 100))} is not a trust domain`, e);
  }
}

/**
 * Turns an `X509SVIDResponse` into an {@link X509Context}, treating every field as untrusted:
 * any broken SVID, a `spiffe_id` that differs from the certificate's URI SAN, an empty
 * per-SVID bundle or zero SVIDs fails the whole message with `malformed_response`.
 */
export function parseX509SvidResponse(msg: X509SvidResponseMessage, cache?: BundleParseCache): X509Context {
  const rpc = "FetchX509SVID";
  const entries = msg.svids ?? [];
  if (entries.length === 0) throw malformed(rpc, "no SVIDs in response");
  const svids: X509Svid[] = [];
  const bundles = new X509BundleSet();
  for (const [i, e, hint] of firstPerHint(entries)) {
    let id: SpiffeId;
    try {
      id = SpiffeId.parse(e.spiffe_id ?? "");
    } catch (err) {
      throw malformed(rpc, `svids[${i}].spiffe_id is not a SPIFFE ID`, err);
    }
    let svid: X509Svid;
    try {
      svid = parseX509Svid(e.x509_svid ?? new Uint8Array(), e.x509_svid_key ?? new Uint8Array(), { hint });
    } catch (err) {
      throw malformed(rpc, `svids[${i}] (${id.toString()}) is not a valid X.509-SVID`, err);
    }
    if (!svid.id.equals(id)) {
      throw malformed(rpc, `svids[${i}].spiffe_id ${id.toString()} differs from the certificate's URI SAN ${svid.id.toString()}`);
    }
    if (!e.bundle || e.bundle.length === 0) throw malformed(rpc, `svids[${i}] (${id.toString()}) has an empty trust bundle`);
    try {
      bundles.add(parseBundle(cache, id.trustDomain, e.bundle));
    } catch (err) {
      throw malformed(rpc, `svids[${i}].bundle is not concatenated DER certificates`, err);
    }
    svids.push(svid);
  }
  for (const [key, der] of Object.entries(msg.federated_bundles ?? {})) {
    const td = trustDomainKey(rpc, key);
    try {
      bundles.add(parseBundle(cache, td, der ?? new Uint8Array()));
    } catch (err) {
      throw malformed(rpc, `federated bundle of ${td.name} is not concatenated DER certificates`, err);
    }
  }
  cache?.commit();
  return { svids, bundles, defaultSvid: svids[0] as X509Svid };
}

/** Turns an `X509BundlesResponse` into a bundle set (empty values are empty bundles). */
export function parseX509BundlesResponse(msg: X509BundlesResponseMessage, cache?: BundleParseCache): X509BundleSet {
  const rpc = "FetchX509Bundles";
  const entries = Object.entries(msg.bundles ?? {});
  if (entries.length === 0) throw malformed(rpc, "no bundles in response");
  const set = new X509BundleSet();
  for (const [key, der] of entries) {
    const td = trustDomainKey(rpc, key);
    try {
      set.add(parseBundle(cache, td, der ?? new Uint8Array()));
    } catch (err) {
      throw malformed(rpc, `bundle of ${td.name} is not concatenated DER certificates`, err);
    }
  }
  cache?.commit();
  return set;
}

/** A stable fingerprint of an X.509 context, to skip updates that change nothing. */
export function x509ContextFingerprint(ctx: X509Context): string {
  const parts: string[] = [];
  for (const s of ctx.svids) {
    parts.push(`svid ${s.id.toString()} ${s.hint}`);
    for (const c of s.certificates) parts.push(Buffer.from(c).toString("base64"));
  }
  parts.push(bundleSetFingerprint(ctx.bundles));
  return parts.join("\n");
}

/** A stable fingerprint of a bundle set. */
export function bundleSetFingerprint(set: X509BundleSet): string {
  return set
    .bundles()
    .map((b) => `bundle ${b.trustDomain.name} ${b.authorities.map((a) => Buffer.from(a).toString("base64")).join(",")}`)
    .join("\n");
}

export { malformed as malformedResponse };
