import { parseTrustRootList } from "@spike-ts/nexus-model";
import { SpikeError } from "./errors.js";
import { parseGoDuration } from "./duration.js";

/** The Workload API address used when neither the option nor `SPIFFE_ENDPOINT_SOCKET` is set. */
export const DEFAULT_ENDPOINT_SOCKET = "unix:///tmp/spire-agent/public/api.sock";
/** The Nexus base URL used when neither the option nor `SPIKE_NEXUS_API_URL`/`SPIKE_NEXUS_URL` is set. */
export const DEFAULT_NEXUS_URL = "https://localhost:8553";
/** The trust root accepted for Nexus when neither the option nor `SPIKE_TRUST_ROOT_NEXUS` is set. */
export const DEFAULT_NEXUS_TRUST_ROOT = "spike.ist";

/** The settings `createSpikeClient()` runs with, after options and environment are merged. */
export interface ResolvedConfig {
  /** Workload API address (`unix:///path` or `tcp://host:port`). */
  readonly endpointSocket: string;
  /** Nexus base URL (`https://host:port[/prefix]`). */
  readonly nexusUrl: string;
  /** Trust domains whose `/spike/nexus` ID is accepted as the server. */
  readonly nexusTrustRoots: readonly string[];
  /** How long to wait for the first SVID, in milliseconds. */
  readonly sourceTimeoutMs: number;
  /** Overall limit for one call, in milliseconds (`SPIKE_HTTP_CLIENT_TIMEOUT`). */
  readonly requestTimeoutMs: number;
  /** TCP + TLS connect limit, in milliseconds (`SPIKE_HTTP_CLIENT_DIALER_TIMEOUT`). */
  readonly connectTimeoutMs: number;
  /** Limit for the response headers, in milliseconds (`SPIKE_HTTP_CLIENT_RESPONSE_HEADER_TIMEOUT`). */
  readonly headersTimeoutMs: number;
  /** How long an idle connection is kept, in milliseconds (`SPIKE_HTTP_CLIENT_IDLE_CONN_TIMEOUT`). */
  readonly keepAliveTimeoutMs: number;
  /** Connections per Nexus origin (`SPIKE_HTTP_CLIENT_MAX_CONNS_PER_HOST`). */
  readonly maxConnections: number;
}

/** The subset of options that config resolution reads; see `SpikeClientOptions`. */
export interface ConfigOptions {
  /** Workload API address; overrides `SPIFFE_ENDPOINT_SOCKET`. */
  endpointSocket?: string | undefined;
  /** Nexus base URL; overrides `SPIKE_NEXUS_API_URL` and `SPIKE_NEXUS_URL`. */
  nexusUrl?: string | undefined;
  /** Nexus trust domains; overrides `SPIKE_TRUST_ROOT_NEXUS`. */
  nexusTrustRoots?: string | readonly string[] | undefined;
  /** First-SVID wait in ms; overrides `SPIKE_SPIFFE_SOURCE_TIMEOUT`. */
  sourceTimeoutMs?: number | undefined;
  /** Per-call limit in ms; overrides `SPIKE_HTTP_CLIENT_TIMEOUT`. */
  requestTimeoutMs?: number | undefined;
  /** The environment to read instead of `process.env`. */
  env?: Readonly<Record<string, string | undefined>> | undefined;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === "" ? undefined : v.trim();
}

function durationFrom(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  fallbackMs: number,
): number {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallbackMs;
  const ms = parseGoDuration(raw);
  if (ms === undefined || ms <= 0) {
    throw new SpikeError(
      "config_invalid",
      `spike: ${name} must be a positive Go duration such as "30s" or "1m30s"; unset it to use the default`,
      { setting: name },
    );
  }
  return ms;
}

function positiveIntFrom(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  fallback: number,
): number {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    throw new SpikeError("config_invalid", `spike: ${name} must be a positive integer; unset it to use the default`, {
      setting: name,
    });
  }
  return Number(raw);
}

function positiveMs(value: number | undefined, setting: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value <= 0) {
    throw new SpikeError("config_invalid", `spike: option ${setting} must be a positive number of milliseconds`, {
      setting,
    });
  }
  return value;
}

/**
 * Parses a comma-separated trust-root list the way the Go SDK does (entries trimmed), but throws
 * `config_invalid` on an empty entry where the Go SDK would exit the process.
 */
export function parseTrustRoots(value: string | readonly string[], setting: string): string[] {
  const text = typeof value === "string" ? value : value.join(",");
  if (text.trim() === "") {
    throw new SpikeError("config_invalid", `spike: ${setting} is empty; give trust domains like "spike.ist,example.org"`, {
      setting,
    });
  }
  try {
    return parseTrustRootList(text, setting);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message.replace(/^nexus-model: /, "") : String(cause);
    throw new SpikeError("config_invalid", `spike: ${reason}`, { setting, cause });
  }
}

function checkUrl(value: string, setting: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new SpikeError("config_invalid", `spike: ${setting} is not a URL; use https://host:port`, {
      setting,
      cause,
    });
  }
  if (url.protocol !== "https:") {
    throw new SpikeError(
      "config_invalid",
      `spike: ${setting} must use https (Nexus speaks mTLS only), got ${url.protocol}//`,
      { setting },
    );
  }
  if (url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "") {
    throw new SpikeError(
      "config_invalid",
      `spike: ${setting} must be https://host:port[/prefix] with no credentials, query or fragment`,
      { setting },
    );
  }
  return value.trim();
}

/**
 * Merges options over the environment the Go SDK reads (`SPIFFE_ENDPOINT_SOCKET`,
 * `SPIKE_NEXUS_API_URL` or its alias `SPIKE_NEXUS_URL`, `SPIKE_TRUST_ROOT_NEXUS`,
 * `SPIKE_SPIFFE_SOURCE_TIMEOUT`, `SPIKE_HTTP_CLIENT_*`), validating every value.
 */
export function resolveConfig(options: ConfigOptions = {}): ResolvedConfig {
  const env = options.env ?? process.env;

  const endpointSocket = nonEmpty(options.endpointSocket) ?? nonEmpty(env.SPIFFE_ENDPOINT_SOCKET) ?? DEFAULT_ENDPOINT_SOCKET;

  let nexusUrl: string;
  if (nonEmpty(options.nexusUrl) !== undefined) nexusUrl = checkUrl(options.nexusUrl as string, "nexusUrl");
  else if (nonEmpty(env.SPIKE_NEXUS_API_URL) !== undefined)
    nexusUrl = checkUrl(env.SPIKE_NEXUS_API_URL as string, "SPIKE_NEXUS_API_URL");
  else if (nonEmpty(env.SPIKE_NEXUS_URL) !== undefined) nexusUrl = checkUrl(env.SPIKE_NEXUS_URL as string, "SPIKE_NEXUS_URL");
  else nexusUrl = DEFAULT_NEXUS_URL;

  const nexusTrustRoots =
    options.nexusTrustRoots !== undefined
      ? parseTrustRoots(options.nexusTrustRoots, "nexusTrustRoots")
      : nonEmpty(env.SPIKE_TRUST_ROOT_NEXUS) !== undefined
        ? parseTrustRoots(env.SPIKE_TRUST_ROOT_NEXUS as string, "SPIKE_TRUST_ROOT_NEXUS")
        : [DEFAULT_NEXUS_TRUST_ROOT];

  return {
    endpointSocket,
    nexusUrl,
    nexusTrustRoots,
    sourceTimeoutMs:
      positiveMs(options.sourceTimeoutMs, "sourceTimeoutMs") ?? durationFrom(env, "SPIKE_SPIFFE_SOURCE_TIMEOUT", 30_000),
    requestTimeoutMs:
      positiveMs(options.requestTimeoutMs, "requestTimeoutMs") ?? durationFrom(env, "SPIKE_HTTP_CLIENT_TIMEOUT", 60_000),
    connectTimeoutMs: durationFrom(env, "SPIKE_HTTP_CLIENT_DIALER_TIMEOUT", 30_000),
    headersTimeoutMs: durationFrom(env, "SPIKE_HTTP_CLIENT_RESPONSE_HEADER_TIMEOUT", 10_000),
    keepAliveTimeoutMs: durationFrom(env, "SPIKE_HTTP_CLIENT_IDLE_CONN_TIMEOUT", 30_000),
    maxConnections: positiveIntFrom(env, "SPIKE_HTTP_CLIENT_MAX_CONNS_PER_HOST", 10),
  };
}
