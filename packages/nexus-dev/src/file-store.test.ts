import { mkdtemp, readdir, rm, writeFile, chmod, readFile } from "node:fs/promises";
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
    expect((await readFile(join(dir, "LOCK"), "utf8")).trim()).toBe(String(process.pid));
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
