// Cipher endpoints, both modes (spec §1.5.11-12).
import { describe, expect, it } from "vitest";
import { type ConformanceContext, re2Escape } from "./target.js";

const ENC = "/v1/cipher/encrypt";
const DEC = "/v1/cipher/decrypt";
const OCTETS = "application/octet-stream";

export function defineCipherCases(ctx: () => ConformanceContext): void {
  describe("cipher", () => {
    it("JSON mode: version 1, a 12-byte nonce, ciphertext = plaintext + 16, and back; empty plaintext decrypts to null", async () => {
      const { pilot } = ctx();
      const enc = await pilot.send(ENC, { plaintext: Buffer.from("hello").toString("base64"), algorithm: "ignored" });
      expect(enc.status).toBe(200);
      const body = JSON.parse(enc.text) as { version: number; nonce: string; ciphertext: string };
      expect(Object.keys(body)).toEqual(["version", "nonce", "ciphertext"]);
      expect(body.version).toBe(1);
      expect(Buffer.from(body.nonce, "base64")).toHaveLength(12);
      expect(Buffer.from(body.ciphertext, "base64")).toHaveLength(21);
      expect((await pilot.send(DEC, body)).text).toBe(`{"plaintext":"${Buffer.from("hello").toString("base64")}"}`);
      const empty = JSON.parse((await pilot.send(ENC, {})).text) as object;
      expect((await pilot.send(DEC, empty)).text).toBe('{"plaintext":null}');
    });

    it("nexus-client round-trips both modes", async () => {
      const { pilot } = ctx();
      const data = await pilot.client.encrypt(new Uint8Array([0, 1, 2, 255]));
      expect([...(await pilot.client.decrypt(data))]).toEqual([0, 1, 2, 255]);
      const blob = await pilot.client.encryptStream(new TextEncoder().encode("stream me"));
      expect(blob[0]).toBe(1);
      expect(Buffer.from(await pilot.client.decryptStream(blob)).toString()).toBe("stream me");
    });

    it("JSON mode refuses bad versions, nonces, sizes with 400 and a failed open with 500", async () => {
      const { pilot } = ctx();
      const { nonce, ciphertext } = JSON.parse((await pilot.send(ENC, { plaintext: "aGk=" })).text) as { nonce: string; ciphertext: string };
      expect((await pilot.send(DEC, { version: 2, nonce, ciphertext })).status).toBe(400);
      expect((await pilot.send(DEC, { version: 256, nonce, ciphertext })).status).toBe(400);
      expect((await pilot.send(DEC, { version: 1, nonce: "AAAA", ciphertext })).status).toBe(400);
      expect((await pilot.send(DEC, { version: 1, nonce, ciphertext: Buffer.alloc(65537).toString("base64") })).status).toBe(400);
      expect((await pilot.send(ENC, { plaintext: "not base64" })).status).toBe(400);
      expect((await pilot.send(ENC, { plaintext: Buffer.alloc(65537).toString("base64") })).status).toBe(400);
      const tampered = Buffer.from(ciphertext, "base64");
      tampered[0] = (tampered[0] ?? 0) ^ 1;
      expect((await pilot.send(DEC, { version: 1, nonce, ciphertext: tampered.toString("base64") })).text).toBe('{"err":"api_internal_error"}');
    });

    it("streaming mode: binary blob 0x01|nonce|ct, no cache headers, plain-text stream errors", async () => {
      const { pilot } = ctx();
      const enc = await pilot.send(ENC, "hello", { contentType: OCTETS });
      expect(enc.status).toBe(200);
      expect(enc.headers["content-type"]).toBe(OCTETS);
      expect(enc.headers["cache-control"]).toBeUndefined();
      expect(enc.bytes[0]).toBe(1);
      expect(enc.bytes.length).toBe(1 + 12 + 5 + 16);
      const dec = await pilot.send(DEC, new Uint8Array(enc.bytes), { contentType: OCTETS });
      expect([dec.status, dec.text, dec.headers["content-type"]]).toEqual([200, "hello", OCTETS]);
      const tampered = Buffer.from(enc.bytes);
      tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
      for (const [blob, text] of [
        [Buffer.alloc(0), "crypto_failed_to_read_version\n"],
        [Buffer.of(2, 1, 2), "crypto_unsupported_version\n"],
        [Buffer.of(1, 1, 2), "crypto_failed_to_read_nonce\n"],
        [tampered, "decryption failed\n"],
      ] as const) {
        const a = await pilot.send(DEC, new Uint8Array(blob), { contentType: OCTETS });
        expect([a.status, a.text]).toEqual([400, text]);
        expect(a.headers["content-type"]).toBe("text/plain; charset=utf-8");
        expect(a.headers["x-content-type-options"]).toBe("nosniff");
      }
      // only the exact value selects streaming: this is parsed as JSON and fails
      expect((await pilot.send(ENC, "hello", { contentType: `${OCTETS}; x=y` })).status).toBe(400);
    });

    it("QUIRK §1.5.11: a 65536-byte plaintext encrypts but cannot be decrypted; 65520 bytes round-trip", async () => {
      const { pilot } = ctx();
      const max = await pilot.send(ENC, new Uint8Array(65536), { contentType: OCTETS });
      expect(max.status).toBe(200);
      expect((await pilot.send(DEC, new Uint8Array(max.bytes), { contentType: OCTETS })).text).toBe('{"err":"api_bad_request"}');
      expect((await pilot.send(ENC, new Uint8Array(65537), { contentType: OCTETS })).text).toBe('{"err":"api_bad_request"}');
      const fits = await pilot.send(ENC, new Uint8Array(65520).fill(7), { contentType: OCTETS });
      const back = await pilot.send(DEC, new Uint8Array(fits.bytes), { contentType: OCTETS });
      expect(back.status).toBe(200);
      expect(back.bytes.equals(Buffer.alloc(65520, 7))).toBe(true);
    });

    it("needs execute on spike/system/cipher/exec for workloads, with JSON 401 in both modes", async () => {
      const { workload, pilot, names } = ctx();
      expect((await workload.send(ENC, "x", { contentType: OCTETS })).text).toBe('{"err":"access_unauthorized"}');
      expect((await workload.send(DEC, "{not json")).status).toBe(401); // JSON decrypt authorizes before parsing
      const name = `${names}exec`;
      try {
        expect((await pilot.send("/v1/acl/policy", { name, spiffeidPattern: `^${re2Escape(workload.id)}$`, pathPattern: "^spike/system/cipher/exec$", permissions: ["execute"] })).status).toBe(200);
        const data = await workload.client.encrypt("for the workload");
        expect(Buffer.from(await workload.client.decrypt(data)).toString()).toBe("for the workload");
      } finally {
        await pilot.send("/v1/acl/policy?action=delete", { id: name });
      }
    });
  });
}
