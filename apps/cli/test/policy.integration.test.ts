import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createSpikeClient } from "@spike-ts/sdk";
import { startDevStack, type DevStack } from "@spike-ts/sdk/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSpike } from "./run-spike.js";

let stack: DevStack;
let env: Record<string, string>;
let dir: string;
let workloadPattern: string;

beforeAll(async () => {
  stack = await startDevStack();
  env = { ...stack.pilot.env };
  dir = await mkdtemp("/tmp/sts-cli-");
  workloadPattern = `^${stack.workload.spiffeId.replace(/\./g, "\\.")}$`;
});
afterAll(async () => {
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("spike policy (real bin, dev stack)", () => {
  it("creates a policy in the SDK guide's form, and it grants the workload access", async () => {
    const r = await runSpike(
      ["policy", "create", "guide-form", "--spiffe-id-pattern", workloadPattern, "--path-pattern", "^tenants/myapp/.*$", "--permissions", "read,write"],
      { env },
    );
    expect(r).toMatchObject({ code: 0, stdout: "Policy created successfully.\n", stderr: "" });

    await expect(runSpike(["secret", "put", "tenants/myapp/db", "password=pw"], { env })).resolves.toMatchObject({ code: 0 });
    const workload = await createSpikeClient({ env: stack.workload.env });
    try {
      expect((await workload.getSecret("tenants/myapp/db")).get("password")).toBe("pw");
      await expect(workload.getSecret("tenants/other/db")).rejects.toMatchObject({ code: "unauthorized" });
    } finally {
      await workload.close();
    }
  });

  it("creates a policy in Pilot's form and refuses an existing name with exit 1", async () => {
    const args = ["policy", "create", "--name", "pilot-form", "--spiffeid-pattern", "^spiffe://spike\\.ist/web$", "--path-pattern", "^apps/web/", "--permissions", "read"];
    expect(await runSpike(args, { env })).toMatchObject({ code: 0, stdout: "Policy created successfully.\n" });
    const again = await runSpike(args, { env });
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      "Error: Policy 'pilot-form' already exists.\n  spike: a policy named \"pilot-form\" already exists\n  what to do: use 'spike policy apply' to replace it, or choose another name\n",
    );
  });

  it("exits 2 for missing flags, bad permissions, bad patterns and reserved paths", async () => {
    const [missing, perms, pattern, reserved, twoNames] = await Promise.all([
      runSpike(["policy", "create", "p", "--permissions", "read"], { env }),
      runSpike(["policy", "create", "p", "--spiffeid-pattern", "^spiffe://x$", "--path-pattern", "^a/", "--permissions", "read,admin"], { env }),
      runSpike(["policy", "create", "p", "--spiffeid-pattern", ".*", "--path-pattern", "^a/", "--permissions", "read"], { env }),
      runSpike(["policy", "create", "p", "--spiffeid-pattern", "spiffe://spike\\.ist/app", "--path-pattern", ".*", "--permissions", "read"], { env }),
      runSpike(["policy", "create", "p", "--name", "q", "--spiffeid-pattern", "^spiffe://x$", "--path-pattern", "^a/", "--permissions", "read"], { env }),
    ]);
    expect(missing).toMatchObject({ code: 2, stdout: "" });
    expect(missing.stderr).toMatch(/^Error: All flags are required\.\n  --spiffeid-pattern is missing\n  --path-pattern is missing\n/);
    expect(perms.code).toBe(2);
    expect(perms.stderr).toContain('unknown permission "admin"; use one of read, write, list, execute, super');
    expect(pattern.code).toBe(2);
    expect(pattern.stderr).toContain("Error: Invalid policy.");
    expect(reserved.code).toBe(2);
    expect(reserved.stderr).toContain("reserved path spike/system/");
    expect(twoNames.code).toBe(2);
    expect(twoNames.stderr).toContain("the name is given twice and differs");
    const list = await runSpike(["policy", "list", "--json"], { env });
    expect((JSON.parse(list.stdout) as Array<{ name: string }>).map((p) => p.name)).not.toContain("p");
  });

  it("applies a YAML file (and stdin), replacing an existing policy", async () => {
    const file = join(dir, "policy.yaml");
    await writeFile(file, "name: from-yaml\nspiffeidPattern: ^spiffe://example\\.org/web$\npathPattern: ^apps/web/.*$\npermissions:\n  - read\n  - list\n");
    expect(await runSpike(["policy", "apply", "--file", file], { env })).toMatchObject({ code: 0, stdout: "Policy 'from-yaml' applied successfully\n" });
    const replaced = "name: from-yaml\nspiffeidPattern: '^spiffe://example\\.org/api$'\npathPattern: ^apps/api/\npermissions: [write]\n";
    expect(await runSpike(["policy", "apply", "--file", "-"], { env, input: replaced })).toMatchObject({ code: 0 });
    const got = await runSpike(["policy", "get", "from-yaml", "-f", "json"], { env });
    expect(JSON.parse(got.stdout)).toMatchObject({ id: "", name: "from-yaml", spiffiedPattern: "^spiffe://example\\.org/api$", pathPattern: "^apps/api/", permissions: ["write"] });
  });

  it("applies from flags", async () => {
    const r = await runSpike(["policy", "apply", "--name", "apply-flags", "--spiffeid-pattern", "^spiffe://x$", "--path-pattern", "^a/", "--permissions", "list"], { env });
    expect(r).toMatchObject({ code: 0, stdout: "Policy 'apply-flags' applied successfully\n" });
  });

  it("exits 2 with the file and line for bad YAML and a missing file", async () => {
    const bad = join(dir, "bad.yaml");
    await writeFile(bad, 'name: web\nspiffeidPattern: "^spiffe://example\\.org/web$"\npathPattern: a\npermissions: [read]\n');
    const typo = join(dir, "typo.yaml");
    await writeFile(typo, "name: web\nspiffeIdPattern: x\npathPattern: a\npermissions: [read]\n");
    const [r1, r2, r3, r4] = await Promise.all([
      runSpike(["policy", "apply", "--file", bad], { env }),
      runSpike(["policy", "apply", "--file", typo], { env }),
      runSpike(["policy", "apply", "--file", join(dir, "none.yaml")], { env }),
      runSpike(["policy", "apply", "--file", bad, "--name", "x"], { env }),
    ]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain(`Error: Error reading policy file.\n  spike: ${bad}:2: not valid YAML:`);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain(`${typo}:2: unknown key "spiffeIdPattern"; did you mean spiffeidPattern?`);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toContain("it does not exist");
    expect(r4.code).toBe(2);
    expect(r4.stderr).toContain("--file conflicts with --name");
  });

  it("lists policies with exact-string filters, and refuses both filters", async () => {
    await runSpike(["policy", "apply", "--name", "filter-a", "--spiffeid-pattern", "^spiffe://fa$", "--path-pattern", "^fa/", "--permissions", "read"], { env });
    const [all, bySpiffe, byPath, none, both, human] = await Promise.all([
      runSpike(["policy", "list", "--json"], { env }),
      runSpike(["policy", "list", "--spiffeid-pattern", "^spiffe://fa$", "-f", "json"], { env }),
      runSpike(["policy", "list", "--path-pattern", "^fa/", "-f", "json"], { env }),
      runSpike(["policy", "list", "--path-pattern", "fa/", "-f", "json"], { env }),
      runSpike(["policy", "list", "--path-pattern", "a", "--spiffeid-pattern", "b"], { env }),
      runSpike(["policy", "list"], { env }),
    ]);
    expect((JSON.parse(all.stdout) as Array<{ name: string }>).map((p) => p.name)).toContain("filter-a");
    expect(JSON.parse(bySpiffe.stdout)).toEqual([{ id: "", name: "filter-a" }]);
    expect(JSON.parse(byPath.stdout)).toEqual([{ id: "", name: "filter-a" }]);
    expect(JSON.parse(none.stdout)).toEqual([]);
    expect(both.code).toBe(2);
    expect(human.stdout).toMatch(/^POLICIES\n========\n\n/);
    expect(human.stdout).toContain("Name: filter-a\n--------\n");
  });

  it("gets a policy, and exits 1 when it does not exist", async () => {
    await runSpike(["policy", "apply", "--name", "get-me", "--spiffeid-pattern", "^spiffe://g$", "--path-pattern", "^g/", "--permissions", "read,list"], { env });
    const [human, missing] = await Promise.all([
      runSpike(["policy", "get", "--name", "get-me"], { env }),
      runSpike(["policy", "get", "no-such-policy"], { env }),
    ]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(
      /^POLICY DETAILS\n=============\n\nName: get-me\nSPIFFE ID Pattern: \^spiffe:\/\/g\$\nPath Pattern: \^g\/\nPermissions: read, list\nCreated At: \d{4}-/,
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^Error: Entity not found\.\n/);
  });

  it("asks on a terminal: only y deletes", async () => {
    await runSpike(["policy", "apply", "--name", "tty-del", "--spiffeid-pattern", "^spiffe://t$", "--path-pattern", "^t/", "--permissions", "read"], { env });
    const no = await runSpike(["policy", "delete", "tty-del"], { env, tty: true, input: "n\n" });
    expect(no.code).toBe(1);
    expect(no.stdout).toContain("Are you sure you want to delete policy 'tty-del'? (y/N): ");
    expect(no.stdout).toContain("Error: Operation canceled.");
    expect((await runSpike(["policy", "get", "tty-del"], { env })).code).toBe(0);

    const yes = await runSpike(["policy", "delete", "tty-del"], { env, tty: true, input: "y\n" });
    expect(yes.code).toBe(0);
    expect(yes.stdout).toContain("Policy deleted successfully.");
    expect((await runSpike(["policy", "get", "tty-del"], { env })).code).toBe(1);
  });

  it("deletes only with --yes when stdin is not a terminal", async () => {
    await runSpike(["policy", "apply", "--name", "del-me", "--spiffeid-pattern", "^spiffe://d$", "--path-pattern", "^d/", "--permissions", "read"], { env });
    const refused = await runSpike(["policy", "delete", "del-me"], { env, input: "y\n" });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("pass --yes to delete policy 'del-me' without asking; nothing was deleted");
    expect((await runSpike(["policy", "get", "del-me"], { env })).code).toBe(0);

    expect(await runSpike(["policy", "delete", "del-me", "--yes"], { env })).toMatchObject({ code: 0, stdout: "Policy deleted successfully.\n" });
    const again = await runSpike(["policy", "delete", "del-me", "-y"], { env });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^Error: Entity not found\./);
  });
});
