import { MtlsError, NexusError, NexusModelError, SpikeError, WorkloadApiError } from "@spike-ts/sdk";
import { describe, expect, it } from "vitest";
import { CliError } from "./errors.js";
import { formatErrorReport, reportError } from "./render-error.js";

describe("reportError", () => {
  it("gives exit 2 for input refused before sending and exit 1 for failures", () => {
    expect(reportError(new NexusError("invalid_input", "nexus: bad")).exitCode).toBe(2);
    expect(reportError(new NexusModelError("secret_path_invalid", "nexus-model: bad")).exitCode).toBe(2);
    expect(reportError(new SpikeError("config_invalid", "spike: bad env")).exitCode).toBe(2);
    expect(reportError(new NexusError("not_found", "m")).exitCode).toBe(1);
    expect(reportError(new NexusError("internal", "m")).exitCode).toBe(1);
    expect(reportError(new WorkloadApiError("timeout", "m")).exitCode).toBe(1);
    expect(reportError(new MtlsError("unauthorized", "m")).exitCode).toBe(1);
    expect(reportError(new Error("m")).exitCode).toBe(1);
    expect(reportError(new CliError("yaml_invalid", "spike: p.yaml: bad")).exitCode).toBe(2);
    expect(reportError(new CliError("already_exists", "spike: exists")).exitCode).toBe(1);
    expect(reportError("a string").exitCode).toBe(1);
  });

  it("treats a malformed SPIFFE_ENDPOINT_SOCKET as a configuration error (exit 2) with the unix:/// form", () => {
    const bare = reportError(new WorkloadApiError("address_invalid", "workload-api: address \"/tmp/x.sock\" is invalid"), { SPIFFE_ENDPOINT_SOCKET: "/tmp/x.sock" });
    expect(bare).toMatchObject({ exitCode: 2, summary: "Invalid configuration.", hint: "set SPIFFE_ENDPOINT_SOCKET to unix:///absolute/path.sock (here unix:///tmp/x.sock) or tcp://<ip>:<port>" });
    const http = reportError(new WorkloadApiError("address_invalid", "workload-api: bad scheme"), { SPIFFE_ENDPOINT_SOCKET: "http://127.0.0.1:1" });
    expect(http).toMatchObject({ exitCode: 2, summary: "Invalid configuration." });
    expect(http.hint).toContain("unix:///tmp/spire-agent/public/api.sock");
    expect(reportError(new WorkloadApiError("unreachable", "m")).exitCode).toBe(1);
  });

  it("recognises layers by brand, not by name", () => {
    const impostor = Object.assign(new Error("x"), { name: "NexusError", code: "invalid_input" });
    expect(reportError(impostor)).toMatchObject({ layer: "unknown", exitCode: 1 });
    expect(reportError(new MtlsError("unauthorized", "m")).layer).toBe("mtls");
    expect(reportError(new WorkloadApiError("unreachable", "m")).layer).toBe("workload-api");
  });

  it("uses Pilot's wording and says what to do", () => {
    const r = reportError(new NexusError("unauthorized", "nexus: refused"));
    expect(r).toMatchObject({ layer: "nexus", code: "unauthorized", summary: "Unauthorized access." });
    expect(r.hint).toContain("policy");
    expect(reportError(new WorkloadApiError("unreachable", "workload-api: down"), { SPIFFE_ENDPOINT_SOCKET: "unix:///x.sock" }).hint).toContain(
      "SPIFFE_ENDPOINT_SOCKET=unix:///x.sock",
    );
    expect(reportError(new NexusError("transport", "nexus: down"), { SPIKE_NEXUS_API_URL: "https://n:1" }).hint).toContain("Nexus runs at https://n:1");
  });

  it("lists causes that add something, once", () => {
    const inner = new Error("connect ECONNREFUSED 127.0.0.1:1");
    const r = reportError(new NexusError("transport", "nexus: secret.list failed", { cause: inner }));
    expect(r.causes).toEqual(["connect ECONNREFUSED 127.0.0.1:1"]);
    const dup = reportError(new NexusError("transport", "nexus: x; connect ECONNREFUSED", { cause: new Error("connect ECONNREFUSED") }));
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
