import type { SpikeClientOptions } from "@spike-ts/sdk";

/** The extension's settings (`spike.*`) as read from the editor; empty strings mean "not set". */
export interface ExtensionSettings {
  /** `spike.nexusUrl`. */
  readonly nexusUrl?: string | undefined;
  /** `spike.workloadApiSocket`. */
  readonly workloadApiSocket?: string | undefined;
  /** `spike.trustRoot`. */
  readonly trustRoot?: string | undefined;
}

function set(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === "" ? undefined : v.trim();
}

/**
 * The `createSpikeClient()` options for the settings: a setting that is set wins; an empty one is
 * left out so the SDK falls back to `SPIKE_NEXUS_API_URL`, `SPIFFE_ENDPOINT_SOCKET` and
 * `SPIKE_TRUST_ROOT_NEXUS` from `env`, then to its defaults.
 */
export function clientOptionsFromSettings(
  settings: ExtensionSettings,
  env: Readonly<Record<string, string | undefined>>,
): SpikeClientOptions {
  const nexusUrl = set(settings.nexusUrl);
  const endpointSocket = set(settings.workloadApiSocket);
  const trustRoot = set(settings.trustRoot);
  return {
    env,
    ...(nexusUrl === undefined ? {} : { nexusUrl }),
    ...(endpointSocket === undefined ? {} : { endpointSocket }),
    ...(trustRoot === undefined ? {} : { nexusTrustRoots: trustRoot }),
  };
}

/** A stable key of the settings, to tell whether a change needs a new connection. */
export function settingsKey(settings: ExtensionSettings): string {
  return JSON.stringify([set(settings.nexusUrl) ?? "", set(settings.workloadApiSocket) ?? "", set(settings.trustRoot) ?? ""]);
}
