import type { X509Svid, X509SvidSource } from "@spike-ts/spiffe";
import { SpiffeError } from "@spike-ts/spiffe";
import { MtlsError, type MtlsRole } from "./errors.js";

/**
 * Returns the source's current SVID for a handshake, refusing an expired one.
 * Throws {@link MtlsError} `no_svid` or `svid_expired`.
 */
export function currentSvid(source: X509SvidSource, now: Date, role: MtlsRole): X509Svid {
  let svid: X509Svid;
  try {
    svid = source.getX509Svid();
  } catch (error) {
    if (SpiffeError.is(error, "svid_expired")) {
      throw new MtlsError(
        "svid_expired",
        "mtls: the source's x509-svid has expired; check that the workload api agent is renewing svids",
        { cause: error, role, spiffeCode: error.code },
      );
    }
    throw new MtlsError(
      "no_svid",
      "mtls: the source has no x509-svid to present; check that it is open and has fetched one",
      { cause: error, role, ...(SpiffeError.is(error) ? { spiffeCode: error.code } : {}) },
    );
  }
  if (svid === undefined || svid === null || svid.certificates.length === 0) {
    throw new MtlsError("no_svid", "mtls: the source returned no x509-svid to present", { role });
  }
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
    // Every comparison with an invalid Date is false, which would present an expired SVID.
    throw new MtlsError("invalid_options", "mtls: options.now() returned an invalid Date; pass a clock that returns a valid Date", { role });
  }
  if (svid.notAfter.getTime() < now.getTime()) {
    throw new MtlsError(
      "svid_expired",
      `mtls: the source's x509-svid ${svid.id.toString()} expired at ${svid.notAfter.toISOString()}; check that the workload api agent is renewing svids`,
      { role },
    );
  }
  return svid;
}

/** PEM forms of an SVID, as Node's TLS options want them. */
export interface SvidPem {
  readonly cert: string;
  readonly key: string;
}

const pemCache = new WeakMap<X509Svid, SvidPem>();

/** The SVID's chain and key as PEM, computed once per SVID object. */
export function svidPem(svid: X509Svid): SvidPem {
  let pem = pemCache.get(svid);
  if (pem === undefined) {
    pem = { cert: svid.certificatesPem(), key: svid.privateKeyPem() };
    pemCache.set(svid, pem);
  }
  return pem;
}

/** Whether two SVIDs present the same leaf certificate. */
export function sameLeaf(a: X509Svid | undefined, b: X509Svid | undefined): boolean {
  if (a === b) return true;
  const la = a?.certificates[0];
  const lb = b?.certificates[0];
  if (la === undefined || lb === undefined || la.length !== lb.length) return false;
  return Buffer.from(la.buffer, la.byteOffset, la.byteLength).equals(Buffer.from(lb.buffer, lb.byteOffset, lb.byteLength));
}
