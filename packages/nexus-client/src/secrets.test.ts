import { NexusModelError } from "@spike-ts/nexus-model";
import { describe, expect, it } from "vitest";
import { caught, useMockNexus } from "../test/client-setup.js";
import { mockNexus, type MockNexus } from "../test/mock-nexus.js";
import { createNexusClient, type NexusClient } from "./client.js";

let nexus: MockNexus;
let client: NexusClient;

useMockNexus((s) => ({ nexus, client } = s));

describe("putSecret", () => {
  it("POSTs the exact body to /v1/store/secrets with no action", async () => {
    nexus.on("/v1/store/secrets", { status: 200, json: {} });
    await client.putSecret("apps/web/db", { username: "app", password: "s3cr3t" });
    expect(nexus.seen).toHaveLength(1);
    const [req] = nexus.seen;
    expect(req?.method).toBe("POST");
    expect(req?.path).toBe("/v1/store/secrets");
    expect(req?.headers["content-type"]).toBe("application/json");
    expect(req?.text).toBe('{"path":"apps/web/db","values":{"username":"app","password":"s3cr3t"}}');
  });

  it("keeps a base URL path prefix, as SPIKE_NEXUS_API_URL allows", async () => {
    const prefixed = mockNexus("https://gw.test");
    const c = createNexusClient({ baseUrl: "https://gw.test/nexus/", dispatcher: prefixed.agent });
    prefixed.on("/nexus/v1/store/secrets?action=get", { status: 200, json: { data: { a: "b" } } });
    expect(await c.getSecret("x")).toEqual({ a: "b" });
    expect(prefixed.seen[0]?.path).toBe("/nexus/v1/store/secrets?action=get");
    await c.close();
    await prefixed.close();
  });

  it("sends unicode values and a 1 MiB value byte for byte", async () => {
    nexus.on("/v1/store/secrets", { status: 200, json: {} });
    const big = "x".repeat(1024 * 1024);
    await client.putSecret("a/b", { note: "пароль 🔑 ü", big });
    const sent = JSON.parse(nexus.seen[0]?.text ?? "") as { values: Record<string, string> };
    expect(sent.values.note).toBe("пароль 🔑 ü");
    expect(sent.values.big?.length).toBe(1024 * 1024);
  });

  it("refuses values of maxValueBytes or more before sending, without quoting them", async () => {
    const c = createNexusClient({ baseUrl: "https://nexus.test", dispatcher: nexus.agent, maxValueBytes: 1024 * 1024 });
    const e = await caught(c.putSecret("a", { big: "s".repeat(1024 * 1024) }));
    expect(e.code).toBe("invalid_input");
    expect(e.message).toBe('nexus: the value of key "big" is 1048576 bytes; this client\'s maxValueBytes is 1048576');
    expect(e.attempts).toBe(0);
    expect(nexus.seen).toHaveLength(0);
  });

  it("refuses empty data unless allowEmpty", async () => {
    const e = await caught(client.putSecret("a/b", {}));
    expect(e.code).toBe("invalid_input");
    expect(e.message).toContain("refusing to write an empty secret at a/b");
    nexus.on("/v1/store/secrets", { status: 200, json: {} });
    await client.putSecret("a/b", {}, { allowEmpty: true });
    expect(nexus.seen[0]?.text).toBe('{"path":"a/b","values":{}}');
  });

  it.each([
    ["", "secret path is empty"],
    ["bad path", 'has the character " " at index 3'],
    ["a:b", 'the character ":"'],
    ["ü/x", "U+00FC"],
    ["a".repeat(501), "secret path is 501 bytes; the limit is 500"],
    ["^a$", 'the character "^"'],
  ])("refuses the path %j before sending", async (path, text) => {
    const e = await caught(client.putSecret(path, { k: "v" }));
    expect(e.code).toBe("invalid_input");
    expect(e.operation).toBe("secret.put");
    expect(e.message).toContain(text);
    expect(e.message.startsWith("nexus: ")).toBe(true);
    expect(NexusModelError.is(e.cause, "secret_path_invalid")).toBe(true);
    expect(nexus.seen).toHaveLength(0);
  });

  it.each([
    ["db.password", "use db_password, not db.password"],
    ["api:key", 'the character ":"'],
    ["ключ", "U+043A"],
    ["", "key name is empty"],
  ])("refuses the key %j", async (key, text) => {
    const e = await caught(client.putSecret("a", { [key]: "s3cr3t-value" }));
    expect(e.code).toBe("invalid_input");
    expect(e.message).toContain(text);
    expect(e.message).not.toContain("s3cr3t-value");
  });

  it("refuses wrong types", async () => {
    expect((await caught(client.putSecret(42 as never, { a: "b" }))).message).toBe("nexus: the secret path must be a string, got number");
    expect((await caught(client.putSecret("a", { n: 1 } as never))).message).toBe('nexus: the value of key "n" must be a string, got number');
    expect((await caught(client.putSecret("a", null as never))).message).toContain("must be an object of string to string, got null");
    expect((await caught(client.putSecret("a", ["x"] as never))).message).toContain("got array");
  });

  it("with validateInput: false sends what it is given and reports the server's exact answer", async () => {
    const raw = createNexusClient({ baseUrl: "https://nexus.test", dispatcher: nexus.agent, validateInput: false });
    nexus.on("/v1/store/secrets", { status: 400, json: { err: "api_bad_request" } });
    const e = await caught(raw.putSecret("bad path", { "db.password": "x" }));
    expect(nexus.seen[0]?.text).toBe('{"path":"bad path","values":{"db.password":"x"}}');
    expect(e.code).toBe("bad_request");
    expect(e.status).toBe(400);
    expect(e.serverCode).toBe("api_bad_request");
    expect(e.message).not.toContain('"x"');
    await raw.close();
  });
});

describe("getSecret", () => {
  it("omits version for current and sends it otherwise", async () => {
    nexus.on("/v1/store/secrets?action=get", { status: 200, json: { data: { pass: "x", user: "app" } } });
    nexus.on("/v1/store/secrets?action=get", { status: 200, json: { data: { pass: "old" } } });
    nexus.on("/v1/store/secrets?action=get", { status: 200, json: { data: { pass: "x" } } });
    expect(await client.getSecret("apps/web/db")).toEqual({ pass: "x", user: "app" });
    expect(await client.getSecret("apps/web/db", { version: 3 })).toEqual({ pass: "old" });
    await client.getSecret("apps/web/db", { version: 0 });
    expect(nexus.seen.map((s) => s.text)).toEqual(['{"path":"apps/web/db"}', '{"path":"apps/web/db","version":3}', '{"path":"apps/web/db"}']);
  });

  it("returns {} for SQLite's data:null and keeps unicode values", async () => {
    nexus.on("/v1/store/secrets?action=get", { status: 200, json: { data: null } });
    nexus.on("/v1/store/secrets?action=get", { status: 200, json: { data: { k: "значение ✓" } } });
    expect(await client.getSecret("a")).toEqual({});
    expect(await client.getSecret("a")).toEqual({ k: "значение ✓" });
  });

  it("maps 404 to not_found", async () => {
    nexus.on("/v1/store/secrets?action=get", { status: 404, json: { err: "api_not_found" } });
    const e = await caught(client.getSecret("apps/web/db", { version: 7 }));
    expect(e.code).toBe("not_found");
    expect(e.status).toBe(404);
    expect(e.target).toBe("apps/web/db");
    expect(e.message).toBe(
      "nexus: secret.get on apps/web/db found nothing (404 api_not_found); the path, the version, or every version may be missing or deleted",
    );
  });

  it.each([[-1], [1.5], ["2"]])("refuses version %j", async (version) => {
    const e = await caught(client.getSecret("a", { version: version as never }));
    expect(e.code).toBe("invalid_input");
    expect(e.message).toContain("version must be a non-negative integer");
  });

  it("refuses a body of the wrong shape as bad_response", async () => {
    nexus.on("/v1/store/secrets?action=get", { status: 200, json: { data: { k: 5 } } });
    const e = await caught(client.getSecret("a"));
    expect(e.code).toBe("bad_response");
    expect(e.message).toBe('nexus: secret.get answered 200 but "data" has a value that is not a string; the server does not speak this nexus api version');
  });
});

describe("delete, undelete, list, metadata", () => {
  it("delete sends [] for current, or the versions", async () => {
    nexus.on("/v1/store/secrets?action=delete", { status: 200, json: {} });
    nexus.on("/v1/store/secrets?action=delete", { status: 200, json: {} });
    await client.deleteSecret("a/b");
    await client.deleteSecret("a/b", { versions: [1, 0, 3] });
    expect(nexus.bodies()).toEqual([
      { path: "a/b", versions: [] },
      { path: "a/b", versions: [1, 0, 3] },
    ]);
  });

  it("undelete sends [] rather than null; 404 says to name the version", async () => {
    nexus.on("/v1/store/secrets?action=undelete", { status: 200, json: {} });
    nexus.on("/v1/store/secrets?action=undelete", { status: 404, json: { err: "api_not_found" } });
    await client.undeleteSecret("a/b", { versions: [1] });
    const e = await caught(client.undeleteSecret("a/b"));
    expect(nexus.seen.map((s) => s.text)).toEqual(['{"path":"a/b","versions":[1]}', '{"path":"a/b","versions":[]}']);
    expect(e.code).toBe("not_found");
    expect(e.message).toContain("name the deleted version explicitly");
  });

  it("refuses bad version lists", async () => {
    expect((await caught(client.deleteSecret("a", { versions: [-1] }))).code).toBe("invalid_input");
    expect((await caught(client.undeleteSecret("a", { versions: "1" as never }))).message).toContain("versions must be an array");
  });

  it("list sends {} and returns the keys; 404 becomes []", async () => {
    nexus.on("/v1/store/secrets?action=list", { status: 200, json: { keys: ["a/b", "c"] } });
    nexus.on("/v1/store/secrets?action=list", { status: 404, json: { err: "api_not_found" } });
    nexus.on("/v1/store/secrets?action=list", { status: 200, json: { keys: null } });
    expect(await client.listSecrets()).toEqual(["a/b", "c"]);
    expect(await client.listSecrets()).toEqual([]);
    expect(await client.listSecrets()).toEqual([]);
    expect(nexus.seen.map((s) => [s.path, s.text])).toEqual([
      ["/v1/store/secrets?action=list", "{}"],
      ["/v1/store/secrets?action=list", "{}"],
      ["/v1/store/secrets?action=list", "{}"],
    ]);
  });

  it("metadata converts times to Date and sorts versions numerically", async () => {
    nexus.on("/v1/store/secrets/metadata?action=get", {
      status: 200,
      json: {
        versions: {
          "10": { createdTime: "2026-07-25T10:09:00Z", version: 10, deletedTime: null },
          "2": { createdTime: "2026-07-25T10:01:00.5Z", version: 2, deletedTime: "2026-07-25T10:05:00Z" },
          "9": { createdTime: "2026-07-25T10:08:00.123456789Z", version: 9, deletedTime: null },
        },
        metadata: {
          currentVersion: 10,
          oldestVersion: 2,
          createdTime: "2026-07-25T10:00:00.123456789Z",
          updatedTime: "2026-07-25T10:09:00Z",
          maxVersions: 10,
        },
      },
    });
    const m = await client.getSecretMetadata("apps/web/db", { version: 9 });
    expect(nexus.seen[0]?.text).toBe('{"path":"apps/web/db","version":9}');
    expect(m.currentVersion).toBe(10);
    expect(m.oldestVersion).toBe(2);
    expect(m.maxVersions).toBe(10);
    expect(m.createdTime).toEqual(new Date("2026-07-25T10:00:00.123Z"));
    expect(m.versions.map((v) => v.version)).toEqual([2, 9, 10]);
    expect(m.versions[0]?.deletedTime).toEqual(new Date("2026-07-25T10:05:00Z"));
    expect(m.versions[1]?.deletedTime).toBeUndefined();
    expect(m.versions[1]?.createdTime).toEqual(new Date("2026-07-25T10:08:00.123Z"));
  });

  it("metadata passes SQLite's collapsed \"0\" entry through as version 0", async () => {
    nexus.on("/v1/store/secrets/metadata?action=get", {
      status: 200,
      json: {
        versions: { "0": { createdTime: "2026-07-25T10:00:00Z", version: 0, deletedTime: null } },
        metadata: { currentVersion: 3, oldestVersion: 1, createdTime: "2026-07-25T10:00:00Z", updatedTime: "2026-07-25T10:00:00Z", maxVersions: 10 },
      },
    });
    const m = await client.getSecretMetadata("a");
    expect(m.versions).toEqual([{ version: 0, createdTime: new Date("2026-07-25T10:00:00Z"), deletedTime: undefined }]);
    expect(m.currentVersion).toBe(3);
  });
});
