/** Where a failure came from, for the message the user sees. */
const HINTS: Readonly<Record<string, string>> = {
  WorkloadApiError: "could not get an identity from the SPIFFE Workload API; check spike.workloadApiSocket or SPIFFE_ENDPOINT_SOCKET",
  MtlsError: "the mTLS connection to Nexus failed; check spike.trustRoot or SPIKE_TRUST_ROOT_NEXUS and that spike.nexusUrl points at Nexus",
  NexusError: "Nexus refused or could not answer the request",
  SpikeError: "the SPIKE settings are not usable",
  NexusModelError: "the request broke a Nexus rule",
  ExtensionError: "the SPIKE extension could not do this",
};

const NEXUS_CODE_HINTS: Readonly<Record<string, string>> = {
  unauthorized: "no policy grants this workload the permission; ask an operator for a policy (list for the tree, read for versions)",
  not_found: "the secret or version is gone or deleted; refresh the view",
  not_ready: "Nexus is not ready yet (it may be waiting for its root key); try again shortly",
  transport: "could not reach Nexus; check spike.nexusUrl or SPIKE_NEXUS_API_URL",
  timeout: "Nexus did not answer in time; try again",
};

/**
 * One line for the user about a failure: which layer failed (Workload API, mTLS, Nexus, settings)
 * and what to do, followed by the error's own message. Error messages of spike-ts never carry
 * secret values, and nothing else of the error (no cause chain, no stack) is shown.
 */
export function describeError(e: unknown): string {
  if (typeof e !== "object" || e === null) return `SPIKE: ${String(e)}`;
  const name = typeof (e as { name?: unknown }).name === "string" ? (e as { name: string }).name : "Error";
  const code = typeof (e as { code?: unknown }).code === "string" ? (e as { code: string }).code : undefined;
  const message = e instanceof Error ? e.message : String(e);
  const hint = (name === "NexusError" && code ? NEXUS_CODE_HINTS[code] : undefined) ?? HINTS[name];
  const tag = code ? ` [${name} ${code}]` : "";
  return hint ? `SPIKE: ${hint}: ${message}${tag}` : `SPIKE: ${message}${tag}`;
}
