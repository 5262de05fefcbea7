import { createHash } from "node:crypto";
import { type ClientRequest, createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { trustRootsFor } from "@spike-ts/nexus-model";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createNexusCipher } from "./cipher.js";
import { createNexusHandler, type NexusDevLogEntry, routeOf } from "./handler.js";
import { NexusState } from "./nexus-state.js";
import { createMemoryStore, type NexusStore } from "./store.js";

// Plain HTTP on loopback; the caller's SPIFFE ID comes from a test header instead of mTLS.
const TD = "example.org";
const PILOT = `spiffe://${TD}/spike/pilot/role/superuser`;
const LITE = `spiffe://${TD}/spike/workload/role/lite`;
const APP = `spiffe://${TD}/demo/app`;
const BOOTSTRAP = `spiffe://${TD}/spike/bootstrap`;

let server: Server;
let base: string;
let logs: NexusDevLogEntry[];
let clock: number;

async function start(store: NexusStore = createMemoryStore(), maxVersions = 10, limits = { maxRequestBytes: 64 * 1024 * 1024, requestBodyTimeoutMs: 60_000 }): Promise<void> {
  const state = new NexusState(store, await store.load(), maxVersions);
  logs = [];
  clock = Date.UTC(2026, 6, 25, 10, 0, 0, 500);
  const handler = createNexusHandler({
    state,
    cipher: createNexusCipher(),
    trustRoots: trustRootsFor(TD),
    peerIdOf: (req) => (typeof req.headers["x-peer"] === "string" ? req.headers["x-peer"] : undefined),
    now: () => new Date((clock += 1000)),
    maxCiphertextBytes: 65536,
    ...limits,
    log: (e) => logs.push(e),
  });
  server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeEach(() => start());
afterEach(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

interface Answer { status: number; text: string; headers: Headers; bytes: Uint8Array }
async function call(target: string, body: string | Uint8Array | undefined, peer: string | null = PILOT, init: { method?: string; type?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = { "content-type": init.type ?? "application/json" };
  if (peer) headers["x-peer"] = peer;
  const res = await fetch(base + target, { method: init.method ?? "POST", headers, body });
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, text: Buffer.from(bytes).toString("utf8"), headers: res.headers, bytes };
}
const post = (target: string, json: unknown, peer: string | null = PILOT): Promise<Answer> => call(target, JSON.stringify(json), peer);
const S = "/v1/store/secrets";
const P = "/v1/acl/policy";

describe("routing (spec §1.3)", () => {
  it("answers non-POST, unknown routes and memory-mode recover/restore with 400 and the no-store headers", async () => {
    const cases: Answer[] = [
      await call(S, undefined, PILOT, { method: "GET" }),
      await call(`${S}?action=get`, undefined, PILOT, { method: "PUT" }),
      await post(`${S}/`, { path: "a" }),
      await post(`${S}?action=nope`, { path: "a" }),
      await post("/v1/store/secrets/metadata", { path: "a" }),
      await post("/v1/auth/initialization", {}),
      await post("/v1/operator/recover", {}, null),
      await post("/v1/operator/restore", { id: 1, shard: [] }, null),
    ];
    for (const a of cases) {
      expect(a.status).toBe(400);
      expect(a.text).toBe('{"err":"api_bad_request"}');
      expect(a.headers.get("content-type")).toBe("application/json");
      expect(a.headers.get("cache-control")).toBe("no-store, no-cache, must-revalidate, private");
      expect(a.headers.get("pragma")).toBe("no-cache");
      expect(a.headers.get("expires")).toBe("0");
    }
  });

  it("routes an absolute-form request target on its path (Go's URL.Path)", async () => {
    const { port } = server.address() as AddressInfo;
    const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, method: "POST", path: "http://nexus.example/v1/store/secrets?action=list", headers: { "x-peer": PILOT } }, (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (d: string) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on("error", reject);
      req.end("{}");
    });
    expect(answer).toEqual({ status: 200, text: '{"keys":[]}' });
  });

  it("decodes the path, takes the first action value and ignores malformed pairs, like Go's net/url", () => {
    expect(routeOf("/v1/store/%73ecrets?action=get&action=list")).toEqual({ path: "/v1/store/secrets", action: "get" });
    expect(routeOf("/v1/store/secrets?x=%zz&action=list")).toEqual({ path: "/v1/store/secrets", action: "list" });
    expect(routeOf("/v1/store/secrets?action=get;x")).toEqual({ path: "/v1/store/secrets", action: "" });
    expect(routeOf("/v1/store/secrets")).toEqual({ path: "/v1/store/secrets", action: "" });
    expect(routeOf("/%zz")).toBeUndefined();
    // absolute-form targets route on their path, as Go's URL.Path does
    expect(routeOf("https://127.0.0.1:8553/v1/store/secrets?action=get")).toEqual({ path: "/v1/store/secrets", action: "get" });
    expect(routeOf("http://nexus/v1/acl/policy")).toEqual({ path: "/v1/acl/policy", action: "" });
    expect(routeOf("https://nexus?action=get")).toEqual({ path: "", action: "get" });
  });
});

describe("secrets", () => {
  it("puts, gets (sorted keys, exact bytes) and reads a version", async () => {
    expect((await post(S, { path: "apps/web/db", values: { user: "app", pass: "x" } })).text).toBe("{}");
    const got = await post(`${S}?action=get`, { path: "apps/web/db" });
    expect(got.status).toBe(200);
    expect(got.text).toBe('{"data":{"pass":"x","user":"app"}}');
    expect(got.headers.get("cache-control")).toBe("no-store, no-cache, must-revalidate, private");
    await post(S, { path: "apps/web/db", values: { user: "b" } });
    expect((await post(`${S}?action=get`, { path: "apps/web/db", version: 1 })).text).toBe('{"data":{"pass":"x","user":"app"}}');
    expect((await post(`${S}?action=get`, { path: "apps/web/db" })).text).toBe('{"data":{"user":"b"}}');
    const seven = await post(`${S}?action=get`, { path: "apps/web/db", version: 7 });
    expect([seven.status, seven.text]).toEqual([404, '{"err":"api_not_found"}']);
  });

  it("stores missing, null and empty values as {} (memory backend, §1.5.1)", async () => {
    for (const [path, body] of [["a", {}], ["b", { values: null }], ["c", { values: {} }]] as const) {
      expect((await post(S, { path, ...body })).status).toBe(200);
      expect((await post(`${S}?action=get`, { path })).text).toBe('{"data":{}}');
    }
  });

  it("authorizes before validating: a workload without policy gets 401 even for a bad path", async () => {
    const a = await post(`${S}?action=get`, { path: "bad path" }, APP);
    expect([a.status, a.text]).toEqual([401, '{"err":"access_unauthorized"}']);
    const b = await post(`${S}?action=get`, { path: "bad path" });
    expect([b.status, b.text]).toEqual([400, '{"err":"api_bad_request"}']);
    // but parsing comes first: bad JSON is 400 even for an unauthorized caller
    expect((await call(`${S}?action=get`, "{", APP)).status).toBe(400);
    // no peer id at all
    expect((await post(`${S}?action=get`, { path: "a" }, null)).status).toBe(401);
  });

  it("refuses bad input with 400 and stores nothing", async () => {
    const bodies: Array<string | undefined> = [
      "",
      "not json",
      '{"path":"a","values":{"k":1}}',
      '{"path":"a","values":["x"]}',
      '{"path":7,"values":{}}',
      '{"path":"a","values":{"db.password":"x"}}',
      '{"path":"a","values":{"ok":"1","":"x"}}',
      '{"path":"a b","values":{}}',
      '{"path":"ü","values":{}}',
      `{"path":"${"a".repeat(501)}","values":{}}`,
      `{"path":"a","values":{"${"k".repeat(251)}":"x"}}`,
      '{"path":"","values":{}}',
      "[]",
    ];
    for (const b of bodies) {
      const a = await call(S, b);
      expect([a.status, a.text], String(b).slice(0, 40)).toEqual([400, '{"err":"api_bad_request"}']);
    }
    expect((await post(`${S}?action=list`, {})).text).toBe('{"keys":[]}');
  });

  it("accepts the boundary sizes, unicode values and a 2 MiB value", async () => {
    const big = "ü✓".repeat(700_000);
    const key = "k".repeat(250);
    const path = `a/${"b".repeat(498)}`;
    expect((await post(S, { path, values: { [key]: big } })).status).toBe(200);
    const got = JSON.parse((await post(`${S}?action=get`, { path })).text) as { data: Record<string, string> };
    expect(got.data[key]).toBe(big);
  });

  it("escapes <, > and & like Go's encoder", async () => {
    await post(S, { path: "h", values: { k: "<a>&" } });
    expect((await post(`${S}?action=get`, { path: "h" })).text).toBe('{"data":{"k":"\\u003ca\\u003e\\u0026"}}');
  });

  it("lists every path, deleted ones included, in byte order", async () => {
    for (const p of ["b", "B", "/a", "a/b", "a"]) await post(S, { path: p, values: { k: "v" } });
    await post(`${S}?action=delete`, { path: "b", versions: [] });
    expect((await post(`${S}?action=list`, {})).text).toBe('{"keys":["/a","B","a","a/b","b"]}');
    // top-level null is the zero struct in Go: a valid list request
    expect((await call(`${S}?action=list`, "null")).status).toBe(200);
    expect((await call(`${S}?action=list`, "")).status).toBe(400);
  });

  it("deletes, undeletes and writes metadata in Go's shape", async () => {
    for (let i = 1; i <= 3; i++) await post(S, { path: "m", values: { v: String(i) } });
    expect((await post(`${S}?action=delete`, { path: "m", versions: [3, 99] })).status).toBe(200);
    expect((await post(`${S}?action=delete`, { path: "missing", versions: [] })).status).toBe(404);
    const meta = await post("/v1/store/secrets/metadata?action=get", { path: "m" });
    expect(meta.text).toBe(
      '{"versions":{' +
        '"1":{"createdTime":"2026-07-25T10:00:01.5Z","version":1,"deletedTime":null},' +
        '"2":{"createdTime":"2026-07-25T10:00:02.5Z","version":2,"deletedTime":null},' +
        '"3":{"createdTime":"2026-07-25T10:00:03.5Z","version":3,"deletedTime":"2026-07-25T10:00:04.5Z"}},' +
        '"metadata":{"currentVersion":2,"oldestVersion":1,"createdTime":"2026-07-25T10:00:01.5Z","updatedTime":"2026-07-25T10:00:04.5Z","maxVersions":10}}',
    );
    expect((await post("/v1/store/secrets/metadata?action=get", { path: "m", version: 3 })).status).toBe(404);
    expect((await post(`${S}?action=undelete`, { path: "m", versions: [] })).status).toBe(404); // current 2 is live
    expect((await post(`${S}?action=undelete`, { path: "m", versions: [3] })).status).toBe(200);
    expect((await post(`${S}?action=get`, { path: "m" })).text).toBe('{"data":{"v":"3"}}');
    expect((await post(`${S}?action=undelete`, { path: "nope", versions: [1] })).status).toBe(404);
  });

  it("orders metadata versions by their string form (10 before 2)", async () => {
    for (let i = 1; i <= 10; i++) await post(S, { path: "many", values: {} });
    const keys = [...(await post("/v1/store/secrets/metadata?action=get", { path: "many" })).text.matchAll(/"(\d+)":\{"createdTime"/g)].map((m) => m[1]);
    expect(keys).toEqual(["1", "10", "2", "3", "4", "5", "6", "7", "8", "9"]);
  });

  it("prunes to SPIKE_NEXUS_MAX_SECRET_VERSIONS", async () => {
    await afterEachClose();
    await start(createMemoryStore(), 2);
    for (let i = 1; i <= 3; i++) await post(S, { path: "p", values: { v: String(i) } });
    expect((await post(`${S}?action=get`, { path: "p", version: 1 })).status).toBe(404);
    expect((await post(`${S}?action=get`, { path: "p", version: 2 })).status).toBe(200);
    expect((await post("/v1/store/secrets/metadata?action=get", { path: "p" })).text).toContain('"oldestVersion":2');
  });

  it("accepts deep JSON under an unknown key like Go (never a 500 from stack exhaustion) and refuses over 10000 levels with 400", async () => {
    const deep = (n: number) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`;
    const ok = await call(S, `{"path":"deep","values":{"k":"v"},"extra":${deep(8_000)}}`);
    expect([ok.status, ok.text]).toEqual([200, "{}"]);
    const bad = await call(S, `{"path":"deeper","extra":${deep(20_000)}}`);
    expect([bad.status, bad.text]).toEqual([400, '{"err":"api_bad_request"}']);
    expect((await post(`${S}?action=list`, {})).text).toBe('{"keys":["deep"]}');
    expect(logs.some((l) => l.level === "error")).toBe(false);
  });

  it("loses no version under 25 concurrent puts to one path", async () => {
    const answers = await Promise.all(Array.from({ length: 25 }, (_, i) => post(S, { path: "hot", values: { i: String(i) } })));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const meta = JSON.parse((await post("/v1/store/secrets/metadata?action=get", { path: "hot" })).text) as { metadata: { currentVersion: number; oldestVersion: number }; versions: Record<string, unknown> };
    expect([meta.metadata.currentVersion, meta.metadata.oldestVersion, Object.keys(meta.versions).length]).toEqual([25, 16, 10]);
    const values = new Set<string>();
    for (let v = 16; v <= 25; v++) values.add((JSON.parse((await post(`${S}?action=get`, { path: "hot", version: v })).text) as { data: { i: string } }).data.i);
    expect(values.size).toBe(10); // ten different writes, none overwritten by a lost update
  });

  it("answers 500 and publishes nothing when the store fails", async () => {
    await afterEachClose();
    const failing = { ...createMemoryStore(), writeSecret: () => Promise.reject(new Error("disk full")) };
    await start(failing);
    const a = await post(S, { path: "x", values: { k: "secret-value" } });
    expect([a.status, a.text]).toEqual([500, '{"err":"api_internal_error"}']);
    expect((await post(`${S}?action=list`, {})).text).toBe('{"keys":[]}');
    expect(JSON.stringify(logs)).not.toContain("secret-value");
  });
});

async function afterEachClose(): Promise<void> {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
}

describe("request bodies: bounded memory and time (a deliberate deviation, Nexus reads any body)", () => {
  const READ_FAILURE = '{"Code":"data_read_failure","Msg":"failed to read request body","Wrapped":null}';

  /** Sends a request with node:http so the body can be declared, chunked, or left unfinished. */
  function raw(target: string, headers: Record<string, string>, body: (req: ClientRequest) => void): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = request(base + target, { method: "POST", headers: { "x-peer": PILOT, ...headers } }, (res) => {
        const parts: Buffer[] = [];
        res.on("data", (c: Buffer) => parts.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString("utf8") }));
        res.on("error", reject);
      });
      req.on("error", () => undefined); // the server drops the connection after answering
      req.flushHeaders();
      body(req);
    });
  }

  it("accepts a body of exactly maxRequestBytes and refuses one byte more, declared or streamed, storing nothing", async () => {
    await afterEachClose();
    await start(createMemoryStore(), 10, { maxRequestBytes: 100, requestBodyTimeoutMs: 60_000 });
    const exact = JSON.stringify({ path: "p", values: { k: "x" } });
    const padded = exact.padEnd(100, " ");
    expect((await call(S, padded)).status).toBe(200);
    const declared = await raw(S, { "content-length": "101", "content-type": "application/json" }, () => undefined);
    expect(declared).toEqual({ status: 400, text: READ_FAILURE });
    // chunked, no content-length: the server stops buffering at the limit and answers
    const streamed = await raw(S, { "transfer-encoding": "chunked" }, (req) => {
      req.write(JSON.stringify({ path: "q", values: { k: "y".repeat(50) } }));
      req.write(" ".repeat(60));
    });
    expect(streamed).toEqual({ status: 400, text: READ_FAILURE });
    expect((await post(`${S}?action=list`, {})).text).toBe('{"keys":["p"]}');
    expect(logs.some((l) => l.status === 400 && l.message.includes("larger than 100 bytes"))).toBe(true);
  });

  it("a requestBodyTimeoutMs beyond Node's timer range does not time every body out at once", async () => {
    await afterEachClose();
    await start(createMemoryStore(), 10, { maxRequestBytes: 1024, requestBodyTimeoutMs: 30 * 24 * 3_600_000 });
    const spy = vi.spyOn(globalThis, "setTimeout");
    try {
      expect((await post(S, { path: "p", values: { k: "v" } })).status).toBe(200);
      const delays = spy.mock.calls.map((c) => c[1]);
      expect(delays).toContain(2 ** 31 - 1); // Node would fire a longer timer after 1 ms
      expect(delays.every((d) => typeof d !== "number" || d <= 2 ** 31 - 1)).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });

  it("answers a body that never completes with the read failure once requestBodyTimeoutMs passes", async () => {
    await afterEachClose();
    await start(createMemoryStore(), 10, { maxRequestBytes: 1024, requestBodyTimeoutMs: 50 });
    const slow = await raw(S, { "content-length": "500", "content-type": "application/json" }, (req) => {
      req.write('{"path":"slow","values":{"k":"');
    });
    expect(slow).toEqual({ status: 400, text: READ_FAILURE });
    const streamingEncrypt = await raw("/v1/cipher/encrypt", { "content-length": "10", "content-type": "application/octet-stream" }, (req) => {
      req.write("abc");
    });
    expect(streamingEncrypt).toEqual({ status: 400, text: READ_FAILURE });
    expect((await post(`${S}?action=list`, {})).text).toBe('{"keys":[]}');
    expect(logs.some((l) => l.message.includes("not complete within 50 ms"))).toBe(true);
  });
});

describe("policies and authorization (spec §4)", () => {
  const webRead = { name: "web-read", spiffeidPattern: "^spiffe://example\\.org/demo/app$", pathPattern: "^apps/web/", permissions: ["read"] };

  it("upserts, gets (spiffiedPattern, id \"\"), lists with exact filters and deletes", async () => {
    expect((await post(P, webRead)).text).toBe("{}");
    const got = JSON.parse((await post(`${P}?action=get`, { id: "web-read" })).text) as Record<string, unknown>;
    expect(got).toEqual({
      id: "",
      name: "web-read",
      spiffiedPattern: "^spiffe://example\\.org/demo/app$",
      pathPattern: "^apps/web/",
      permissions: ["read"],
      createdAt: "2026-07-25T10:00:01.5Z",
      updatedAt: "2026-07-25T10:00:01.5Z",
    });
    await post(P, { ...webRead, permissions: ["read", "list"] });
    const again = JSON.parse((await post(`${P}?action=get`, { id: "web-read" })).text) as Record<string, unknown>;
    expect([again["createdAt"], again["updatedAt"], again["permissions"]]).toEqual(["2026-07-25T10:00:01.5Z", "2026-07-25T10:00:03.5Z", ["read", "list"]]);
    await post(P, { ...webRead, name: "other", pathPattern: "^x/" });
    expect((await post(`${P}?action=list`, { spiffeidPattern: "", pathPattern: "" })).text).toBe('{"policies":[{"id":"","name":"web-read"},{"id":"","name":"other"}]}');
    expect((await post(`${P}?action=list`, { spiffeidPattern: "", pathPattern: "^x/" })).text).toBe('{"policies":[{"id":"","name":"other"}]}');
    expect((await post(`${P}?action=list`, { spiffeidPattern: "^spiffe://nope$", pathPattern: "^x/" })).text).toBe('{"policies":[]}');
    expect((await post(`${P}?action=delete`, { id: "web-read" })).text).toBe("{}");
    // QUIRK/BUG? §1.5.8/§1.5.10: a missing name is 500
    expect((await post(`${P}?action=get`, { id: "web-read" })).text).toBe('{"err":"api_internal_error"}');
    expect((await post(`${P}?action=delete`, { id: "web-read" })).status).toBe(500);
    expect((await post(`${P}?action=get`, { id: "bad.name" })).status).toBe(400);
  });

  it("answers 400 for input rules and 500 for RE2 and reserved-path failures, storing nothing", async () => {
    const bad400 = [
      { ...webRead, name: "" },
      { ...webRead, name: "a.b" },
      { ...webRead, spiffeidPattern: ".*" },
      { ...webRead, spiffeidPattern: "^spiffe://a|b$" },
      { ...webRead, pathPattern: "" },
      { ...webRead, pathPattern: "a b" },
      { ...webRead, permissions: [] },
      { ...webRead, permissions: ["admin"] },
      { ...webRead, permissions: null },
    ];
    for (const p of bad400) expect((await post(P, p)).status, JSON.stringify(p)).toBe(400);
    const bad500 = [
      { ...webRead, pathPattern: "(" },
      { ...webRead, pathPattern: "a**" },
      { ...webRead, pathPattern: "\\1" },
      { ...webRead, pathPattern: "secret" }, // QUIRK §4.5: substring of a reserved path
      { ...webRead, spiffeidPattern: "spiffe://example\\.org/demo/app", pathPattern: ".*" },
    ];
    for (const p of bad500) expect((await post(P, p)).text, JSON.stringify(p)).toBe('{"err":"api_internal_error"}');
    expect((await post(`${P}?action=list`, {})).text).toBe('{"policies":[]}');
    expect(logs.some((l) => l.status === 500 && /reserved path/.test(l.message))).toBe(true);
  });

  it("grants by unanchored RE2 match, never merges, refuses lite workloads and bad peer IDs", async () => {
    await post(S, { path: "apps/web/db", values: { k: "v" } });
    await post(S, { path: "x/apps/web/db", values: { k: "v" } });
    expect((await post(`${S}?action=get`, { path: "apps/web/db" }, APP)).status).toBe(401);
    await post(P, { ...webRead, pathPattern: "apps/web/" });
    expect((await post(`${S}?action=get`, { path: "apps/web/db" }, APP)).status).toBe(200);
    expect((await post(`${S}?action=get`, { path: "x/apps/web/db" }, APP)).status).toBe(200); // substring
    expect((await post(`${S}?action=get`, { path: "apps/web/db" }, `${APP}/sub`)).status).toBe(401); // anchored $
    expect((await post(S, { path: "apps/web/db", values: {} }, APP)).status).toBe(401); // read only
    expect((await post(`${S}?action=list`, {}, APP)).status).toBe(401);
    expect((await post(`${S}?action=get`, { path: "apps/web/db" }, LITE)).status).toBe(401);
    await post(P, { name: "all", spiffeidPattern: "^spiffe://.*$", pathPattern: ".*", permissions: ["super"] });
    expect((await post(`${S}?action=get`, { path: "apps/web/db" }, LITE)).status).toBe(401); // lite: always refused
    expect((await post(`${S}?action=list`, {}, APP)).status).toBe(200);
    expect((await post(`${S}?action=get`, { path: "apps/web/db" }, "spiffe://example.org/a%20b")).status).toBe(401);
    expect((await post("/v1/bootstrap/verify", { nonce: "", ciphertext: "" }, PILOT)).status).toBe(401);
  });
});

describe("cipher (spec §1.5.11-12)", () => {
  it("encrypts and decrypts in JSON mode, for the superuser and lite workloads", async () => {
    for (const peer of [PILOT, LITE]) {
      const enc = await post("/v1/cipher/encrypt", { plaintext: "aGVsbG8=", algorithm: "ignored" }, peer);
      const body = JSON.parse(enc.text) as { version: number; nonce: string; ciphertext: string };
      expect(Object.keys(body)).toEqual(["version", "nonce", "ciphertext"]);
      expect(body.version).toBe(1);
      expect(Buffer.from(body.nonce, "base64")).toHaveLength(12);
      expect(Buffer.from(body.ciphertext, "base64")).toHaveLength(21);
      expect((await post("/v1/cipher/decrypt", body, peer)).text).toBe('{"plaintext":"aGVsbG8="}');
    }
    const empty = JSON.parse((await post("/v1/cipher/encrypt", {})).text) as Record<string, unknown>;
    expect((await post("/v1/cipher/decrypt", empty)).text).toBe('{"plaintext":null}');
    expect((await post("/v1/cipher/encrypt", { plaintext: "aGVsbG8=" }, APP)).status).toBe(401);
  });

  it("applies the JSON-mode checks and answers a failed open with 500", async () => {
    const { nonce, ciphertext } = JSON.parse((await post("/v1/cipher/encrypt", { plaintext: "aGk=" })).text) as { nonce: string; ciphertext: string };
    expect((await post("/v1/cipher/decrypt", { version: 2, nonce, ciphertext })).status).toBe(400);
    expect((await post("/v1/cipher/decrypt", { version: 1, nonce: "AAAA", ciphertext })).status).toBe(400);
    expect((await post("/v1/cipher/decrypt", { version: 256, nonce, ciphertext })).status).toBe(400);
    expect((await post("/v1/cipher/decrypt", { version: 1, nonce, ciphertext: Buffer.alloc(65537).toString("base64") })).status).toBe(400);
    expect((await post("/v1/cipher/decrypt", { version: 1, nonce, ciphertext: Buffer.alloc(20).toString("base64") })).text).toBe('{"err":"api_internal_error"}');
    expect((await post("/v1/cipher/encrypt", { plaintext: "not base64!" })).status).toBe(400);
    // JSON decrypt authorizes before parsing: bad JSON from a stranger is 401
    expect((await call("/v1/cipher/decrypt", "{", APP)).status).toBe(401);
  });

  it("QUIRK §1.5.11: 65536-byte plaintexts encrypt but their ciphertext is too long to decrypt", async () => {
    const max = await call("/v1/cipher/encrypt", new Uint8Array(65536), PILOT, { type: "application/octet-stream" });
    expect(max.status).toBe(200);
    expect(max.bytes.length).toBe(1 + 12 + 65536 + 16);
    const tooBig = await call("/v1/cipher/encrypt", new Uint8Array(65537), PILOT, { type: "application/octet-stream" });
    expect([tooBig.status, tooBig.text]).toEqual([400, '{"err":"api_bad_request"}']);
    const back = await call("/v1/cipher/decrypt", max.bytes, PILOT, { type: "application/octet-stream" });
    expect([back.status, back.text]).toEqual([400, '{"err":"api_bad_request"}']);
    const okSize = await call("/v1/cipher/encrypt", new Uint8Array(65520).fill(9), PILOT, { type: "application/octet-stream" });
    const okBack = await call("/v1/cipher/decrypt", okSize.bytes, PILOT, { type: "application/octet-stream" });
    expect(okBack.status).toBe(200);
    expect(okBack.bytes).toEqual(new Uint8Array(65520).fill(9));
  });

  it("streams binary blobs and answers stream errors in plain text", async () => {
    const enc = await call("/v1/cipher/encrypt", "hello", PILOT, { type: "application/octet-stream" });
    expect(enc.headers.get("content-type")).toBe("application/octet-stream");
    expect(enc.headers.get("cache-control")).toBeNull();
    expect(enc.bytes[0]).toBe(1);
    expect(enc.bytes.length).toBe(1 + 12 + 5 + 16);
    const dec = await call("/v1/cipher/decrypt", enc.bytes, PILOT, { type: "application/octet-stream" });
    expect(dec.text).toBe("hello");
    const tampered = Uint8Array.from(enc.bytes);
    tampered[20] = (tampered[20] ?? 0) ^ 0xff;
    const cases: Array<[Uint8Array, string]> = [
      [new Uint8Array(0), "crypto_failed_to_read_version\n"],
      [Uint8Array.of(2, 0, 0), "crypto_unsupported_version\n"],
      [Uint8Array.of(1, 0, 0), "crypto_failed_to_read_nonce\n"],
      [tampered, "decryption failed\n"],
    ];
    for (const [blob, text] of cases) {
      const a = await call("/v1/cipher/decrypt", blob, PILOT, { type: "application/octet-stream" });
      expect([a.status, a.text]).toEqual([400, text]);
      expect(a.headers.get("content-type")).toBe("text/plain; charset=utf-8");
      expect(a.headers.get("x-content-type-options")).toBe("nosniff");
    }
    const denied = await call("/v1/cipher/decrypt", enc.bytes, APP, { type: "application/octet-stream" });
    expect([denied.status, denied.text]).toEqual([401, '{"err":"access_unauthorized"}']);
    // only the exact content type selects streaming
    const json = await call("/v1/cipher/encrypt", "hello", PILOT, { type: "application/octet-stream; x=y" });
    expect(json.status).toBe(400);
  });

  it("bootstrap verify hashes the plaintext for the bootstrap role only", async () => {
    const { nonce, ciphertext } = JSON.parse((await post("/v1/cipher/encrypt", { plaintext: Buffer.from("random text").toString("base64") })).text) as { nonce: string; ciphertext: string };
    const v = await post("/v1/bootstrap/verify", { nonce, ciphertext }, BOOTSTRAP);
    expect(v.text).toBe(`{"hash":"${createHash("sha256").update("random text").digest("hex")}"}`);
    expect((await post("/v1/bootstrap/verify", { nonce: "AAAA", ciphertext }, BOOTSTRAP)).status).toBe(400);
  });
});
