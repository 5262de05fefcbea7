import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { caught, useMockNexus } from "../test/client-setup.js";
import type { FakeClock } from "../test/fake-clock.js";
import { type MockNexus, netError } from "../test/mock-nexus.js";
import type { NexusClient } from "./client.js";

let nexus: MockNexus;
let clock: FakeClock;
let client: NexusClient;

useMockNexus((s) => ({ nexus, clock, client } = s), { random: () => 0.5 });

const nonce = Uint8Array.from({ length: 12 }, (_, i) => i + 1);
/** A ciphertext as Nexus returns it: plaintext bytes plus the 16-byte GCM tag. */
const sealed = Uint8Array.from({ length: 19 }, (_, i) => i + 5);
const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");

describe("JSON mode", () => {
  it("encrypt sends base64 plaintext and returns version, nonce and ciphertext", async () => {
    nexus.on("/v1/cipher/encrypt", { status: 200, json: { version: 1, nonce: b64(nonce), ciphertext: b64(sealed) } });
    nexus.on("/v1/cipher/encrypt", { status: 200, json: { version: 1, nonce: b64(nonce), ciphertext: b64(sealed.subarray(3)) } });
    const r = await client.encrypt("hello");
    await client.encrypt(new Uint8Array([1, 2]), { algorithm: "AES-GCM" });
    expect(nexus.seen.map((s) => [s.path, s.headers["content-type"], s.text])).toEqual([
      ["/v1/cipher/encrypt", "application/json", '{"plaintext":"aGVsbG8="}'],
      ["/v1/cipher/encrypt", "application/json", '{"plaintext":"AQI=","algorithm":"AES-GCM"}'],
    ]);
    expect(r.version).toBe(1);
    expect([...r.nonce]).toEqual([...nonce]);
    expect([...r.ciphertext]).toEqual([...sealed]);
  });

  it("decrypt sends all three fields; null plaintext is empty", async () => {
    nexus.on("/v1/cipher/decrypt", { status: 200, json: { plaintext: "aGVsbG8=" } });
    nexus.on("/v1/cipher/decrypt", { status: 200, json: { plaintext: null } });
    const data = { version: 1, nonce, ciphertext: Uint8Array.from([9, 9]) };
    expect(Buffer.from(await client.decrypt(data)).toString()).toBe("hello");
    expect((await client.decrypt(data)).length).toBe(0);
    expect(nexus.bodies()[0]).toEqual({ version: 1, nonce: b64(nonce), ciphertext: "CQk=" });
  });

  it("a failed GCM open in JSON mode is Nexus's 500", async () => {
    nexus.on("/v1/cipher/decrypt", { status: 500, json: { err: "api_internal_error" } });
    const e = await caught(client.decrypt({ version: 1, nonce, ciphertext: Uint8Array.from([1]) }));
    expect([e.code, e.status]).toEqual(["internal", 500]);
  });

  it("refuses what Nexus would refuse: size, version, nonce", async () => {
    expect((await caught(client.encrypt(new Uint8Array(65537)))).message).toBe(
      "nexus: the plaintext is 65537 bytes; nexus accepts at most 65536 (SPIKE_NEXUS_CRYPTO_MAX_CIPHERTEXT_SIZE, default 65536; set maxCipherBytes if your nexus allows more)",
    );
    expect((await caught(client.decrypt({ version: 2, nonce, ciphertext: new Uint8Array(1) }))).message).toBe(
      "nexus: cipher version 2 is not supported; nexus only accepts 1",
    );
    expect((await caught(client.decrypt({ version: 1, nonce: new Uint8Array(8), ciphertext: new Uint8Array(1) }))).message).toBe(
      "nexus: the nonce must be 12 bytes",
    );
    expect((await caught(client.decrypt({ version: 1, nonce, ciphertext: new Uint8Array(65537) }))).code).toBe("invalid_input");
    expect(nexus.seen).toHaveLength(0);
  });

  it("encrypts 65536 bytes (the limit applies to the plaintext, a Nexus quirk)", async () => {
    nexus.on("/v1/cipher/encrypt", { status: 200, json: { version: 1, nonce: b64(nonce), ciphertext: b64(sealed) } });
    await client.encrypt(new Uint8Array(65536));
    expect(nexus.seen).toHaveLength(1);
  });
});

describe("streaming mode", () => {
  it("encryptStream sends raw bytes as application/octet-stream from a Readable", async () => {
    const blob = Uint8Array.from([1, ...nonce, ...sealed]);
    nexus.on("/v1/cipher/encrypt", { status: 200, bytes: blob });
    const out = await client.encryptStream(Readable.from([Buffer.from("hel"), Buffer.from("lo")]));
    expect(nexus.seen[0]?.headers["content-type"]).toBe("application/octet-stream");
    expect(Buffer.from(nexus.seen[0]?.bytes ?? []).toString()).toBe("hello");
    expect([...out]).toEqual([...blob]);
  });

  it("decryptStream sends the blob and returns the plaintext", async () => {
    nexus.on("/v1/cipher/decrypt", { status: 200, bytes: Buffer.from("hello") });
    const blob = Uint8Array.from([1, ...nonce, 42]);
    const out = await client.decryptStream(blob);
    expect([...(nexus.seen[0]?.bytes ?? [])]).toEqual([...blob]);
    expect(Buffer.from(out).toString()).toBe("hello");
  });

  it("reads the plain-text error bodies of streaming mode", async () => {
    nexus.on("/v1/cipher/decrypt", { status: 400, text: "decryption failed\n", contentType: "text/plain; charset=utf-8" });
    const e = await caught(client.decryptStream(Uint8Array.from([1, ...nonce, 1])));
    expect([e.code, e.status, e.serverCode]).toEqual(["bad_request", 400, "decryption failed"]);
    expect(e.message).toContain("failed to decrypt with this nexus's key");
  });

  it("refuses a blob that is too short or has another version, and a stream that is too long", async () => {
    expect((await caught(client.decryptStream(new Uint8Array(5)))).message).toContain("it needs a version byte and a 12-byte nonce");
    expect((await caught(client.decryptStream(Uint8Array.from([2, ...nonce])))).message).toContain("version 2 is not supported");
    const big = Readable.from((function* () {
      for (let i = 0; i < 70; i++) yield Buffer.alloc(1024);
    })());
    const e = await caught(client.encryptStream(big));
    expect(e.message).toContain("the plaintext is more than 65536 bytes");
    expect(big.destroyed).toBe(true);
    expect(nexus.seen).toHaveLength(0);
  });

  it("decryptStream is retried after a reset (it changes nothing), replaying the same bytes", async () => {
    nexus.on("/v1/cipher/decrypt", { error: netError("ECONNRESET") });
    nexus.on("/v1/cipher/decrypt", { status: 200, bytes: Buffer.from("ok") });
    const blob = Readable.from([Buffer.from([1, ...nonce, 7])]);
    const out = await clock.run(client.decryptStream(blob));
    expect(Buffer.from(out).toString()).toBe("ok");
    expect(nexus.seen.map((s) => [...s.bytes])).toEqual([
      [1, ...nonce, 7],
      [1, ...nonce, 7],
    ]);
  });

  it("an abort stops reading an input that never ends", async () => {
    const endless = new Readable({ read() {} });
    endless.push(Buffer.from("partial"));
    const ac = new AbortController();
    const p = client.encryptStream(endless, { signal: ac.signal });
    ac.abort(new Error("enough"));
    const e = await caught(p);
    expect(e.code).toBe("aborted");
    expect(e.message).toBe("nexus: cipher.encrypt was aborted while reading its input");
    expect(endless.destroyed).toBe(true);
    expect(nexus.seen).toHaveLength(0);
  });

  it("an input stream that fails is invalid_input with the cause", async () => {
    const broken = new Readable({
      read() {
        this.destroy(new Error("disk gone"));
      },
    });
    const e = await caught(client.encryptStream(broken));
    expect(e.code).toBe("invalid_input");
    expect((e.cause as Error).message).toBe("disk gone");
  });

  it("refuses input of the wrong type", async () => {
    expect((await caught(client.encryptStream(42 as never))).message).toBe(
      "nexus: cipher input must be a Uint8Array, a string, a Readable or an async iterable of bytes",
    );
  });
});
