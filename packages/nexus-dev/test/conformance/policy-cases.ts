// Policies and authorization as Nexus applies them (spec §1.5.7-10, §4).
import { NexusError } from "@spike-ts/nexus-client";
import { describe, expect, it } from "vitest";
import { type ConformanceContext, re2Escape } from "./target.js";

const S = "/v1/store/secrets";
const P = "/v1/acl/policy";
const UNAUTHORIZED = '{"err":"access_unauthorized"}';
const INTERNAL = '{"err":"api_internal_error"}';

export function definePolicyCases(ctx: () => ConformanceContext): void {
  /** Runs `fn` with policies in place, deleting them afterwards whatever happens. */
  async function withPolicies(policies: Array<{ name: string; spiffeidPattern: string; pathPattern: string; permissions: string[] }>, fn: () => Promise<void>): Promise<void> {
    const { pilot } = ctx();
    try {
      for (const p of policies) {
        const a = await pilot.send(P, p);
        expect([a.status, a.text], p.name).toEqual([200, "{}"]);
      }
      await fn();
    } finally {
      for (const p of policies) await pilot.send(`${P}?action=delete`, { id: p.name });
    }
  }
  const workloadPattern = (): string => `^${re2Escape(ctx().workload.id)}$`;

  describe("authorization: guard order and roles", () => {
    it("a workload without policy gets 401 for every secret, policy and cipher call, even with a malformed path", async () => {
      const { workload, prefix } = ctx();
      const calls: Array<[string, unknown]> = [
        [S, { path: `${prefix}authz`, values: { k: "v" } }],
        [`${S}?action=get`, { path: "bad path!" }],
        [`${S}?action=delete`, { path: `${prefix}authz`, versions: [] }],
        [`${S}?action=undelete`, { path: `${prefix}authz`, versions: [] }],
        [`${S}?action=list`, {}],
        ["/v1/store/secrets/metadata?action=get", { path: `${prefix}authz` }],
        [P, { name: "x", spiffeidPattern: "^spiffe://x$", pathPattern: "^x$", permissions: ["read"] }],
        [`${P}?action=get`, { id: "not a valid name!" }],
        [`${P}?action=list`, { spiffeidPattern: "", pathPattern: "" }],
        [`${P}?action=delete`, { id: "x" }],
        ["/v1/cipher/encrypt", { plaintext: "aGk=" }],
        ["/v1/bootstrap/verify", { nonce: "AAAAAAAAAAAAAAAA", ciphertext: "" }],
      ];
      for (const [path, body] of calls) {
        const a = await workload.send(path, body);
        expect([a.status, a.text], path).toEqual([401, UNAUTHORIZED]);
      }
      await expect(workload.client.listSecrets()).rejects.toSatisfy((e) => NexusError.is(e, "unauthorized"));
    });

    it("parses before authorizing: a body that is not JSON is 400 for anyone", async () => {
      const a = await ctx().workload.send(`${S}?action=get`, "{not json");
      expect(a.status).toBe(400);
    });

    it("the Pilot superuser passes every policy check, but not bootstrap verify", async () => {
      const { pilot } = ctx();
      expect((await pilot.send("/v1/bootstrap/verify", { nonce: "AAAAAAAAAAAAAAAA", ciphertext: "" })).status).toBe(401);
      expect((await pilot.send(`${P}?action=list`, { spiffeidPattern: "", pathPattern: "" })).status).toBe(200);
    });
  });

  describe("policies: the store", () => {
    it("upserts by name, gets with spiffiedPattern and id \"\", keeps createdAt, lists and deletes", async () => {
      const { pilot, names } = ctx();
      const name = `${names}crud`;
      const spec = { name, spiffeidPattern: "^spiffe://example\\.org/crud$", pathPattern: "^crud/", permissions: ["read"] };
      await withPolicies([spec], async () => {
        const first = JSON.parse((await pilot.send(`${P}?action=get`, { id: name })).text) as Record<string, unknown>;
        expect(first).toMatchObject({ id: "", name, spiffiedPattern: spec.spiffeidPattern, pathPattern: "^crud/", permissions: ["read"] });
        expect(Object.keys(first)).toEqual(["id", "name", "spiffiedPattern", "pathPattern", "permissions", "createdAt", "updatedAt"]);
        expect((await pilot.send(P, { ...spec, permissions: ["read", "list"] })).status).toBe(200);
        const second = await pilot.client.getPolicy(name);
        expect(second.permissions).toEqual(["read", "list"]);
        expect(second.createdAt.toISOString()).toBe(new Date(first["createdAt"] as string).toISOString());
        expect(second.updatedAt?.getTime()).toBeGreaterThanOrEqual(second.createdAt.getTime());
        const all = (await pilot.client.listPolicies()).map((p) => p.name);
        expect(all).toContain(name);
        const raw = JSON.parse((await pilot.send(`${P}?action=list`, { spiffeidPattern: spec.spiffeidPattern, pathPattern: "" })).text) as { policies: unknown[] };
        expect(raw.policies).toEqual([{ id: "", name }]);
        // exact string filters: a regex that would match is not equal
        expect((await pilot.client.listPolicies({ spiffeIdPattern: "^spiffe://example\\.org/.*$" })).map((p) => p.name)).not.toContain(name);
        expect((await pilot.client.listPolicies({ pathPattern: "^crud/" })).map((p) => p.name)).toEqual([name]);
        // both given: only the SPIFFE one applies
        expect((await pilot.client.listPolicies({ spiffeIdPattern: spec.spiffeidPattern, pathPattern: "nope" })).map((p) => p.name)).toEqual([name]);
      });
      // QUIRK/BUG? §1.5.8, §1.5.10: a missing name is 500, not 404
      expect((await pilot.send(`${P}?action=get`, { id: name })).text).toBe(INTERNAL);
      expect((await pilot.send(`${P}?action=delete`, { id: name })).text).toBe(INTERNAL);
    });

    it("refuses input-rule failures with 400 and RE2 or reserved-path failures with 500, storing nothing", async () => {
      const { pilot, names } = ctx();
      const ok = { name: `${names}bad`, spiffeidPattern: "^spiffe://example\\.org/x$", pathPattern: "^bad/", permissions: ["read"] };
      const bad400: unknown[] = [
        { ...ok, name: "" },
        { ...ok, name: "has.dot" },
        { ...ok, name: "x".repeat(251) },
        { ...ok, spiffeidPattern: ".*" },
        { ...ok, spiffeidPattern: "^spiffe://a|b$" },
        { ...ok, spiffeidPattern: "spiffe://a,b" },
        { ...ok, pathPattern: "" },
        { ...ok, pathPattern: "a b" },
        { ...ok, pathPattern: "x".repeat(501) },
        { ...ok, permissions: [] },
        { ...ok, permissions: ["admin"] },
        { ...ok, permissions: ["READ"] },
        { ...ok, permissions: "read" },
      ];
      for (const p of bad400) expect((await pilot.send(P, p)).status, JSON.stringify(p).slice(0, 80)).toBe(400);
      const bad500: unknown[] = [
        { ...ok, pathPattern: "(" },
        { ...ok, pathPattern: "a**" },
        { ...ok, pathPattern: "\\1" },
        { ...ok, spiffeidPattern: "^spiffe://x/(a$" },
        { ...ok, pathPattern: "secret" }, // QUIRK §4.5: matches spike/system/secret as a substring
        { ...ok, pathPattern: "s" },
        { ...ok, spiffeidPattern: "spiffe://example\\.org/x", pathPattern: ".*" }, // unanchored spiffe pattern on .*
      ];
      for (const p of bad500) expect((await pilot.send(P, p)).text, JSON.stringify(p).slice(0, 80)).toBe(INTERNAL);
      expect((await pilot.client.listPolicies()).map((p) => p.name)).not.toContain(ok.name);
      expect((await pilot.send(`${P}?action=get`, { id: "has.dot" })).status).toBe(400);
    });
  });

  describe("policies: what they grant", () => {
    it("grants read by unanchored RE2 substring match on the path, and nothing else", async () => {
      const { workload, pilot, prefix, names } = ctx();
      await pilot.client.putSecret(`${prefix}grant/db`, { k: "v" });
      await pilot.client.putSecret(`x/${prefix}grant/db`, { k: "w" });
      await withPolicies([{ name: `${names}read`, spiffeidPattern: workloadPattern(), pathPattern: `${re2Escape(prefix)}grant/`, permissions: ["read"] }], async () => {
        expect(await workload.client.getSecret(`${prefix}grant/db`)).toEqual({ k: "v" });
        expect(await workload.client.getSecret(`x/${prefix}grant/db`)).toEqual({ k: "w" }); // substring match
        expect((await workload.send("/v1/store/secrets/metadata?action=get", { path: `${prefix}grant/db` })).status).toBe(200);
        expect((await workload.send(`${S}?action=get`, { path: `${prefix}other` })).status).toBe(401);
        expect((await workload.send(S, { path: `${prefix}grant/db`, values: {} })).status).toBe(401);
        expect((await workload.send(`${S}?action=delete`, { path: `${prefix}grant/db`, versions: [] })).status).toBe(401);
        expect((await workload.send(`${S}?action=list`, {})).status).toBe(401);
        // read granted, so validation runs: a bad version type is 400, a missing one 404
        expect((await workload.send(`${S}?action=get`, { path: `${prefix}grant/nope` })).status).toBe(404);
      });
      expect((await workload.send(`${S}?action=get`, { path: `${prefix}grant/db` })).status).toBe(401);
    });

    it("does not merge permissions across policies; super satisfies anything its patterns match", async () => {
      const { workload, prefix, names } = ctx();
      const path = `${prefix}merge/s`;
      await withPolicies(
        [
          { name: `${names}m-read`, spiffeidPattern: workloadPattern(), pathPattern: `^${re2Escape(prefix)}merge/`, permissions: ["read"] },
          { name: `${names}m-list`, spiffeidPattern: workloadPattern(), pathPattern: `^${re2Escape(prefix)}merge/`, permissions: ["list"] },
        ],
        async () => {
          expect((await workload.send(S, { path, values: { k: "v" } })).status).toBe(401);
        },
      );
      await withPolicies([{ name: `${names}m-super`, spiffeidPattern: workloadPattern(), pathPattern: `^${re2Escape(prefix)}merge/`, permissions: ["super"] }], async () => {
        expect((await workload.send(S, { path, values: { k: "v" } })).status).toBe(200);
        expect(await workload.client.getSecret(path)).toEqual({ k: "v" });
        // super on an unrelated path pattern does not reach the reserved list path
        expect((await workload.send(`${S}?action=list`, {})).status).toBe(401);
      });
    });

    it("reserved paths need a full-match path pattern and an anchored SPIFFE pattern", async () => {
      const { workload, names } = ctx();
      await withPolicies([{ name: `${names}lister`, spiffeidPattern: workloadPattern(), pathPattern: "^spike/system/secret$", permissions: ["list"] }], async () => {
        const keys = await workload.client.listSecrets();
        expect(Array.isArray(keys)).toBe(true);
        expect((await workload.send(`${P}?action=list`, { spiffeidPattern: "", pathPattern: "" })).status).toBe(401); // acl is another path
      });
      await withPolicies([{ name: `${names}acl`, spiffeidPattern: workloadPattern(), pathPattern: "^spike/system/acl$", permissions: ["read", "list"] }], async () => {
        expect((await workload.send(`${P}?action=list`, { spiffeidPattern: "", pathPattern: "" })).status).toBe(200);
        expect((await workload.send(P, { name: `${names}nope`, spiffeidPattern: "^spiffe://x$", pathPattern: "^x$", permissions: ["read"] })).status).toBe(401);
      });
    });

    it("a workload with write on spike/system/acl may create policies (delegation)", async () => {
      const { workload, pilot, names } = ctx();
      await withPolicies([{ name: `${names}admin`, spiffeidPattern: workloadPattern(), pathPattern: "^spike/system/acl$", permissions: ["write"] }], async () => {
        const child = { name: `${names}delegated`, spiffeidPattern: "^spiffe://example\\.org/child$", pathPattern: "^child/", permissions: ["read"] };
        expect((await workload.send(P, child)).status).toBe(200);
        expect((await pilot.client.getPolicy(child.name)).pathPattern).toBe("^child/");
        expect((await workload.send(`${P}?action=delete`, { id: child.name })).status).toBe(200);
      });
    });
  });
}
