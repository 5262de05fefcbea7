import { startDevStack, type DevStack } from "@spike-ts/sdk/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runSpike } from "./run-spike.js";

let stack: DevStack;

beforeEach(async () => {
  stack = await startDevStack();
});
afterEach(async () => {
  await stack?.close();
});

function lines(stdout: string): string[] {
  return stdout.trimEnd().split("\n");
}

describe("spike doctor (real bin, dev stack)", () => {
  it("passes every check on a healthy stack", async () => {
    const r = await runSpike(["doctor"], { env: { ...stack.pilot.env } });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out.map((l) => l.slice(0, 6).trim())).toEqual(["OK", "OK", "OK", "OK", "OK", "OK", "OK", "OK"]);
    expect(out[0]).toMatch(/^OK +config +environment variables are well formed$/);
    expect(out[1]).toMatch(new RegExp(`^OK +workload api +${stack.pilot.env.SPIFFE_ENDPOINT_SOCKET}$`));
    expect(out[2]).toMatch(/^OK +svid +spiffe:\/\/spike\.ist\/spike\/pilot\/role\/superuser, expires \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(in \d+m\)$/);
    expect(out[3]).toMatch(/^OK +role +pilot superuser$/);
    expect(out[4]).toMatch(/^OK +bundle +spike\.ist: 1 authority$/);
    expect(out[5]).toMatch(new RegExp(`^OK +nexus url +${stack.nexusUrl.replace(/\./g, "\\.")}$`));
    expect(out[6]).toMatch(/^OK +nexus id +spiffe:\/\/spike\.ist\/spike\/nexus is a Nexus ID for SPIKE_TRUST_ROOT_NEXUS=spike\.ist$/);
    expect(out[7]).toMatch(/^OK +test call +secret list answered: 0 paths$/);

    const j = await runSpike(["doctor", "--json"], { env: { ...stack.pilot.env } });
    const report = JSON.parse(j.stdout) as { ok: boolean; checks: Array<{ name: string; ok: boolean; fix?: string }> };
    expect(report.ok).toBe(true);
    expect(report.checks.filter((c) => c.fix !== undefined)).toEqual([]);
    expect(report.checks.map((c) => c.name)).toEqual(["config", "workload api", "svid", "role", "bundle", "nexus url", "nexus id", "test call"]);
  });

  it("fails the nexus id check, with the fix, when SPIKE_TRUST_ROOT_NEXUS names another domain", async () => {
    const r = await runSpike(["doctor"], { env: { ...stack.pilot.env, SPIKE_TRUST_ROOT_NEXUS: "other.org" } });
    expect(r.code).toBe(1);
    const out = lines(r.stdout);
    expect(out[6]).toBe(
      "FAIL  nexus id      spiffe://spike.ist/spike/nexus is not a Nexus ID for SPIKE_TRUST_ROOT_NEXUS=other.org; fix: set SPIKE_TRUST_ROOT_NEXUS to spike.ist if this server is your Nexus; otherwise fix SPIKE_NEXUS_API_URL",
    );
    expect(out[7]).toMatch(/^FAIL +test call +not made/);
    expect(out.slice(0, 6).every((l) => l.startsWith("OK"))).toBe(true);
    expect(r.stderr).toBe("Error: spike: 2 of 8 doctor checks failed; follow the fix on each FAIL line\n");
  });

  it("reports a stopped agent as unreachable at once, not as a timeout", async () => {
    await stack.pilot.workloadApi.stop();
    // A --timeout far beyond the test's own: the run finishing shows doctor did not wait for it.
    const r = await runSpike(["doctor", "--timeout", "1h"], { env: { ...stack.pilot.env } });
    expect(r.code).toBe(1);
    const out = lines(r.stdout);
    expect(out[1]).toMatch(/^FAIL +workload api +unix:\/\/\/.*pilot\.sock: workload-api: .*no Workload API agent answers at .*pilot\.sock.*; fix: start the SPIFFE agent/);
    expect(out[1]).not.toMatch(/within|attempts failed/);
    expect(out.map((l) => l.split(/ +/)[0])).toEqual(["OK", "FAIL", "FAIL", "FAIL", "FAIL", "OK", "FAIL", "FAIL"]);
  });

  it("fails the role check for a workload that is not the pilot", async () => {
    const r = await runSpike(["doctor"], { env: { ...stack.workload.env } });
    expect(r.code).toBe(1);
    const out = lines(r.stdout);
    expect(out[3]).toMatch(/^FAIL +role +spiffe:\/\/spike\.ist\/demo\/app is not a pilot superuser/);
    expect(out[6]).toMatch(/^OK +nexus id/);
    expect(out[7]).toMatch(/^FAIL +test call +secret list: nexus: .*401/);
  });

  it("refuses a bad --timeout with exit 2", async () => {
    const r = await runSpike(["doctor", "--timeout", "soon"], { env: { ...stack.pilot.env } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--timeout must be a positive Go duration such as 5s or 1m, got "soon"');
  });
});
