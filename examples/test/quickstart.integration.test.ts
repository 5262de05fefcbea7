import { afterEach, describe, expect, it } from "vitest";
import { runToEnd } from "./run-program.js";
import { type DemoStack, startDemoStack } from "./setup.js";

let demo: DemoStack | undefined;
afterEach(async () => {
  await demo?.close();
  demo = undefined;
});

describe("quickstart", () => {
  it("creates the policy as pilot, then writes, versions, lists and is refused as the workload", async () => {
    demo = await startDemoStack({ grant: false });
    const { code, stdout, stderr } = await runToEnd("quickstart", {
      ...demo.workloadEnv,
      PILOT_SPIFFE_ENDPOINT_SOCKET: demo.stack.pilot.env.SPIFFE_ENDPOINT_SOCKET,
    });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain(`workload SPIFFE ID: ${demo.stack.workload.spiffeId}`);
    expect(stdout).toContain(`pilot SPIFFE ID:    ${demo.stack.pilot.spiffeId}`);
    expect(stdout).toMatch(/policy demo-workload: \^spiffe:\/\/spike\\\.ist\/demo\/app\$ may read, write on \^tenants\/demo\/\.\*\$/);
    expect(stdout).toContain("Username: dbuser");
    expect(stdout).toContain("stored version 1");
    expect(stdout).toContain("current version: 2");
    expect(stdout).toContain("version 1: password is the original (9 chars)");
    expect(stdout).toContain("current:   password is the rotated one (11 chars)");
    expect(stdout).toContain("- tenants/demo/db/creds");
    expect(stdout).toMatch(/refused, as it should be: NexusError \[unauthorized\]: nexus: /);
    expect(stdout).toContain("Quickstart complete.");
    // The secret object never printed its values.
    expect(stdout).not.toContain("dbpass123");
    expect(stdout).not.toContain("rotated-456");
    // What the quickstart did is really in Nexus.
    const secret = await demo.pilot.getSecret("tenants/demo/db/creds", { version: 1 });
    expect(secret.get("password")).toBe("dbpass123");
    expect((await demo.pilot.getPolicy("demo-workload")).permissions).toEqual(["read", "write"]);
  });

  it("reads the stored version from metadata when the path already has versions", async () => {
    demo = await startDemoStack({ grant: false });
    await demo.pilot.putSecret("tenants/demo/db/creds", { username: "old", password: "old-password" });
    const { code, stdout, stderr } = await runToEnd("quickstart", {
      ...demo.workloadEnv,
      PILOT_SPIFFE_ENDPOINT_SOCKET: demo.stack.pilot.env.SPIFFE_ENDPOINT_SOCKET,
    });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain("stored version 2");
    expect(stdout).not.toContain("stored version 1");
    expect(stdout).toContain("current version: 3");
    expect(stdout).toContain("version 2: password is the original (9 chars)");
  });

  it("fails with a clear message and exit code 1 without the pilot socket", async () => {
    demo = await startDemoStack({ grant: false });
    const { code, stderr } = await runToEnd("quickstart", demo.workloadEnv);
    expect(code).toBe(1);
    expect(stderr).toContain("quickstart failed: Error: quickstart: set PILOT_SPIFFE_ENDPOINT_SOCKET");
  });
});
