import { NexusModelError } from "@spike-ts/nexus-model";
import { describe, expect, it } from "vitest";
import { caught, useMockNexus } from "../test/client-setup.js";
import type { MockNexus } from "../test/mock-nexus.js";
import type { NexusClient } from "./client.js";

let nexus: MockNexus;
let client: NexusClient;

useMockNexus((s) => ({ nexus, client } = s), { retry: false });

const web = {
  name: "web-read",
  spiffeIdPattern: "^spiffe://example\\.org/web$",
  pathPattern: "^apps/web/.*$",
  permissions: ["read"],
} as const;

const stored = {
  id: "",
  name: "web-read",
  spiffiedPattern: "^spiffe://example\\.org/web$",
  pathPattern: "^apps/web/.*$",
  permissions: ["read"],
  createdAt: "2026-07-25T10:00:00.1Z",
  updatedAt: "2026-07-25T10:00:00.1Z",
};

describe("putPolicy", () => {
  it("sends spiffeidPattern (request spelling) to /v1/acl/policy", async () => {
    nexus.on("/v1/acl/policy", { status: 200, json: {} });
    await client.putPolicy(web);
    expect(nexus.seen[0]?.path).toBe("/v1/acl/policy");
    expect(nexus.seen[0]?.text).toBe(
      '{"name":"web-read","spiffeidPattern":"^spiffe://example\\\\.org/web$","pathPattern":"^apps/web/.*$","permissions":["read"]}',
    );
  });

  it.each([
    [{ name: "web.read" }, "policy_name_invalid", 'policy name "web.read" has the character "."'],
    [{ spiffeIdPattern: ".*" }, "spiffeid_pattern_invalid", "it must look like ^spiffe://"],
    [{ pathPattern: "" }, "path_pattern_invalid", "path pattern is empty"],
    [{ permissions: ["read", "admin"] }, "permissions_invalid", 'unknown permission "admin"'],
    [{ permissions: [] }, "permissions_invalid", "permissions are empty"],
    [{ pathPattern: "^apps/(web" }, "regex_invalid", "is not a valid go re2 regex (missing closing ): `^apps/(web`); nexus answers 500 for it (nexus would answer 500)"],
    [{ pathPattern: "a\\1" }, "regex_invalid", "invalid escape sequence"],
    [{ pathPattern: "secret" }, "reserved_path", "touches the reserved path spike/system/secret"],
    [{ spiffeIdPattern: "spiffe://example\\.org/admin", pathPattern: ".*" }, "reserved_path", "is not anchored with ^ and $"],
  ])("refuses %j before sending", async (change, modelCode, text) => {
    const e = await caught(client.putPolicy({ ...web, ...change } as never));
    expect(e.code).toBe("invalid_input");
    expect(NexusModelError.is(e.cause, modelCode as never)).toBe(true);
    expect(e.message).toContain(text);
    expect(nexus.seen).toHaveLength(0);
  });

  it("accepts what only RE2 understands", async () => {
    nexus.on("/v1/acl/policy", { status: 200, json: {} });
    await client.putPolicy({ ...web, pathPattern: "(?i)^apps/" });
    expect(nexus.bodies()[0]).toMatchObject({ pathPattern: "(?i)^apps/" });
  });
});

describe("getPolicy", () => {
  it("sends the name in id and reads spiffiedPattern", async () => {
    nexus.on("/v1/acl/policy?action=get", { status: 200, json: stored });
    const p = await client.getPolicy("web-read");
    expect(nexus.seen[0]?.text).toBe('{"id":"web-read"}');
    expect(p).toEqual({
      name: "web-read",
      spiffeIdPattern: "^spiffe://example\\.org/web$",
      pathPattern: "^apps/web/.*$",
      permissions: ["read"],
      createdAt: new Date("2026-07-25T10:00:00.100Z"),
      updatedAt: new Date("2026-07-25T10:00:00.100Z"),
    });
  });

  it("treats Go's zero updatedAt as unset and null permissions as []", async () => {
    nexus.on("/v1/acl/policy?action=get", { status: 200, json: { ...stored, updatedAt: "0001-01-01T00:00:00Z", permissions: null } });
    const p = await client.getPolicy("web-read");
    expect(p.updatedAt).toBeUndefined();
    expect(p.permissions).toEqual([]);
  });

  it("turns Nexus's 500 for a missing name into not_found after a list", async () => {
    nexus.on("/v1/acl/policy?action=get", { status: 500, json: { err: "api_internal_error" } });
    nexus.on("/v1/acl/policy?action=list", { status: 200, json: { policies: [{ id: "", name: "other" }] } });
    const e = await caught(client.getPolicy("nope"));
    expect(e.code).toBe("not_found");
    expect(e.status).toBe(500);
    expect(e.serverCode).toBe("api_internal_error");
    expect(e.message).toBe("nexus: policy nope does not exist (nexus answered 500 for policy.get; a list confirmed the name is absent)");
    expect(nexus.seen.map((s) => [s.path, s.text])).toEqual([
      ["/v1/acl/policy?action=get", '{"id":"nope"}'],
      ["/v1/acl/policy?action=list", '{"spiffeidPattern":"","pathPattern":""}'],
    ]);
  });

  it("keeps the 500 when the name is listed or the list fails", async () => {
    nexus.on("/v1/acl/policy?action=get", { status: 500, json: { err: "api_internal_error" } });
    nexus.on("/v1/acl/policy?action=list", { status: 200, json: { policies: [{ id: "", name: "web-read" }] } });
    expect((await caught(client.getPolicy("web-read"))).code).toBe("internal");
    nexus.on("/v1/acl/policy?action=get", { status: 500, json: { err: "api_internal_error" } });
    nexus.on("/v1/acl/policy?action=list", { status: 401, json: { err: "access_unauthorized" } });
    const e = await caught(client.getPolicy("web-read"));
    expect(e.code).toBe("internal");
    expect(e.operation).toBe("policy.get");
  });

  it("checks the name before sending", async () => {
    const e = await caught(client.getPolicy("a/b"));
    expect(e.code).toBe("invalid_input");
    expect(nexus.seen).toHaveLength(0);
  });
});

describe("listPolicies and deletePolicy", () => {
  it("sends both filters, exact strings, and returns names", async () => {
    nexus.on("/v1/acl/policy?action=list", { status: 200, json: { policies: [{ id: "", name: "a" }, { id: "", name: "b" }] } });
    nexus.on("/v1/acl/policy?action=list", { status: 200, json: { policies: [] } });
    nexus.on("/v1/acl/policy?action=list", { status: 200, json: { policies: null } });
    expect(await client.listPolicies()).toEqual([{ name: "a" }, { name: "b" }]);
    expect(await client.listPolicies({ spiffeIdPattern: "^spiffe://example\\.org/web$" })).toEqual([]);
    expect(await client.listPolicies({ pathPattern: "^apps/" })).toEqual([]);
    expect(nexus.bodies()).toEqual([
      { spiffeidPattern: "", pathPattern: "" },
      { spiffeidPattern: "^spiffe://example\\.org/web$", pathPattern: "" },
      { spiffeidPattern: "", pathPattern: "^apps/" },
    ]);
  });

  it("reads old full-policy list items by name", async () => {
    nexus.on("/v1/acl/policy?action=list", { status: 200, json: { policies: [stored] } });
    expect(await client.listPolicies()).toEqual([{ name: "web-read" }]);
  });

  it("delete sends the name in id and resolves a missing name to not_found", async () => {
    nexus.on("/v1/acl/policy?action=delete", { status: 200, json: {} });
    await client.deletePolicy("web-read");
    expect(nexus.seen[0]?.text).toBe('{"id":"web-read"}');
    nexus.on("/v1/acl/policy?action=delete", { status: 500, json: { err: "api_internal_error" } });
    nexus.on("/v1/acl/policy?action=list", { status: 200, json: { policies: [] } });
    const e = await caught(client.deletePolicy("web-read"));
    expect(e.code).toBe("not_found");
    expect(e.operation).toBe("policy.delete");
  });
});
