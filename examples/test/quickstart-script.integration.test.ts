import { spawn } from "node:child_process";
import { once } from "node:events";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

// Runs scripts/quickstart with install and build skipped (the test run has built everything).
async function runScript(extraEnv: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn("bash", [join(root, "scripts", "quickstart")], {
    cwd: root,
    env: { ...process.env, SPIKE_TS_SKIP_INSTALL: "1", SPIKE_QUICKSTART_SKIP_BUILD: "1", ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, stdout, stderr };
}

describe("scripts/quickstart", () => {
  it("starts the stack, prints every step, and stops the stack", async () => {
    const { code, stdout, stderr } = await runScript({});
    expect(code).toBe(0);
    const steps = [...stdout.matchAll(/^\[(\d+)\] /gm)].map((m) => Number(m[1]));
    expect(steps).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(stdout).toContain("Username: dbuser");
    expect(stdout).toContain("Quickstart complete.");
    expect(stderr).toContain("==> starting the dev stack");
    expect(stderr).toContain("==> stopping the dev stack");
    expect(stderr).toContain("dev-stack: stopped");
  });

  it("exits non-zero and still stops the stack when the quickstart fails", async () => {
    const { code, stdout, stderr } = await runScript({ SPIKE_SPIFFE_SOURCE_TIMEOUT: "forever" });
    expect(code).toBe(1);
    expect(stdout).not.toContain("Quickstart complete.");
    expect(stderr).toContain("quickstart failed: SpikeError [config_invalid]: spike: SPIKE_SPIFFE_SOURCE_TIMEOUT");
    expect(stderr).toContain("dev-stack: stopped");
  });
});
