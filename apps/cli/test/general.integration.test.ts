import { startDevStack, type DevStack } from "@spike-ts/sdk/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMANDS } from "../src/commands.js";
import { runSpike } from "./run-spike.js";

let stack: DevStack;

beforeAll(async () => {
  stack = await startDevStack();
});
afterAll(async () => {
  await stack?.close();
});

describe("spike (real bin): help, usage errors, identity and connection failures", () => {
  it("prints --help with examples for every command, with exit 0 and no agent", async () => {
    const runs = await Promise.all([
      runSpike(["--help"]),
      runSpike(["secret", "--help"]),
      runSpike(["help", "policy"]),
      ...COMMANDS.map((c) => runSpike([...c.path, "--help"])),
    ]);
    for (const r of runs) {
      expect(r.code).toBe(0);
      expect(r.stderr).toBe("");
      expect(r.stdout).toContain("Usage:\n  spike ");
      expect(r.stdout).toContain("\nExamples:\n  ");
    }
    expect(runs[0]!.stdout).toContain("Exit codes:");
  });

  it("prints the version", async () => {
    expect(await runSpike(["version"])).toMatchObject({ code: 0, stdout: "spike 0.1.0\n" });
    expect(JSON.parse((await runSpike(["--version", "--json"])).stdout)).toEqual({ version: "0.1.0" });
  });

  it("exits 2 for unknown commands, groups without a command and extra arguments", async () => {
    const [unknown, group, extra, flag] = await Promise.all([
      runSpike(["secrets", "list"]),
      runSpike(["policy"]),
      runSpike(["secret", "list", "extra"]),
      runSpike(["policy", "list", "--json", "--bogus"]),
    ]);
    expect(unknown).toMatchObject({ code: 2, stdout: "" });
    expect(unknown.stderr).toContain("unknown command 'secrets' for 'spike'; did you mean secret? expected one of: secret, policy, cipher, doctor, version");
    expect(group.code).toBe(2);
    expect(group.stderr).toContain("'spike policy' needs a sub-command: create, apply, list, get, delete");
    expect(extra.code).toBe(2);
    expect(flag.code).toBe(2);
    expect(JSON.parse(flag.stderr)).toMatchObject({ error: { code: "usage", layer: "cli", exitCode: 2, message: "spike: unknown flag --bogus for 'spike policy list'" } });
  });

  it("exits 1 when the SVID is not the pilot superuser, before any call", async () => {
    const r = await runSpike(["secret", "list"], { env: { ...stack.workload.env } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: You need a 'pilot' SPIFFE ID to use this command\.\n  spike: this process has the SPIFFE ID spiffe:\/\/spike\.ist\/demo\/app/);
  });

  it("exits 1 with the Workload API error and its fix when the agent is down", async () => {
    const r = await runSpike(["secret", "list"], {
      env: { ...stack.pilot.env, SPIFFE_ENDPOINT_SOCKET: "unix:///tmp/sts-none/agent.sock", SPIKE_SPIFFE_SOURCE_TIMEOUT: "500ms" },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: Failed to get an SVID from the Workload API\.\n  workload-api: /);
    expect(r.stderr).toContain("what to do: check that the SPIFFE agent runs at SPIFFE_ENDPOINT_SOCKET=unix:///tmp/sts-none/agent.sock");
  });

  it("exits 1 when the server is not a Nexus ID, and when Nexus is down", async () => {
    const [wrongId, down] = await Promise.all([
      runSpike(["secret", "list"], { env: { ...stack.pilot.env, SPIKE_TRUST_ROOT_NEXUS: "other.org" } }),
      runSpike(["secret", "list", "--json"], { env: { ...stack.pilot.env, SPIKE_NEXUS_API_URL: "https://127.0.0.1:1" } }),
    ]);
    expect(wrongId.code).toBe(1);
    expect(wrongId.stderr).toMatch(/^Error: Failed to connect to SPIKE Nexus\.\n  mtls: server spiffe:\/\/spike\.ist\/spike\/nexus (at 127\.0\.0\.1:\d+ )?is not authorized/);
    expect(down.code).toBe(1);
    expect(JSON.parse(down.stderr).error).toMatchObject({ layer: "nexus", code: "transport", exitCode: 1, summary: "Failed to connect to SPIKE Nexus." });
  });

  it("exits 2 for a malformed environment variable", async () => {
    const r = await runSpike(["secret", "list"], { env: { ...stack.pilot.env, SPIKE_NEXUS_API_URL: "http://127.0.0.1:8553" } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Error: Invalid configuration\.\n  spike: SPIKE_NEXUS_API_URL must use https/);
  });
});
