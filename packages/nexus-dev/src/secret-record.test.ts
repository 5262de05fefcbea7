import { describe, expect, it } from "vitest";
import { deleteSecretVersions, putSecretVersion, readableVersion, type SecretRecord, undeleteSecretVersions } from "./secret-record.js";

const t = (n: number): Date => new Date(Date.UTC(2026, 0, 1, 0, 0, n));

function puts(n: number, max = 10): SecretRecord {
  let r: SecretRecord | undefined;
  for (let i = 1; i <= n; i++) r = putSecretVersion(r, { v: String(i) }, t(i), max);
  return r as SecretRecord;
}

const data = (r: SecretRecord, v: number): string | undefined => readableVersion(r, v)?.data["v"];

describe("put (spec §5.4)", () => {
  it("starts a new path at version 1", () => {
    const r = putSecretVersion(undefined, { a: "1" }, t(1), 10);
    expect(r.metadata).toEqual({ currentVersion: 1, oldestVersion: 1, createdTime: t(1), updatedTime: t(1), maxVersions: 10 });
    expect(data(r, 0)).toBeUndefined();
    expect(readableVersion(r, 0)?.data).toEqual({ a: "1" });
  });

  it("does not change its input", () => {
    const r = puts(2);
    putSecretVersion(r, { v: "x" }, t(9), 10);
    expect(r.metadata.currentVersion).toBe(2);
    expect(r.versions.size).toBe(2);
  });

  it("QUIRK current+1 overwrite: after deleting v3 a put replaces v3", () => {
    const r = deleteSecretVersions(puts(3), [3], t(10));
    expect(r.metadata.currentVersion).toBe(2);
    const p = putSecretVersion(r, { v: "new" }, t(11), 10);
    expect(p.metadata.currentVersion).toBe(3);
    expect(p.versions.size).toBe(3);
    expect(data(p, 3)).toBe("new");
    expect(p.versions.get(3)?.deletedTime).toBeNull();
  });

  it("after every version is deleted a put takes highest+1", () => {
    const r = deleteSecretVersions(puts(3), [1, 2, 3], t(10));
    expect(r.metadata.currentVersion).toBe(0);
    expect(r.metadata.oldestVersion).toBe(0);
    const p = putSecretVersion(r, { v: "4" }, t(11), 10);
    expect(p.metadata.currentVersion).toBe(4);
    // oldest stays 0: nothing was pruned (spec §5.4)
    expect(p.metadata.oldestVersion).toBe(0);
  });

  it("prunes the lowest versions, deleted ones included, down to maxVersions", () => {
    const r = puts(4, 3);
    expect([...r.versions.keys()].sort()).toEqual([2, 3, 4]);
    expect(r.metadata.oldestVersion).toBe(2);
    expect(data(r, 1)).toBeUndefined();
    // a deleted lowest version is still counted and becomes oldest if it remains
    const d = deleteSecretVersions(r, [3], t(20));
    const p = putSecretVersion(d, { v: "5" }, t(21), 3);
    expect([...p.versions.keys()].sort()).toEqual([3, 4, 5]);
    expect(p.metadata.oldestVersion).toBe(3);
    expect(p.versions.get(3)?.deletedTime).toEqual(t(20));
  });
});

describe("delete (spec §5.4)", () => {
  it("an empty list or 0 means current; current drops to the highest live version", () => {
    for (const list of [[], null, [0]]) {
      const r = deleteSecretVersions(puts(3), list, t(10));
      expect(r.metadata.currentVersion).toBe(2);
      expect(r.metadata.updatedTime).toEqual(t(10));
      expect(r.versions.get(3)?.deletedTime).toEqual(t(10));
    }
  });

  it("ignores missing versions and leaves current and updated alone when current is not deleted", () => {
    const r = deleteSecretVersions(puts(3), [1, 99], t(10));
    expect(r.metadata.currentVersion).toBe(3);
    expect(r.metadata.updatedTime).toEqual(t(3));
    expect(r.metadata.oldestVersion).toBe(2);
  });

  it("re-deleting gives a new timestamp", () => {
    const r = deleteSecretVersions(deleteSecretVersions(puts(2), [1], t(10)), [1], t(11));
    expect(r.versions.get(1)?.deletedTime).toEqual(t(11));
  });
});

describe("undelete (spec §5.4)", () => {
  it("an empty list after deleting a single-version secret works", () => {
    const r = undeleteSecretVersions(deleteSecretVersions(puts(1), [], t(10)), [], t(11));
    expect(r?.metadata.currentVersion).toBe(1);
    expect(r?.metadata.updatedTime).toEqual(t(11));
    expect(data(r as SecretRecord, 0)).toBe("1");
  });

  it("QUIRK undelete-404: [0] after deleting the only version undeletes nothing", () => {
    expect(undeleteSecretVersions(deleteSecretVersions(puts(1), [], t(10)), [0], t(11))).toBeUndefined();
  });

  it("an empty list after deleting the current of several targets the new current: nothing", () => {
    const d = deleteSecretVersions(puts(3), [], t(10));
    expect(undeleteSecretVersions(d, [], t(11))).toBeUndefined();
    const u = undeleteSecretVersions(d, [3], t(12));
    expect(u?.metadata.currentVersion).toBe(3);
  });

  it("live or missing versions count as nothing undeleted", () => {
    expect(undeleteSecretVersions(puts(2), [1, 2, 7], t(10))).toBeUndefined();
  });

  it("empty list with current 0 and nothing deleted is 404", () => {
    const base = puts(1);
    const weird: SecretRecord = { versions: base.versions, metadata: { ...base.metadata, currentVersion: 0 } };
    expect(undeleteSecretVersions(weird, [], t(2))).toBeUndefined();
  });

  it("undeleting a lower version keeps current and recomputes oldest", () => {
    const d = deleteSecretVersions(puts(3), [1], t(10));
    expect(d.metadata.oldestVersion).toBe(2);
    const u = undeleteSecretVersions(d, [1], t(11));
    expect(u?.metadata.currentVersion).toBe(3);
    expect(u?.metadata.updatedTime).toEqual(t(3));
    expect(u?.metadata.oldestVersion).toBe(1);
  });
});

describe("readableVersion", () => {
  it("404s for missing, pruned, deleted versions and current 0", () => {
    const r = deleteSecretVersions(puts(3, 2), [2], t(10));
    expect(data(r, 1)).toBeUndefined(); // pruned
    expect(data(r, 2)).toBeUndefined(); // deleted
    expect(data(r, 3)).toBe("3");
    expect(data(r, -1)).toBeUndefined();
    const all = deleteSecretVersions(r, [3], t(11));
    expect(all.metadata.currentVersion).toBe(0);
    expect(readableVersion(all, 0)).toBeUndefined();
  });
});
