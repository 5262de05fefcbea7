import { startDevStack, type DevStack } from "@spike-ts/sdk/testing";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSpike } from "./run-spike.js";

let stack: DevStack;
let env: Record<string, string>;

beforeAll(async () => {
  stack = await startDevStack();
  env = { ...stack.pilot.env };
});
afterAll(async () => {
  await stack?.close();
});

describe("spike secret (real bin, dev stack)", () => {
  it("puts and gets a secret in every format, values with '='", async () => {
    const put = await runSpike(["secret", "put", "tenants/demo/db", "username=app", "password=s3=cr3t"], { env });
    expect(put).toMatchObject({ code: 0, stdout: "OK\n", stderr: "" });

    const [human, json, yaml, key, keyJson] = await Promise.all([
      runSpike(["secret", "get", "tenants/demo/db"], { env }),
      runSpike(["secret", "get", "tenants/demo/db", "--format", "json"], { env }),
      runSpike(["secret", "get", "tenants/demo/db", "-f", "y"], { env }),
      runSpike(["secret", "get", "tenants/demo/db", "password"], { env }),
      runSpike(["secret", "get", "tenants/demo/db", "password", "--json"], { env }),
    ]);
    expect(human).toMatchObject({ code: 0, stdout: "password: s3=cr3t\nusername: app\n", stderr: "" });
    expect(json).toMatchObject({ code: 0, stdout: '{\n    "password": "s3=cr3t",\n    "username": "app"\n}\n' });
    expect(parse(yaml.stdout)).toEqual({ password: "s3=cr3t", username: "app" });
    expect(key).toMatchObject({ code: 0, stdout: "s3=cr3t\n" });
    expect(keyJson).toMatchObject({ code: 0, stdout: '"s3=cr3t"\n' });
  });

  it("prints values only in get: put --json, list and metadata never show them", async () => {
    const put = await runSpike(["secret", "put", "tenants/demo/api", "token=tok-9f8e7d", "--json"], { env });
    expect(put.code).toBe(0);
    expect(JSON.parse(put.stdout)).toEqual({ ok: true, path: "tenants/demo/api", keys: ["token"] });
    const [list, meta] = await Promise.all([
      runSpike(["secret", "list", "--json"], { env }),
      runSpike(["secret", "metadata", "get", "tenants/demo/api", "--json"], { env }),
    ]);
    for (const r of [put, list, meta]) expect(r.stdout + r.stderr).not.toContain("tok-9f8e7d");
    expect(JSON.parse(list.stdout)).toContain("tenants/demo/api");
  });

  it("lists secrets in Pilot's forms", async () => {
    await runSpike(["secret", "put", "list/a", "k=v"], { env });
    const [human, json] = await Promise.all([runSpike(["secret", "list"], { env }), runSpike(["secret", "list", "-f", "json"], { env })]);
    expect(human.code).toBe(0);
    expect(human.stdout.split("\n")).toContain("- list/a");
    const keys = JSON.parse(json.stdout) as string[];
    expect(keys).toEqual([...keys].sort());
    expect(keys).toContain("list/a");
  });

  it("reads versions, deletes and undeletes them, and shows metadata", async () => {
    const path = "tenants/demo/versions";
    expect((await runSpike(["secret", "put", path, "v=one"], { env })).code).toBe(0);
    expect((await runSpike(["secret", "put", path, "v=two"], { env })).code).toBe(0);
    expect((await runSpike(["secret", "get", path, "v", "--version", "1"], { env })).stdout).toBe("one\n");

    const meta = await runSpike(["secret", "metadata", "get", path, "-f", "json"], { env });
    expect(meta.code).toBe(0);
    const m = JSON.parse(meta.stdout);
    expect(m.metadata).toMatchObject({ currentVersion: 2, oldestVersion: 1, maxVersions: 10 });
    expect(Object.keys(m.versions)).toEqual(["1", "2"]);
    expect(m.versions["2"].deletedTime).toBeNull();

    const human = await runSpike(["secret", "metadata", "get", path], { env });
    expect(human.stdout).toMatch(/^Metadata:\n  Current Version: 2\n  Oldest Version: 1\n  Created Time: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\n/);
    expect(human.stdout).toContain("Secret Versions:\n  Version 1:\n");

    expect(await runSpike(["secret", "delete", path, "--versions", "2"], { env })).toMatchObject({ code: 0, stdout: "OK\n" });
    expect((await runSpike(["secret", "get", path, "v"], { env })).stdout).toBe("one\n");
    const gone = await runSpike(["secret", "get", path, "v", "-v", "2"], { env });
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^Error: Resource not found\.\n/);

    // The default (0 = current) now names the live v1, so Nexus has nothing to undelete: exit 1.
    const nothing = await runSpike(["secret", "undelete", path], { env });
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toContain("nothing to undelete");
    expect(await runSpike(["secret", "undelete", path, "-v", "2"], { env })).toMatchObject({ code: 0, stdout: "OK\n" });
    expect((await runSpike(["secret", "get", path, "v"], { env })).stdout).toBe("two\n");

    const both = await runSpike(["secret", "delete", path, "-v", "1,2", "--json"], { env });
    expect(JSON.parse(both.stdout)).toEqual({ ok: true, path, versions: [1, 2] });
    expect((await runSpike(["secret", "metadata", "get", path], { env })).code).toBe(1);
  });

  it("undoes a delete with plain 'undelete' (no list sent, unlike Pilot's [0])", async () => {
    const path = "tenants/demo/undo";
    await runSpike(["secret", "put", path, "k=v1"], { env });
    expect(await runSpike(["secret", "delete", path], { env })).toMatchObject({ code: 0, stdout: "OK\n" });
    expect((await runSpike(["secret", "get", path], { env })).code).toBe(1);
    const undo = await runSpike(["secret", "undelete", path, "--json"], { env });
    expect(JSON.parse(undo.stdout)).toEqual({ ok: true, path, versions: "current" });
    expect((await runSpike(["secret", "get", path, "k"], { env })).stdout).toBe("v1\n");
    // Pilot's explicit [0] still means "current", which is 0 after deleting everything: nothing to undo.
    await runSpike(["secret", "delete", path, "-v", "0"], { env });
    expect((await runSpike(["secret", "undelete", path, "-v", "0"], { env })).code).toBe(1);
  });

  it("exits 1 for API failures with the typed message on stderr", async () => {
    const [missing, noKey] = await Promise.all([
      runSpike(["secret", "get", "tenants/none"], { env }),
      (async () => {
        await runSpike(["secret", "put", "tenants/onekey", "a=1"], { env });
        return runSpike(["secret", "get", "tenants/onekey", "b"], { env });
      })(),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe("");
    expect(missing.stderr).toBe(
      "Error: Resource not found.\n  nexus: secret.get on tenants/none found nothing (404 api_not_found); the path, the version, or every version may be missing or deleted\n",
    );
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toContain("Error: Key not found.");
    expect(noKey.stderr).not.toContain("a=1");
  });

  it("exits 2 for bad paths, keys, pairs, versions and flags, sending nothing", async () => {
    const runs = await Promise.all([
      runSpike(["secret", "get", "bad path"], { env }),
      runSpike(["secret", "put", "a/b", "db.password=hunter2"], { env }),
      runSpike(["secret", "put", "a/b", "hunter2"], { env }),
      runSpike(["secret", "get", "a/b", "--version", "x"], { env }),
      runSpike(["secret", "delete", "a/b", "--versions", "1,,2"], { env }),
      runSpike(["secret", "get", "a/b", "--frobnicate"], { env }),
      runSpike(["secret", "get", "a/b", "-f", "xml"], { env }),
      runSpike(["secret", "put", "a/b"], { env }),
    ]);
    for (const r of runs) {
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/^Error: /);
      expect(r.stderr).not.toContain("hunter2");
    }
    expect(runs[0]!.stderr).toContain('secret path "bad path" has the character " " at index 3');
    expect(runs[1]!.stderr).toContain("Nexus refuses dots in key names");
    expect(runs[2]!.stderr).toContain("argument 2 is not a key=value pair");
    expect(runs[5]!.stderr).toContain("unknown flag --frobnicate for 'spike secret get'");
    const list = await runSpike(["secret", "list", "--json"], { env });
    expect(JSON.parse(list.stdout)).not.toContain("a/b");
  });
});
