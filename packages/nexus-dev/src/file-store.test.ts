import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NexusDevError } from "./errors.js";
import { createFileStore } from "./file-store.js";
import { putSecretVersion } from "./secret-record.js";
import type { NexusStore, StoredPolicy } from "./store.js";

const t = (n: number): Date => new Date(Date.UTC(2026, 0, 1, 0, 0, n, 123));
const policy: StoredPolicy = { name: "web read", spiffeIdPattern: "^spiffe://a/b$", pathPattern: "^apps/", permissions: ["read"], createdAt: t(1), updatedAt: t(2) };

let dir: string;
const open: NexusStore[] = [];
function store(): NexusStore {
  const s = createFileStore({ directory: dir });
  open.push(s);
  return s;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "sts-fs-"));
});
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  await chmod(join(dir, "secrets"), 0o700).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

describe("createFileStore", () => {
  it("keeps secrets (unicode and leading slashes included) and policies across instances", async () => {
    const a = store();
    await a.load();
    const rec = putSecretVersion(putSecretVersion(undefined, { "k ü": "välue ✓" }, t(1), 10), {}, t(2), 10);
    await a.writeSecret("/apps//db/", rec);
    await a.writePolicy(policy);
    await a.writePolicy({ ...policy, name: "gone" });
    await a.removePolicy("gone");
    await a.close();

    const b = store();
    const loaded = await b.load();
    expect([...loaded.secrets.keys()]).toEqual(["/apps//db/"]);
    const got = loaded.secrets.get("/apps//db/");
    expect(got?.metadata).toEqual(rec.metadata);
    expect(got?.versions.get(1)).toEqual({ data: { "k ü": "välue ✓" }, createdTime: t(1), deletedTime: null });
    expect(got?.versions.get(2)?.data).toEqual({});
    expect([...loaded.policies.values()]).toEqual([policy]);
  });

  it("refuses a second live owner and takes over the lock of a dead one", async () => {
    const a = store();
    await a.load();
    const b = store();
    await expect(b.load()).rejects.toSatisfy((e) => NexusDevError.is(e, "store_locked"));
    await a.close();
    // a lock left by a process that died (kill -9) is stale
    await writeFile(join(dir, "LOCK"), "999999999\n");
    const c = store();
    await expect(c.load()).resolves.toBeDefined();
    const [pid, token] = (await readFile(join(dir, "LOCK"), "utf8")).split("\n");
    expect(pid).toBe(String(process.pid));
    expect(token).toMatch(/^[0-9a-f-]{36}$/);
    expect((await readdir(dir)).filter((f) => f.startsWith(".tmp-"))).toEqual([]);
  });

  it("takes over an empty or garbled lock, sweeps temp files of crashed lock attempts, and never removes a lock that is not its own", async () => {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "LOCK"), "");
    await writeFile(join(dir, ".tmp-lock-crashed"), "123\n");
    const a = store();
    await a.load();
    expect(await readdir(dir)).toEqual(["LOCK", "policies", "secrets"]);
    // something else replaced LOCK while we ran (e.g. an operator): close() leaves it alone
    await writeFile(join(dir, "LOCK"), "1\nnot-ours\n");
    await a.close();
    expect(await readFile(join(dir, "LOCK"), "utf8")).toBe("1\nnot-ours\n");
    // pid 1 is alive: that owner is respected
    await expect(store().load()).rejects.toThrow(/in use by process 1; stop it or use another directory/);
  });

  it("drops temp files of unacknowledged writes and reports corrupt entries", async () => {
    const a = store();
    await a.load();
    await a.writeSecret("x", putSecretVersion(undefined, { a: "1" }, t(1), 10));
    await a.close();
    await writeFile(join(dir, "secrets", ".tmp-half"), '{"format":1,"pa');
    const b = store();
    expect([...(await b.load()).secrets.keys()]).toEqual(["x"]);
    expect(await readdir(join(dir, "secrets"))).toHaveLength(1);
    await b.close();

    const [file] = await readdir(join(dir, "secrets"));
    await writeFile(join(dir, "secrets", file as string), "{not json");
    const c = store();
    await expect(c.load()).rejects.toSatisfy((e) => NexusDevError.is(e, "store_corrupt"));
  });

  it("refuses corrupt entries with a reason that quotes nothing from the file (no secret values)", async () => {
    const a = store();
    await a.load();
    await a.writeSecret("x", putSecretVersion(undefined, { password: "hunter2-value" }, t(1), 10));
    await a.close();
    const [file] = await readdir(join(dir, "secrets"));
    const target = join(dir, "secrets", file as string);
    const good = JSON.parse(await readFile(target, "utf8")) as Record<string, unknown>;
    // A JSON syntax error right after the secret: JSON.parse's own message would quote it.
    await writeFile(target, JSON.stringify(good).replace('"hunter2-value"}', '"hunter2-value" x}'));
    const e = await store().load().catch((x: unknown) => x);
    expect(NexusDevError.is(e, "store_corrupt")).toBe(true);
    expect((e as Error).message).toMatch(/not a valid record \(not valid json near character \d+\); move it away/);
    const chain: string[] = [];
    for (let c: unknown = e; c instanceof Error; c = c.cause) chain.push(c.message, String(c.stack));
    expect(chain.join("\n")).not.toContain("hunter2");
  });

  it("refuses records that break the versioning invariants or hold unknown permissions", async () => {
    const a = store();
    await a.load();
    await a.writeSecret("x", putSecretVersion(putSecretVersion(undefined, { k: "1" }, t(1), 10), { k: "2" }, t(2), 10));
    await a.writePolicy(policy);
    await a.close();
    const [sfile] = await readdir(join(dir, "secrets"));
    const [pfile] = await readdir(join(dir, "policies"));
    const spath = join(dir, "secrets", sfile as string);
    const ppath = join(dir, "policies", pfile as string);
    const sgood = await readFile(spath, "utf8");
    const pgood = await readFile(ppath, "utf8");
    type Rec = { metadata: Record<string, unknown>; versions: Array<Record<string, unknown>> };
    const secretCases: Array<[(r: Rec) => void, RegExp]> = [
      [(r) => (r.metadata["currentVersion"] = 7), /currentVersion 7 is not among the versions/],
      [(r) => ((r.versions[1] as Record<string, unknown>)["deletedTime"] = t(3).toISOString()), /currentVersion 2 is deleted/],
      [(r) => (r.metadata["currentVersion"] = 1), /live version 2 is above currentVersion 1/],
      [(r) => (r.metadata["maxVersions"] = 0), /maxVersions is not positive/],
      [(r) => ((r.versions[0] as Record<string, unknown>)["version"] = -1), /version number -1 is not positive/],
      [(r) => ((r.versions[0] as Record<string, unknown>)["version"] = 2), /version 2 appears twice/],
      [(r) => (r.versions = []), /no versions/],
      [(r) => ((r as unknown as Record<string, unknown>)["metadata"] = null), /metadata is not an object/],
      [(r) => ((r.versions[0] as Record<string, unknown>)["data"] = { k: 5 }), /data holds a value that is not a string/],
    ];
    for (const [mutate, reason] of secretCases) {
      const r = JSON.parse(sgood) as Rec;
      mutate(r);
      await writeFile(spath, JSON.stringify(r));
      const e = await store().load().catch((x: unknown) => x);
      expect(NexusDevError.is(e, "store_corrupt"), String(reason)).toBe(true);
      expect((e as Error).message).toMatch(reason);
      await open.pop()?.close();
    }
    await writeFile(spath, sgood);
    for (const permissions of [[], ["read", "admin"], "read"]) {
      await writeFile(ppath, JSON.stringify({ ...JSON.parse(pgood), permissions }));
      const e = await store().load().catch((x: unknown) => x);
      expect((e as Error).message).toMatch(/permissions is not a non-empty list/);
      await open.pop()?.close();
    }
    await writeFile(ppath, pgood);
    await expect(store().load()).resolves.toBeDefined();
  });

  it("a failed write rejects with store_io and leaves the previous file whole", async () => {
    const a = store();
    await a.load();
    const v1 = putSecretVersion(undefined, { a: "1" }, t(1), 10);
    await a.writeSecret("x", v1);
    await chmod(join(dir, "secrets"), 0o500);
    const writable = await writeFile(join(dir, "secrets", "probe"), "").then(() => true, () => false);
    if (writable) {
      // running as root: permissions do not stop writes; use a path that cannot be a directory
      await chmod(join(dir, "secrets"), 0o700);
      await rm(join(dir, "secrets", "probe"));
      await rm(join(dir, "secrets"), { recursive: true });
      await writeFile(join(dir, "secrets"), "now a file");
    }
    await expect(a.writeSecret("x", putSecretVersion(v1, { a: "2" }, t(2), 10))).rejects.toSatisfy((e) => NexusDevError.is(e, "store_io"));
    expect(String((await a.writeSecret("y", v1).catch((e: Error) => e)))).toMatch(/nexus-dev: file store could not write a secret/);
  });

  it("validates options and state", async () => {
    expect(() => createFileStore({ directory: "" })).toThrow(NexusDevError);
    const a = store();
    await expect(a.writePolicy(policy)).rejects.toSatisfy((e) => NexusDevError.is(e, "closed"));
    await a.load();
    await a.close();
    await expect(a.writePolicy(policy)).rejects.toSatisfy((e) => NexusDevError.is(e, "closed"));
  });
});
