// Secrets through @spike-ts/nexus-client plus raw checks: paths, keys, values, versioning §5.4.
import { NexusError } from "@spike-ts/nexus-client";
import { describe, expect, it } from "vitest";
import type { ConformanceContext } from "./target.js";

const S = "/v1/store/secrets";
const M = "/v1/store/secrets/metadata?action=get";
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/;

interface WireMetadata {
  versions: Record<string, { createdTime: string; version: number; deletedTime: string | null }>;
  metadata: { currentVersion: number; oldestVersion: number; createdTime: string; updatedTime: string; maxVersions: number };
}

export function defineSecretCases(ctx: () => ConformanceContext): void {
  const memory = (): boolean => ctx().target.memoryBackend !== false;
  /** The metadata version keys: BUG? §1.5.6, SQLite collapses them to a single "0". */
  const expectVersionKeys = (m: WireMetadata, keys: string[]): void => {
    expect(Object.keys(m.versions)).toEqual(memory() ? keys : ["0"]);
  };
  const put = async (path: string, values: Record<string, string>): Promise<void> => ctx().pilot.client.putSecret(path, values);
  const status = async (path: string, body: unknown): Promise<number> => (await ctx().pilot.send(path, body)).status;
  const meta = async (path: string, version?: number): Promise<WireMetadata> => {
    const a = await ctx().pilot.send(M, version === undefined ? { path } : { path, version });
    expect(a.status).toBe(200);
    return JSON.parse(a.text) as WireMetadata;
  };
  const value = async (path: string, version?: number): Promise<string | undefined> => {
    try {
      return (await ctx().pilot.client.getSecret(path, version === undefined ? {} : { version }))["v"];
    } catch (e) {
      if (NexusError.is(e, "not_found")) return undefined;
      throw e;
    }
  };

  describe("secrets: paths, keys and values", () => {
    it("round-trips through nexus-client, with the exact wire body (keys sorted)", async () => {
      const { pilot, prefix } = ctx();
      await pilot.client.putSecret(`${prefix}db`, { username: "app", password: "s3cr3t" });
      expect(await pilot.client.getSecret(`${prefix}db`)).toEqual({ username: "app", password: "s3cr3t" });
      expect((await pilot.send(`${S}?action=get`, { path: `${prefix}db` })).text).toBe('{"data":{"password":"s3cr3t","username":"app"}}');
    });

    it("refuses every kind of invalid path with 400 and stores nothing", async () => {
      const { pilot, prefix } = ctx();
      const bad = ["", "a b", "a:b", "a@b", "a=b", "a,b", "a#b", "a%b", "a~b", "a^b", "a$b", "é", "a\u0000b", `${prefix}${"x".repeat(501 - prefix.length)}`];
      for (const path of bad) {
        const a = await pilot.send(S, { path, values: { k: "v" } });
        expect([a.status, a.text], JSON.stringify(path)).toEqual([400, '{"err":"api_bad_request"}']);
        expect(await status(`${S}?action=get`, { path }), JSON.stringify(path)).toBe(400);
      }
      const keys = (await pilot.client.listSecrets()).filter((k) => bad.includes(k));
      expect(keys).toEqual([]);
    });

    it("keeps paths as given: leading slash, double and trailing slashes, regex characters, 500 bytes", async () => {
      const { pilot } = ctx();
      const q = `${ctx().prefix}keep/`;
      const paths = [`/${q}p`, `${q}p`, `${q}p/`, `${q}/p`, `${q}r/(a)?+*|[b]{c}\\d.e_f-g`, `${q}${"l".repeat(500 - q.length)}`];
      for (const [i, path] of paths.entries()) await pilot.client.putSecret(path, { v: String(i) });
      for (const [i, path] of paths.entries()) expect(await value(path), path).toBe(String(i));
      const listed = (await pilot.client.listSecrets()).filter((k) => k.includes(q));
      expect(listed).toEqual([...new Set(paths)].sort());
    });

    it("checks every key with the name rule: . : non-ASCII empty and 251 bytes refused; space - _ and 250 bytes allowed", async () => {
      const { pilot, prefix } = ctx();
      for (const key of ["db.password", "api:key", "ü", "", "k".repeat(251), "a/b"]) {
        const a = await pilot.send(S, { path: `${prefix}keys`, values: { ok: "1", [key]: "x" } });
        expect(a.status, JSON.stringify(key)).toBe(400);
      }
      expect(await status(`${S}?action=get`, { path: `${prefix}keys` })).toBe(404);
      const good = { "with space": "1", "dash-and_under": "2", ["k".repeat(250)]: "3" };
      await pilot.client.putSecret(`${prefix}keys`, good);
      expect(await pilot.client.getSecret(`${prefix}keys`)).toEqual(good);
    });

    it("stores empty, missing and null values as an empty map (SQLite: missing and null come back as null)", async () => {
      const { pilot, prefix } = ctx();
      for (const [i, body] of [{ values: {} }, {}, { values: null }].entries()) {
        const path = `${prefix}empty/${i}`;
        expect(await status(S, { path, ...body })).toBe(200);
        const want = i === 0 || memory() ? '{"data":{}}' : '{"data":null}';
        expect((await pilot.send(`${S}?action=get`, { path })).text).toBe(want);
      }
    });

    it("stores values of 1 MiB and more, unicode included, exactly", async () => {
      const { pilot, prefix } = ctx();
      const mib = "a".repeat(1024 * 1024);
      const big = "ü✓😀".repeat(400_000); // ~3.6 MB of UTF-8
      await pilot.client.putSecret(`${prefix}big`, { mib, big, empty: "" });
      const got = await pilot.client.getSecret(`${prefix}big`);
      expect(got["mib"]).toBe(mib);
      expect(got["big"]).toBe(big);
      expect(got["empty"]).toBe("");
    });

    it("replaces the whole map on put (no merge)", async () => {
      const { prefix } = ctx();
      await put(`${prefix}replace`, { a: "1", b: "2" });
      await put(`${prefix}replace`, { c: "3" });
      expect(await ctx().pilot.client.getSecret(`${prefix}replace`)).toEqual({ c: "3" });
    });
  });

  describe("secrets: versioning (spec §5.4)", () => {
    it("numbers versions, reads any live one, and 404s for missing versions and paths", async () => {
      const { prefix } = ctx();
      const p = `${prefix}ver/basic`;
      for (let i = 1; i <= 3; i++) await put(p, { v: String(i) });
      expect([await value(p), await value(p, 1), await value(p, 2), await value(p, 3), await value(p, 4)]).toEqual(["3", "1", "2", "3", undefined]);
      expect(await status(`${S}?action=get`, { path: p, version: -1 })).toBe(404); // the client refuses -1; Nexus answers 404
      expect(await status(`${S}?action=get`, { path: `${prefix}ver/never` })).toBe(404);
      const m = await meta(p);
      expect(m.metadata).toMatchObject({ currentVersion: 3, oldestVersion: 1 });
      expectVersionKeys(m, ["1", "2", "3"]);
      for (const [k, v] of Object.entries(m.versions)) {
        expect(v.version).toBe(Number(k));
        expect(v.createdTime).toMatch(RFC3339);
        expect(v.deletedTime).toBeNull();
      }
      expect(m.metadata.createdTime).toMatch(RFC3339);
      expect(Date.parse(m.metadata.updatedTime)).toBeGreaterThanOrEqual(Date.parse(m.metadata.createdTime));
    });

    it("delete: [] and 0 mean current, missing versions are ignored, a missing path is 404", async () => {
      const { prefix, pilot } = ctx();
      const p = `${prefix}ver/delete`;
      for (let i = 1; i <= 3; i++) await put(p, { v: String(i) });
      expect(await status(`${S}?action=delete`, { path: p, versions: [] })).toBe(200);
      expect(await value(p)).toBe("2");
      expect(await value(p, 3)).toBeUndefined();
      expect(await status(`${S}?action=delete`, { path: p, versions: [0, 99] })).toBe(200);
      expect(await value(p)).toBe("1");
      expect(await status(`${S}?action=delete`, { path: p, versions: null })).toBe(200);
      expect(await value(p)).toBeUndefined(); // every version deleted: current is 0
      expect(await status(M, { path: p })).toBe(404); // no readable metadata either
      expect(await status(`${S}?action=delete`, { path: `${prefix}ver/nope`, versions: [] })).toBe(404);
      expect((await pilot.client.listSecrets()).includes(p)).toBe(true); // deleted paths stay listed
    });

    it("QUIRK current+1 overwrite: a put after deleting the current version reuses its number", async () => {
      const { prefix } = ctx();
      const p = `${prefix}ver/reuse`;
      for (let i = 1; i <= 3; i++) await put(p, { v: String(i) });
      await ctx().pilot.client.deleteSecret(p, { versions: [3] });
      await put(p, { v: "new" });
      expect(await value(p, 3)).toBe("new");
      const m = await meta(p);
      expect(m.metadata.currentVersion).toBe(3);
      expectVersionKeys(m, ["1", "2", "3"]);
      if (memory()) expect(m.versions["3"]?.deletedTime).toBeNull();
    });

    it("after every version is deleted, a put takes highest+1 and oldest can stay 0", async () => {
      const { prefix } = ctx();
      const p = `${prefix}ver/allgone`;
      await put(p, { v: "1" });
      await put(p, { v: "2" });
      await ctx().pilot.client.deleteSecret(p, { versions: [1, 2] });
      await put(p, { v: "3" });
      const m = await meta(p);
      expect(m.metadata).toMatchObject({ currentVersion: 3, oldestVersion: 0 });
      if (memory()) expect(m.versions["1"]?.deletedTime).toMatch(RFC3339);
    });

    it("QUIRK undelete-404: [0] after deleting the only version is 404, [] works", async () => {
      const { prefix } = ctx();
      const p = `${prefix}ver/undelete1`;
      await put(p, { v: "1" });
      expect(await status(`${S}?action=delete`, { path: p, versions: [] })).toBe(200);
      expect(await status(`${S}?action=undelete`, { path: p, versions: [0] })).toBe(404);
      expect(await status(`${S}?action=undelete`, { path: p, versions: [] })).toBe(200);
      expect(await value(p)).toBe("1");
    });

    it("undelete after deleting the current of several: [] targets the live new current (404); naming the version works", async () => {
      const { prefix } = ctx();
      const p = `${prefix}ver/undelete3`;
      for (let i = 1; i <= 3; i++) await put(p, { v: String(i) });
      expect(await status(`${S}?action=delete`, { path: p, versions: [] })).toBe(200);
      expect(await status(`${S}?action=undelete`, { path: p, versions: [] })).toBe(404);
      expect(await status(`${S}?action=undelete`, { path: p, versions: [1, 2, 7] })).toBe(404); // all live or missing
      expect(await status(`${S}?action=undelete`, { path: p, versions: [3] })).toBe(200);
      expect(await value(p)).toBe("3");
      expect((await meta(p)).metadata.currentVersion).toBe(3);
      expect(await status(`${S}?action=undelete`, { path: `${prefix}ver/none`, versions: [1] })).toBe(404);
    });

    it("metadata answers for all kept versions, in Go's string order, and 404s for a deleted version", async () => {
      const { prefix } = ctx();
      const p = `${prefix}ver/meta`;
      for (let i = 1; i <= 10; i++) await put(p, { v: String(i) });
      await ctx().pilot.client.deleteSecret(p, { versions: [4] });
      const raw = (await ctx().pilot.send(M, { path: p, version: 2 })).text;
      const order = [...raw.matchAll(/"(\d+)":\{"createdTime"/g)].map((x) => x[1]);
      expect(order).toEqual(memory() ? ["1", "10", "2", "3", "4", "5", "6", "7", "8", "9"] : ["0"]);
      expect(await status(M, { path: p, version: 4 })).toBe(404);
      expect(await status(M, { path: p, version: 11 })).toBe(404);
      const m = JSON.parse(raw) as WireMetadata;
      if (memory()) expect(m.versions["4"]?.deletedTime).toMatch(RFC3339);
      expect(m.metadata.oldestVersion).toBe(1);
    });

    it("prunes the lowest versions, deleted ones included, to maxVersions", async () => {
      const { prefix } = ctx();
      const p = `${prefix}ver/prune`;
      await put(p, { v: "1" });
      const max = (await meta(p)).metadata.maxVersions;
      expect(max).toBeGreaterThan(0);
      await ctx().pilot.client.deleteSecret(p, { versions: [1] }); // deleted versions still count
      for (let i = 2; i <= max + 2; i++) await put(p, { v: String(i) });
      const m = await meta(p);
      expect(Object.keys(m.versions)).toHaveLength(memory() ? max : 1);
      expect(m.metadata.oldestVersion).toBe(3);
      expect(await value(p, 2)).toBeUndefined();
      expect(await value(p, 3)).toBe("3");
      expect(m.metadata.currentVersion).toBe(max + 2);
    });
  });
}
