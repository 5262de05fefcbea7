import { JwtBundle, JwtBundleSet, SpiffeId, TrustDomain, parseJwtSvidInsecure } from "@spike-ts/spiffe";
import type { JwtSvid } from "@spike-ts/spiffe";
import { WorkloadApiError } from "./errors.js";
import { firstPerHint } from "./hints.js";
import type { JwtBundlesResponseMessage, JwtSvidResponseMessage } from "./proto/messages.js";
import { malformedResponse } from "./x509-context.js";

/** Parameters of a JWT-SVID fetch. */
export interface JwtSvidParams {
  /** The audience(s) to put in `aud`; at least one. */
  audience: string | readonly string[];
  /** Extra audiences, appended after `audience` (go-spiffe's `ExtraAudiences`). */
  extraAudiences?: readonly string[];
  /** Only the JWT-SVID of this SPIFFE ID (default: every identity of the workload). */
  subject?: SpiffeId | string;
  /** Cancels the call. */
  signal?: AbortSignal;
}

/** The full audience list of `params`, validated. */
export function audienceList(params: JwtSvidParams): string[] {
  const base = typeof params.audience === "string" ? [params.audience] : [...(params.audience ?? [])];
  const all = [...base, ...(params.extraAudiences ?? [])];
  if (all.length === 0 || all.some((a) => typeof a !== "string" || a === "")) {
    throw new WorkloadApiError("invalid_argument", "workload-api: a JWT-SVID needs at least one non-empty audience");
  }
  return all;
}

/** The requested subject as a string ("" = all), validated. */
export function subjectString(subject: SpiffeId | string | undefined): string {
  if (subject === undefined || subject === "") return "";
  try {
    return SpiffeId.from(subject).toString();
  } catch (e) {
    throw new WorkloadApiError("invalid_argument", `workload-api: JWT-SVID subject is not a SPIFFE ID: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Parses a `JWTSVIDResponse`: tokens come from the agent, so they are parsed without a signature
 * check, but `sub`, `exp` and the audience are checked; hint-duplicates are dropped.
 */
export function parseJwtSvidResponse(msg: JwtSvidResponseMessage, audience: string[], now: () => Date): JwtSvid[] {
  const rpc = "FetchJWTSVID";
  const entries = msg.svids ?? [];
  if (entries.length === 0) throw malformedResponse(rpc, "no SVIDs in response");
  const out: JwtSvid[] = [];
  for (const [i, e, hint] of firstPerHint(entries)) {
    let svid: JwtSvid;
    try {
      svid = parseJwtSvidInsecure(e.svid ?? "", audience, { now: now(), hint });
    } catch (err) {
      throw malformedResponse(rpc, `svids[${i}] is not a valid JWT-SVID`, err);
    }
    if (e.spiffe_id && svid.id.toString() !== e.spiffe_id) {
      throw malformedResponse(rpc, `svids[${i}].spiffe_id ${JSON.stringify(e.spiffe_id.slice(0, 200))} differs from the token subject ${svid.id.toString()}`);
    }
    out.push(svid);
  }
  return out;
}

/** Parses a `JWTBundlesResponse` into a JWT bundle set. */
export function parseJwtBundlesResponse(msg: JwtBundlesResponseMessage): JwtBundleSet {
  const rpc = "FetchJWTBundles";
  const entries = Object.entries(msg.bundles ?? {});
  if (entries.length === 0) throw malformedResponse(rpc, "no bundles in response");
  const set = new JwtBundleSet();
  for (const [key, json] of entries) {
    let td: TrustDomain;
    try {
      td = TrustDomain.parse(key);
    } catch (err) {
      throw malformedResponse(rpc, `bundle key ${JSON.stringify(key.slice(0, 100))} is not a trust domain`, err);
    }
    try {
      set.add(JwtBundle.parse(td, json ?? new Uint8Array()));
    } catch (err) {
      throw malformedResponse(rpc, `JWT bundle of ${td.name} is not a valid JWK Set`, err);
    }
  }
  return set;
}

/** A stable fingerprint of a raw `JWTBundlesResponse`, to skip updates that change nothing. */
export function jwtBundlesFingerprint(msg: JwtBundlesResponseMessage): string {
  return Object.entries(msg.bundles ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k} ${Buffer.from(v ?? []).toString("base64")}`)
    .join("\n");
}
