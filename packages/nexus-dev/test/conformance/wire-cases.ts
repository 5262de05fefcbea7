// Exact wire checks with raw undici requests (spec §1.2, §1.3, §1.6, §2.1).
import { describe, expect, it } from "vitest";
import { type ConformanceContext, JSON_HEADERS, type WireAnswer } from "./target.js";

const S = "/v1/store/secrets";
const BAD = '{"err":"api_bad_request"}';

function expectJsonHeaders(a: WireAnswer): void {
  for (const [k, v] of Object.entries(JSON_HEADERS)) expect(a.headers[k], k).toBe(v);
}

export function defineWireCases(ctx: () => ConformanceContext): void {
  describe("wire: routing and headers", () => {
    it("answers every non-POST method with 400 api_bad_request, even on a valid route", async () => {
      const { pilot } = ctx();
      for (const method of ["GET", "PUT", "DELETE", "PATCH"]) {
        const a = await pilot.send(`${S}?action=list`, method === "GET" ? undefined : "{}", { method });
        expect([a.status, a.text], method).toEqual([400, BAD]);
        expectJsonHeaders(a);
      }
    });

    it("matches the exact path and action: trailing slash, unknown or missing action, unrouted paths are 400", async () => {
      const { pilot } = ctx();
      for (const target of [`${S}/`, `${S}?action=nope`, `${S}?action=GET`, "/v1/store/secrets/metadata", "/v1/acl/policy?action=put", "/v1/auth/initialization", "/v1/store/secrets/x", "/"]) {
        const a = await pilot.send(target, {});
        expect([a.status, a.text], target).toEqual([400, BAD]);
        expectJsonHeaders(a);
      }
    });

    it("operator recover and restore: 400 before authentication in memory mode, else 401 for a superuser", async () => {
      const c = ctx();
      const memory = c.target.memoryBackend !== false;
      for (const [path, body] of [["/v1/operator/recover", {}], ["/v1/operator/restore", { id: 1, shard: Array(32).fill(1) }]] as const) {
        const a = await c.pilot.send(path, body);
        expect(a.status, path).toBe(memory ? 400 : 401);
        const b = await c.workload.send(path, body);
        expect(b.status, path).toBe(memory ? 400 : 401);
      }
    });

    it("sends 200 {} with the no-cache headers for a put, whatever the request Content-Type", async () => {
      const { pilot, prefix } = ctx();
      for (const contentType of ["application/json", "text/plain", null]) {
        const a = await pilot.send(S, { path: `${prefix}wire/ct`, values: { k: "v" } }, { contentType });
        expect([a.status, a.text], String(contentType)).toEqual([200, "{}"]);
        expectJsonHeaders(a);
      }
    });
  });

  describe("wire: bodies that are not what Nexus expects", () => {
    it("answers 400 for an empty body, text that is not JSON, and wrong JSON types, storing nothing", async () => {
      const { pilot, prefix } = ctx();
      const path = `${prefix}wire/bad`;
      const bodies = [
        "",
        "not json",
        "{",
        `{"path":"${path}","values":{"k":"v"}} trailing`,
        `{"path":"${path}","values":{"k":1}}`,
        `{"path":"${path}","values":{"k":null,"j":true}}`,
        `{"path":"${path}","values":["k","v"]}`,
        `{"path":"${path}","values":"k=v"}`,
        `{"path":["${path}"],"values":{}}`,
        `{"path":42,"values":{}}`,
        "[]",
        '"just a string"',
      ];
      for (const body of bodies) {
        const a = await pilot.send(S, body);
        expect([a.status, a.text], body.slice(0, 50)).toEqual([400, BAD]);
        expectJsonHeaders(a);
      }
      const get = await pilot.send(`${S}?action=get`, { path });
      expect(get.status).toBe(404);
      const list = JSON.parse((await pilot.send(`${S}?action=list`, {})).text) as { keys: string[] };
      expect(list.keys.filter((k) => k.startsWith(`${prefix}wire/bad`))).toEqual([]);
    });

    it("rejects versions that are not integers: strings, fractions, exponents, out of int64", async () => {
      const { pilot, prefix } = ctx();
      await pilot.send(S, { path: `${prefix}wire/v`, values: { k: "v" } });
      for (const v of ['"1"', "1.5", "1.0", "1e0", "true", "9223372036854775808", "[1]"]) {
        const a = await pilot.send(`${S}?action=get`, `{"path":"${prefix}wire/v","version":${v}}`);
        expect([a.status, a.text], v).toEqual([400, BAD]);
      }
      for (const v of ['["1"]', "[1.5]", '"1"']) {
        const a = await pilot.send(`${S}?action=delete`, `{"path":"${prefix}wire/v","versions":${v}}`);
        expect([a.status, a.text], v).toEqual([400, BAD]);
      }
      expect((await pilot.send(`${S}?action=get`, `{"path":"${prefix}wire/v","version":1}`)).text).toBe('{"data":{"k":"v"}}');
    });

    it("decodes like Go: keys without case, last duplicate wins, unknown keys and null ignored", async () => {
      const { pilot, prefix } = ctx();
      const path = `${prefix}wire/go`;
      expect((await pilot.send(S, `{"PATH":"${path}","Values":{"a":"1"},"unknown":[1,{"x":2}]}`)).status).toBe(200);
      expect((await pilot.send(`${S}?action=get`, `{"Path":"nope","path":"${path}","version":null}`)).text).toBe('{"data":{"a":"1"}}');
      // a top-level null is Go's zero struct: a valid list request
      expect((await pilot.send(`${S}?action=list`, "null")).status).toBe(200);
      expect((await pilot.send(`${S}?action=list`, "")).status).toBe(400);
    });

    it("escapes < > & in responses like Go's encoder and keeps unicode keys and values", async () => {
      const { pilot, prefix } = ctx();
      const path = `${prefix}wire/esc`;
      await pilot.send(S, { path, values: { html: "<b>&amp;</b>", "k u": "✓ ü 😀 \u2028" } });
      const a = await pilot.send(`${S}?action=get`, { path });
      expect(a.text).toContain('"html":"\\u003cb\\u003e\\u0026amp;\\u003c/b\\u003e"');
      expect(a.text).toContain("\\u2028");
      expect(JSON.parse(a.text)).toEqual({ data: { html: "<b>&amp;</b>", "k u": "✓ ü 😀 \u2028" } });
    });
  });
}
