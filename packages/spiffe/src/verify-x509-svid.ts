import { type CertInfo, KU, parseCertificate } from "./certificate.js";
import { SpiffeError } from "./errors.js";
import type { SpiffeId } from "./spiffe-id.js";
import type { X509BundleSource } from "./x509-bundle.js";
import { checkLeaf } from "./x509-svid.js";

/** Options of {@link verifyX509Svid}. */
export interface VerifyX509SvidOptions {
  /** The verification time (default: the current time). */
  readonly now?: Date;
  /** The longest accepted path, leaf and anchor included (default 10). */
  readonly maxPathLength?: number;
}

/** The result of a successful {@link verifyX509Svid}. */
export interface VerifiedX509Svid {
  /** The peer's SPIFFE ID. */
  readonly id: SpiffeId;
  /** DER certificates of the verified path: leaf, intermediates, then the trust anchor. */
  readonly verifiedChain: readonly Uint8Array[];
}

const DEFAULT_MAX_PATH = 10;

/**
 * Work limits of path building. A hostile peer can present many intermediates that all sign
 * each other (same name, same key); without limits the depth-first search is exponential in
 * the number of presented certificates. Go's verifier caps signature checks at 100 per call.
 */
const MAX_SIGNATURE_CHECKS = 100;
const MAX_PATH_STEPS = 1000;

function describe(c: CertInfo, index: string): string {
  return `${index} (subject "${c.x509.subject.replace(/\n/g, ", ")}")`;
}

/**
 * Verifies a presented X.509-SVID chain (leaf first, DER) against the bundle of the leaf's
 * trust domain taken from `bundles`, enforcing the X509-SVID standard: leaf with exactly one
 * URI SAN holding a SPIFFE ID with a path, cA=false, digitalSignature, no keyCertSign/cRLSign;
 * a signature path through the presented intermediates to a bundle certificate (any bundle
 * certificate is an anchor), bounded in length and loop-free; validity window of every
 * certificate in the path; intermediates with cA=true, keyCertSign and pathLen respected;
 * no unprocessed critical extension. Path building does at most 100 signature checks and 1000
 * steps (a peer presenting a mesh of mutually issuing CAs gets `chain_untrusted`, not a hung
 * event loop). Throws {@link SpiffeError} naming the rule broken.
 *
 * @example
 * ```ts
 * const { id, verifiedChain } = verifyX509Svid(peerChain, source, { now: clock.now() });
 * const verdict = authorize(id, verifiedChain);
 * ```
 */
export function verifyX509Svid(
  chain: readonly Uint8Array[],
  bundles: X509BundleSource,
  options: VerifyX509SvidOptions = {},
): VerifiedX509Svid {
  if (!Array.isArray(chain) || chain.length === 0) {
    throw new SpiffeError("svid_no_certificates", "peer presented no certificates");
  }
  if (bundles === null || typeof bundles !== "object" || typeof bundles.getX509BundleForTrustDomain !== "function") {
    throw new SpiffeError("invalid_argument", "verifyX509Svid needs a bundle source");
  }
  const now = options.now ?? new Date();
  const maxPath = options.maxPathLength ?? DEFAULT_MAX_PATH;
  if (!Number.isInteger(maxPath) || maxPath < 2) {
    throw new SpiffeError("invalid_argument", "verifyX509Svid: maxPathLength must be an integer >= 2");
  }
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
    throw new SpiffeError("invalid_argument", "verifyX509Svid: now must be a valid Date");
  }
  const certs = chain.map((c, i) => parseCertificate(c, i === 0 ? "peer leaf certificate" : `peer certificate ${i}`));
  const leaf = certs[0] as CertInfo;
  const id = checkLeaf(leaf, true);
  const bundle = bundles.getX509BundleForTrustDomain(id.trustDomain);
  if (bundle.isEmpty()) {
    throw new SpiffeError(
      "chain_untrusted",
      `x.509 bundle of trust domain "${id.trustDomain.name}" is empty; nothing from it is trusted`,
    );
  }
  const anchors = bundle.authorities.map((a, i) => parseCertificate(a, `bundle authority ${i}`));
  const rest = certs.slice(1);

  // Depth-first path building: bundle certificates first, then presented intermediates, each
  // intermediate used at most once (no loops), bounded length.
  const path: CertInfo[] = [leaf];
  const onPath = new Set<CertInfo>([leaf]); // by content: a certificate presented twice is one node
  let sawSignatureFailure = false;
  let signatureChecks = 0;
  let steps = 0;
  let exhausted = false;
  // Every (child, parent) pair is checked at most once; the result is remembered.
  const verdicts = new Map<CertInfo, Map<CertInfo, boolean>>();
  const issues = (child: CertInfo, parent: CertInfo): boolean => {
    let row = verdicts.get(child);
    const known = row?.get(parent);
    if (known !== undefined) return known;
    let ok = false;
    if (child.x509.checkIssued(parent.x509)) {
      if (signatureChecks >= MAX_SIGNATURE_CHECKS) {
        exhausted = true;
        return false;
      }
      signatureChecks++;
      try {
        ok = child.x509.verify(parent.x509.publicKey);
      } catch {
        // unsupported algorithm or key: not an issuer
      }
      if (!ok) sawSignatureFailure = true;
    }
    if (!row) {
      row = new Map();
      verdicts.set(child, row);
    }
    row.set(parent, ok);
    return ok;
  };
  const build = (current: CertInfo): boolean => {
    if (exhausted || ++steps > MAX_PATH_STEPS) {
      exhausted = true;
      return false;
    }
    for (const anchor of anchors) {
      if (issues(current, anchor)) {
        path.push(anchor);
        return true;
      }
    }
    if (path.length + 1 >= maxPath) return false;
    for (let i = 0; i < rest.length; i++) {
      const candidate = rest[i] as CertInfo;
      if (onPath.has(candidate) || !issues(current, candidate)) continue;
      onPath.add(candidate);
      path.push(candidate);
      if (build(candidate)) return true;
      path.pop();
      onPath.delete(candidate);
      if (exhausted) return false;
    }
    return false;
  };
  if (!build(leaf)) {
    const why = exhausted
      ? `gave up after ${signatureChecks} signature checks and ${steps} path steps; the peer presented too many candidate issuers`
      : sawSignatureFailure
        ? "a signature did not verify"
        : "no issuer found";
    throw new SpiffeError(
      "chain_untrusted",
      `certificate chain of "${id.toString()}" does not lead to the x.509 bundle of trust domain "${id.trustDomain.name}" (${why}, path limit ${maxPath})`,
    );
  }

  const anchorIndex = path.length - 1;
  path.forEach((c, i) => {
    const label = i === 0 ? "leaf certificate" : i === anchorIndex ? "bundle authority" : `intermediate ${i}`;
    if (now.getTime() < c.notBefore.getTime()) {
      throw new SpiffeError(
        "chain_not_yet_valid",
        `${describe(c, label)} of "${id.toString()}" is not valid before ${c.notBefore.toISOString()} (now ${now.toISOString()})`,
      );
    }
    if (now.getTime() > c.notAfter.getTime()) {
      throw new SpiffeError(
        "chain_expired",
        `${describe(c, label)} of "${id.toString()}" expired at ${c.notAfter.toISOString()} (now ${now.toISOString()})`,
      );
    }
    if (c.unhandledCritical.length > 0) {
      throw new SpiffeError(
        "chain_critical_extension",
        `${describe(c, label)} of "${id.toString()}" has unsupported critical extension(s) ${c.unhandledCritical.join(", ")}`,
      );
    }
    if (i === 0) return;
    const isAnchor = i === anchorIndex;
    const bc = c.basicConstraints;
    if (!isAnchor || bc !== undefined) {
      if (bc?.cA !== true) {
        throw new SpiffeError("chain_ca_rules", `${describe(c, label)} of "${id.toString()}" is not a ca (cA=true missing)`);
      }
    }
    if (!isAnchor || c.keyUsage !== undefined) {
      if (c.keyUsage === undefined || (c.keyUsage & KU.keyCertSign) === 0) {
        throw new SpiffeError("chain_ca_rules", `${describe(c, label)} of "${id.toString()}" lacks keyUsage keyCertSign`);
      }
    }
    // pathLenConstraint: number of intermediates below this CA (leaf excluded).
    const below = i - 1;
    if (bc?.pathLen !== undefined && below > bc.pathLen) {
      throw new SpiffeError(
        "chain_ca_rules",
        `${describe(c, label)} of "${id.toString()}" allows ${bc.pathLen} intermediate(s) below it, path has ${below}`,
      );
    }
  });
  return { id, verifiedChain: Object.freeze(path.map((c) => c.der)) };
}
