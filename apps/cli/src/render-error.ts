import { CliError } from "./errors.js";

/** A failure as spike reports it: exit code, Pilot's one-line summary, and the details. */
export interface ErrorReport {
  /** 2 for usage and configuration errors (nothing sent), 1 for everything else. */
  readonly exitCode: 1 | 2;
  /** The layer that failed: `cli`, `nexus`, `nexus-model`, `workload-api`, `mtls`, `sdk`, `spiffe` or `unknown`. */
  readonly layer: string;
  /** The typed error's code (`not_found`, `unreachable`, ...). */
  readonly code: string;
  /** Pilot's wording, printed after `Error: `. */
  readonly summary: string;
  /** The typed error's message (what failed and what to do). */
  readonly message: string;
  /** More to do, when known. */
  readonly hint: string | undefined;
  /** Messages of the causes, outermost first (at most three). */
  readonly causes: readonly string[];
}

/**
 * Each layer's error brand (the `Symbol.for` key its `is()` guard checks), so errors are
 * recognised across duplicate installs without loading the SDK at startup.
 */
const BRANDS: ReadonlyArray<readonly [symbol, string]> = [
  [Symbol.for("@spike-ts/cli.error"), "cli"],
  [Symbol.for("@spike-ts/nexus-client.error"), "nexus"],
  [Symbol.for("@spike-ts/nexus-model.error"), "nexus-model"],
  [Symbol.for("@spike-ts/workload-api.error"), "workload-api"],
  [Symbol.for("@spike-ts/mtls-transport.error"), "mtls"],
  [Symbol.for("@spike-ts/sdk.error"), "sdk"],
  [Symbol.for("@spike-ts/spiffe.error"), "spiffe"],
  [Symbol.for("@spike-ts/cache.error"), "cache"],
];

function layerOf(e: unknown): string {
  if (typeof e !== "object" || e === null) return "unknown";
  for (const [brand, layer] of BRANDS) if (brand in e) return layer;
  return "unknown";
}

const NEXUS_SUMMARY: Readonly<Record<string, string>> = {
  invalid_input: "Invalid input provided.",
  bad_request: "Invalid request.",
  unauthorized: "Unauthorized access.",
  not_found: "Resource not found.",
  internal: "SPIKE Nexus failed to handle the request.",
  not_ready: "SPIKE is not ready yet.",
  bad_response: "Failed to parse API response.",
  transport: "Failed to connect to SPIKE Nexus.",
  timeout: "Failed to connect to SPIKE Nexus.",
  aborted: "Operation canceled.",
  closed: "Operation canceled.",
};

function fieldOf(e: unknown, key: string): unknown {
  return typeof e === "object" && e !== null ? (e as Record<string, unknown>)[key] : undefined;
}

function causesOf(e: unknown, message: string): string[] {
  const out: string[] = [];
  const bare = (m: string): string => m.replace(/^[a-z0-9-]+: /, "");
  let c = fieldOf(e, "cause");
  const seen = new Set<unknown>([e]);
  while (c !== undefined && c !== null && !seen.has(c) && out.length < 3) {
    seen.add(c);
    const m = c instanceof Error ? c.message : typeof c === "string" ? c : undefined;
    const first = m?.split("\n")[0];
    if (first && !out.includes(first) && !message.includes(bare(first))) out.push(first);
    c = fieldOf(c, "cause");
  }
  return out;
}

/**
 * Turns any thrown value into what spike prints and exits with. Typed errors are recognised by
 * their package's brand symbol (so duplicate installs work); only their messages are shown,
 * which never carry secret values.
 */
export function reportError(e: unknown, env: Readonly<Record<string, string | undefined>> = {}): ErrorReport {
  const layer = layerOf(e);
  const code = typeof fieldOf(e, "code") === "string" ? (fieldOf(e, "code") as string) : "unexpected";
  const message = e instanceof Error ? e.message : String(e);
  const causes = layer === "nexus-model" ? [] : causesOf(e, message);
  if (CliError.is(e)) {
    return { exitCode: e.exitCode, layer, code, summary: e.summary ?? message, message, hint: e.hint, causes };
  }
  switch (layer) {
    case "nexus-model":
      return { exitCode: 2, layer, code, summary: "Invalid input provided.", message, hint: "fix the value; nothing was sent to Nexus", causes };
    case "nexus": {
      const exitCode = code === "invalid_input" ? 2 : 1;
      const hint =
        code === "transport" || code === "timeout"
          ? `check that Nexus runs at ${env["SPIKE_NEXUS_API_URL"] || env["SPIKE_NEXUS_URL"] || "https://localhost:8553"} and that SPIKE_TRUST_ROOT_NEXUS names its trust domain; 'spike doctor' checks both`
          : code === "unauthorized"
            ? "run spike as the Pilot superuser, or create a policy that grants this SPIFFE ID the permission"
            : undefined;
      return { exitCode, layer, code, summary: NEXUS_SUMMARY[code] ?? "SPIKE Nexus call failed.", message, hint, causes };
    }
    case "workload-api":
      if (code === "address_invalid" || code === "address_missing") {
        // A malformed SPIFFE_ENDPOINT_SOCKET is a configuration error: nothing was dialled.
        const bare = env["SPIFFE_ENDPOINT_SOCKET"]?.startsWith("/") === true;
        return {
          exitCode: 2,
          layer,
          code,
          summary: "Invalid configuration.",
          message,
          hint: `set SPIFFE_ENDPOINT_SOCKET to unix:///absolute/path.sock${bare ? ` (here unix://${env["SPIFFE_ENDPOINT_SOCKET"]})` : " (for example unix:///tmp/spire-agent/public/api.sock)"} or tcp://<ip>:<port>`,
          causes,
        };
      }
      return {
        exitCode: 1,
        layer,
        code,
        summary: "Failed to get an SVID from the Workload API.",
        message,
        hint: `check that the SPIFFE agent runs at SPIFFE_ENDPOINT_SOCKET=${env["SPIFFE_ENDPOINT_SOCKET"] || "unix:///tmp/spire-agent/public/api.sock"} and has an entry for this process; 'spike doctor' checks it`,
        causes,
      };
    case "mtls":
      return { exitCode: 1, layer, code, summary: "Failed to connect to SPIKE Nexus.", message, hint: "'spike doctor' shows which certificate check failed", causes };
    case "sdk":
      return {
        exitCode: code === "config_invalid" ? 2 : 1,
        layer,
        code,
        summary: code === "config_invalid" ? "Invalid configuration." : "SPIKE client failed.",
        message,
        hint: undefined,
        causes,
      };
    case "spiffe":
      return { exitCode: 1, layer, code, summary: "SPIFFE identity check failed.", message, hint: "'spike doctor' shows the SVID and bundle", causes };
    default:
      return { exitCode: 1, layer, code, summary: "Unexpected error.", message, hint: undefined, causes };
  }
}

/** The text spike prints on stderr for a report: `Error: <summary>`, then the details indented. */
export function formatErrorReport(r: ErrorReport, json: boolean): string {
  if (json) {
    const body: Record<string, unknown> = { code: r.code, layer: r.layer, exitCode: r.exitCode, summary: r.summary, message: r.message };
    if (r.hint) body["hint"] = r.hint;
    if (r.causes.length > 0) body["causes"] = r.causes;
    return `${JSON.stringify({ error: body })}\n`;
  }
  const lines = [`Error: ${r.summary}`];
  if (r.message !== r.summary) lines.push(`  ${r.message}`);
  for (const c of r.causes) lines.push(`  caused by: ${c}`);
  if (r.hint) lines.push(`  what to do: ${r.hint}`);
  return `${lines.join("\n")}\n`;
}
