import { ROLE_PATHS } from "@spike-ts/nexus-model";
import { authorizeIf } from "@spike-ts/spiffe";
import type { Authorizer } from "@spike-ts/spiffe";

/**
 * Whether `id` is a SPIKE Nexus ID for one of `trustRoots`: exactly `spiffe://<root>/spike/nexus`
 * or below it (`spiffe://<root>/spike/nexus/...`), the rule of the Go SDK's `AllowNexus`.
 */
export function isNexusId(id: string, trustRoots: readonly string[]): boolean {
  return trustRoots.some((root) => {
    const base = `spiffe://${root}${ROLE_PATHS.nexus}`;
    return id === base || id.startsWith(`${base}/`);
  });
}

/**
 * The authorizer the SDK hands to mtls-transport: it accepts only a server presenting a SPIKE
 * Nexus SVID (`spiffe://<trust root>/spike/nexus[/...]`) for one of `trustRoots`. A refusal
 * reaches the caller as `MtlsError` `unauthorized`.
 *
 * @example
 * ```ts
 * const dispatcher = createMtlsAgent({ source, authorize: authorizeNexus(["spike.ist"]) });
 * ```
 */
export function authorizeNexus(trustRoots: readonly string[]): Authorizer {
  const roots = [...trustRoots];
  const expected =
    roots.map((r) => `spiffe://${r}${ROLE_PATHS.nexus}[/...]`).join(" or ") +
    " (set SPIKE_TRUST_ROOT_NEXUS or nexusTrustRoots if nexus runs in another trust domain)";
  return authorizeIf((id) => isNexusId(id.toString(), roots), expected);
}
