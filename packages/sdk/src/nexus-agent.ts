import { createMtlsAgent } from "@spike-ts/mtls-transport";
import type { X509Source } from "@spike-ts/spiffe";
import type { Dispatcher } from "undici";
import type { ResolvedConfig } from "./config.js";
import { authorizeNexus } from "./nexus-authorizer.js";

/**
 * The mTLS agent the client talks to Nexus through: the SVID from `source`, the server checked
 * with {@link authorizeNexus}, and the connect, header, keep-alive and pool limits of `config`.
 * @internal
 */
export function createNexusAgent(config: ResolvedConfig, source: X509Source): Dispatcher {
  return createMtlsAgent({
    source,
    authorize: authorizeNexus(config.nexusTrustRoots),
    connect: { timeout: config.connectTimeoutMs },
    headersTimeout: config.headersTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    connections: config.maxConnections,
  });
}
