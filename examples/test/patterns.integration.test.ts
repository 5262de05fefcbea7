import { afterEach, describe, expect, it } from "vitest";
import { runProgram, runToEnd } from "./run-program.js";
import { type DemoStack, startDemoStack } from "./setup.js";

let demo: DemoStack | undefined;
afterEach(async () => {
  await demo?.close();
  demo = undefined;
});

async function seed(d: DemoStack): Promise<void> {
  await d.pilot.putSecret("tenants/demo/db/creds", { username: "dbuser", password: "dbpass123" });
  await d.pilot.putSecret("tenants/demo/api/key", { key: "k-0123456789abcdef" });
}

describe("pattern 1: fetch at startup", () => {
  it("reads both secrets once and starts", async () => {
    demo = await startDemoStack();
    await seed(demo);
    const { code, stdout, stderr } = await runToEnd("fetch-at-startup", demo.workloadEnv);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain("db connected as dbuser (password of 9 chars)");
    expect(stdout).toContain("api client ready (key of 18 chars)");
    expect(stdout).toContain(
      "serving with [Secret tenants/demo/db/creds: 2 keys, values redacted] and [Secret tenants/demo/api/key: 1 keys, values redacted]",
    );
    expect(stdout).not.toContain("dbpass123");
  });

  it("fails at startup with the Nexus error when the policy does not grant the path", async () => {
    demo = await startDemoStack({ grant: false });
    await seed(demo);
    const { code, stderr } = await runToEnd("fetch-at-startup", demo.workloadEnv);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^fetch-at-startup failed: NexusError \[unauthorized\]: nexus: /);
  });
});

describe("pattern 2: fetch on demand", () => {
  it("reads the current secret for each request", async () => {
    demo = await startDemoStack();
    await seed(demo);
    const { code, stdout, stderr } = await runToEnd("fetch-on-demand", demo.workloadEnv, ["a", "b", "c"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout.trim().split("\n")).toEqual([
      "external api answered a (authenticated with a 18-char key)",
      "external api answered b (authenticated with a 18-char key)",
      "external api answered c (authenticated with a 18-char key)",
    ]);
  });

  it("reports a failed request and exits 1 when the secret is missing", async () => {
    demo = await startDemoStack();
    const { code, stdout } = await runToEnd("fetch-on-demand", demo.workloadEnv, ["x"]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^request x failed: NexusError \[not_found\]: nexus: /);
  });
});

describe("pattern 3: cached with refresh", () => {
  it("serves from the cache and picks up a new version after the TTL", async () => {
    demo = await startDemoStack();
    await seed(demo);
    const program = runProgram("cached-refresh", { ...demo.workloadEnv, EXAMPLE_TTL_MS: "200", EXAMPLE_MAX_RUN_MS: "30000" });
    try {
      expect(await program.waitForLine(/^cached /)).toBe("cached tenants/demo/db/creds at version 1: username dbuser");
      await program.waitForLine(/^watching for changes$/);
      await demo.pilot.putSecret("tenants/demo/db/creds", { username: "dbuser", password: "a-much-longer-password" });
      expect(await program.waitForLine(/^refreshed /)).toBe(
        "refreshed tenants/demo/db/creds: version 1 -> 2, password of 22 chars",
      );
      expect(await program.exited()).toBe(0);
      const stats = /^cache stats: (\d+) hits, (\d+) loads, (\d+) version checks$/m.exec(program.stdout());
      expect(stats).not.toBeNull();
      expect(Number(stats?.[2])).toBe(2);
      expect(Number(stats?.[3])).toBeGreaterThanOrEqual(2);
      expect(program.stderr()).toBe("");
    } finally {
      if (program.child.exitCode === null) {
        program.child.kill("SIGTERM");
        await program.exited();
      }
    }
  });
});
