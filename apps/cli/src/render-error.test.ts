import { describe, expect, it } from "vitest";
import { CliError } from "./errors.js";
import { formatErrorReport, reportError } from "./render-error.js";

function typed(name: string, code: string, message: string, cause?: unknown): Error {
  return Object.assign(new Error(message, cause === undefined ? undefined : { cause }), { name, code });
}

describe("reportError", () => {
  it("gives exit 2 for input refused before sending and exit 1 for failures", () => {
    expect(reportError(typed("NexusError", "invalid_input", "nexus: bad")).exitCode).toBe(2);
    expect(reportError(typed("NexusModelError", "secret_path_invalid", "nexus-model: bad")).exitCode).toBe(2);
    expect(reportError(typed("SpikeError", "config_invalid", "spike: bad env")).exitCode).toBe(2);
    for (const [name, code] of [["NexusError", "not_found"], ["NexusError", "internal"], ["WorkloadApiError", "timeout"], ["MtlsError", "unauthorized"], ["Error", "x"]]) {
      expect(reportError(typed(name as string, code as string, "m")).exitCode).toBe(1);
    }
    expect(reportError(new CliError("yaml_invalid", "spike: p.yaml: bad")).exitCode).toBe(2);
    expect(reportError(new CliError("already_exists", "spike: exists")).exitCode).toBe(1);
    expect(reportError("a string").exitCode).toBe(1);
  });

  it("uses Pilot's wording and names the layer", () => {
    const r = reportError(typed("NexusError", "unauthorized", "nexus: refused"));
    expect(r).toMatchObject({ layer: "nexus", code: "unauthorized", summary: "Unauthorized access." });
    expect(r.hint).toContain("policy");
    expect(reportError(typed("WorkloadApiError", "unreachable", "workload-api: down"), { SPIFFE_ENDPOINT_SOCKET: "unix:///x.sock" }).hint).toContain(
      "SPIFFE_ENDPOINT_SOCKET=unix:///x.sock",
    );
  });

  it("lists causes that add something, once", () => {
    const inner = new Error("connect ECONNREFUSED 127.0.0.1:1");
    const r = reportError(typed("NexusError", "transport", "nexus: secret.list failed", inner));
    expect(r.causes).toEqual(["connect ECONNREFUSED 127.0.0.1:1"]);
    const dup = reportError(typed("NexusError", "transport", "nexus: x; connect ECONNREFUSED", new Error("connect ECONNREFUSED")));
    expect(dup.causes).toEqual([]);
  });
});

describe("formatErrorReport", () => {
  it("prints Error: summary, then the details", () => {
    const r = reportError(new CliError("not_found", "spike: no key", { summary: "Key not found.", hint: "list the keys" }));
    expect(formatErrorReport(r, false)).toBe("Error: Key not found.\n  spike: no key\n  what to do: list the keys\n");
    expect(JSON.parse(formatErrorReport(r, true))).toEqual({
      error: { code: "not_found", layer: "cli", exitCode: 1, summary: "Key not found.", message: "spike: no key", hint: "list the keys" },
    });
  });
});
