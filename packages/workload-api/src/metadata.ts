import { Metadata } from "@grpc/grpc-js";

/** The metadata key every Workload API request must carry (an SSRF guard). */
export const SECURITY_HEADER = "workload.spiffe.io";

/** Fresh metadata with exactly one `workload.spiffe.io: true` (uses `set`, never `add`). */
export function securityMetadata(): Metadata {
  const md = new Metadata();
  md.set(SECURITY_HEADER, "true");
  return md;
}
