import type { X509BundleSource } from "./x509-bundle.js";
import type { X509Svid } from "./x509-svid.js";

/** Anything that hands out the current X.509-SVID (a Workload API source, a static source). */
export interface X509SvidSource {
  /**
   * Returns the current SVID. Throws {@link SpiffeError} `svid_expired` when the SVID it holds
   * has expired, `source_closed` after close.
   */
  getX509Svid(): X509Svid;
}

/**
 * The current SVID and bundles, with update notifications: what mtls-transport and the SDK
 * consume. Ask it at every handshake; never snapshot.
 */
export interface X509Source extends X509SvidSource, X509BundleSource {
  /** Calls `listener` after the SVID or bundles changed; returns the unsubscribe function. */
  onUpdate(listener: () => void): () => void;
}
