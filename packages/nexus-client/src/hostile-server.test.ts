import { describe, expect, it } from "vitest";
import { caught, useMockNexus } from "../test/client-setup.js";
import type { MockNexus } from "../test/mock-nexus.js";
import { createNexusClient, type NexusClient } from "./client.js";

// A server (or a proxy in between) that answers 200 with something that is not Nexus's answer.

let nexus: MockNexus;
let client: NexusClient;

useMockNexus((s) => ({ nexus, client } = s), { maxResponseBytes: 4096 });

const b64 = (b: Uint8Array): string => Buffer.from(b).toString("base64");
const nonce = new Uint8Array(12).fill(7);
const sealed = new Uint8Array(20).fill(9);
const blob = Uint8Array.from([1, ...nonce, ...sealed]);

describe("streaming cipher calls never hand out a body that is not raw bytes", () => {
  for (const [name, reply] of [
    ["a login page", { status: 200, text: "<html>sign in</html>", contentType: "text/html" }],
    ["json", { status: 200, json: { ciphertext: "x" } }],
    ["no content type", { status: 200, text: "raw", contentType: "" }],
  ] as const) {
    it(`refuses ${name} as bad_response on encryptStream and decryptStream`, async () => {
      nexus.on("/v1/cipher/encrypt", reply);
      nexus.on("/v1/cipher/decrypt", reply);
      const enc = await caught(client.encryptStream("hello"));
      const dec = await caught(client.decryptStream(blob));
      for (const e of [enc, dec]) {
        expect(e.code).toBe("bad_response");
        expect(e.status).toBe(200);
        expect(e.message).toContain("expected application/octet-stream");
        expect(e.message).not.toContain("sign in");
      }
    });
  }

  it("accepts application/octet-stream and checks the encrypt blob's shape", async () => {
    nexus.on("/v1/cipher/encrypt", { status: 200, bytes: blob });
    expect([...(await client.encryptStream("hello"))]).toEqual([...blob]);
    nexus.on("/v1/cipher/encrypt", { status: 200, bytes: Uint8Array.from([1, ...nonce]) });
    expect((await caught(client.encryptStream("hello"))).code).toBe("bad_response");
    nexus.on("/v1/cipher/encrypt", { status: 200, bytes: Uint8Array.from([2, ...nonce, ...sealed]) });
    expect((await caught(client.encryptStream("hello"))).message).toContain("not a version 1 cipher blob");
  });
});

describe("JSON encrypt results are checked", () => {
  for (const [name, body, text] of [
    ["a short nonce", { version: 1, nonce: "AAAA", ciphertext: b64(sealed) }, '"nonce" is 3 bytes, not 12'],
    ["a ciphertext shorter than the tag", { version: 1, nonce: b64(nonce), ciphertext: "AAAA" }, "shorter than the 16-byte tag"],
    ["another version", { version: 2, nonce: b64(nonce), ciphertext: b64(sealed) }, '"version" is 2, not 1'],
  ] as const) {
    it(`refuses ${name}`, async () => {
      nexus.on("/v1/cipher/encrypt", { status: 200, json: body });
      const e = await caught(client.encrypt("x"));
      expect(e.code).toBe("bad_response");
      expect(e.message).toContain(text);
    });
  }
});

describe("metadata version keys", () => {
  const meta = { currentVersion: 1, oldestVersion: 1, createdTime: "2026-01-01T00:00:00Z", updatedTime: "2026-01-01T00:00:00Z", maxVersions: 10 };
  for (const key of ["", " 1", "1e0", "01", "-1", "0x1"]) {
    it(`refuses the key ${JSON.stringify(key)} (Go writes plain decimals)`, async () => {
      nexus.on("/v1/store/secrets/metadata?action=get", { status: 200, json: { metadata: meta, versions: { [key]: { createdTime: "2026-01-01T00:00:00Z" } } } });
      const e = await caught(client.getSecretMetadata("a"));
      expect(e.code).toBe("bad_response");
      expect(e.message).toContain("is not a number");
    });
  }
});

describe("maxResponseBytes", () => {
  it("cuts off a body past the limit with bad_response and never retries a put", async () => {
    nexus.on("/v1/store/secrets?action=get", { status: 200, json: { data: { a: "x".repeat(5000) } } });
    const e = await caught(client.getSecret("a"));
    expect(e.code).toBe("bad_response");
    expect(e.message).toContain("maxResponseBytes is 4096");
    expect(e.message).not.toContain("xxxx");
    nexus.on("/v1/store/secrets", { status: 200, json: { junk: "x".repeat(5000) } });
    expect((await caught(client.putSecret("a", { k: "v" }))).code).toBe("bad_response");
    expect(nexus.seen).toHaveLength(2);
  });

  it("reads a body of exactly the limit", async () => {
    const value = "y".repeat(4096 - '{"data":{"a":""}}'.length);
    nexus.on("/v1/store/secrets?action=get", { status: 200, json: { data: { a: value } } });
    expect((await client.getSecret("a")).a).toBe(value);
  });

  it("is validated", () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => createNexusClient({ baseUrl: "https://nexus.test", dispatcher: nexus.agent, maxResponseBytes: bad })).toThrow(
        expect.objectContaining({ code: "invalid_input", message: "nexus: maxResponseBytes must be a positive integer" }),
      );
    }
  });
});

describe("paths and values a careless caller passes", () => {
  for (const path of ["../../etc/passwd", "/apps/db/", "a//b", "a/./b", "(x)|[y]{z}\\w+*?"]) {
    it(`sends ${JSON.stringify(path)} verbatim in the body (Nexus never normalises paths)`, async () => {
      nexus.on("/v1/store/secrets?action=get", { status: 200, json: { data: { k: "v" } } });
      await client.getSecret(path);
      expect(nexus.seen[0]?.path).toBe("/v1/store/secrets?action=get");
      expect(JSON.parse(nexus.seen[0]?.text ?? "{}")).toEqual({ path });
    });
  }

  for (const path of ["a b", "wörk", "ａ", "a\u0000b", "a:b", "x".repeat(501)]) {
    it(`refuses ${JSON.stringify(path.slice(0, 12))} before sending`, async () => {
      const e = await caught(client.getSecret(path));
      expect(e.code).toBe("invalid_input");
      expect(nexus.seen).toHaveLength(0);
    });
  }

  it("sends a 2 MiB value intact (Nexus has no value limit) and never quotes it in errors", async () => {
    const big = "v".repeat(2 * 1024 * 1024);
    nexus.on("/v1/store/secrets", { status: 401, json: { err: "access_unauthorized" } });
    const e = await caught(client.putSecret("apps/big", { blob: big }));
    expect(e.code).toBe("unauthorized");
    expect(e.message.length).toBeLessThan(1000);
    expect(JSON.parse(nexus.seen[0]?.text ?? "{}").values.blob).toHaveLength(big.length);
  });
});

describe("JSON calls against something that is not Nexus", () => {
  it("a 200 login page is bad_response and the page never reaches the message", async () => {
    nexus.on("/v1/store/secrets?action=get", { status: 200, text: "<html>password: hunter2</html>", contentType: "text/html" });
    const e = await caught(client.getSecret("a"));
    expect(e.code).toBe("bad_response");
    expect(e.message).not.toContain("hunter2");
    expect(JSON.stringify(e)).not.toContain("hunter2");
  });

  it("a 301 is not followed: bad_response naming the status, one request", async () => {
    nexus.mock
      .get("https://nexus.test")
      .intercept({ method: "POST", path: "/v1/store/secrets" })
      .reply(301, "", { headers: { location: "https://evil.test/v1/store/secrets" } });
    const e = await caught(client.putSecret("a", { k: "v" }));
    expect(e.code).toBe("bad_response");
    expect(e.status).toBe(301);
    expect(nexus.seen).toHaveLength(1);
  });

  for (const [name, body] of [
    ["data as a string", { data: "x" }],
    ["data with a number value", { data: { k: 1 } }],
    ["data as a list", { data: ["x"] }],
  ] as const) {
    it(`${name} is bad_response`, async () => {
      nexus.on("/v1/store/secrets?action=get", { status: 200, json: body });
      expect((await caught(client.getSecret("a"))).code).toBe("bad_response");
    });
  }
});
