// AES-256-GCM as Nexus uses it (spec §1.5.11-12): 12-byte nonce, 16-byte tag, no AAD,
// blob format `0x01 | nonce | ciphertext+tag`.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/** The cipher blob format version Nexus writes and accepts. */
export const CIPHER_FORMAT_VERSION = 0x01;
/** GCM nonce length in bytes. */
export const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** A root-key cipher: seal and open AES-256-GCM boxes. */
export interface NexusCipher {
  /** Encrypts `plaintext` with a fresh random nonce. */
  seal(plaintext: Uint8Array): { nonce: Uint8Array; ciphertext: Uint8Array };
  /** Decrypts, or returns `undefined` when the box does not open. */
  open(nonce: Uint8Array, ciphertext: Uint8Array): Uint8Array | undefined;
}

/** Makes a cipher over a 32-byte key (random when omitted, as Nexus does in memory mode). */
export function createNexusCipher(key: Uint8Array = randomBytes(32)): NexusCipher {
  if (key.length !== 32) throw new RangeError("nexus-dev: the cipher key must be 32 bytes");
  const k = Buffer.from(key);
  return {
    seal(plaintext) {
      const nonce = randomBytes(NONCE_BYTES);
      const c = createCipheriv("aes-256-gcm", k, nonce);
      const body = Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
      return { nonce: new Uint8Array(nonce), ciphertext: new Uint8Array(body) };
    },
    open(nonce, ciphertext) {
      if (nonce.length !== NONCE_BYTES || ciphertext.length < TAG_BYTES) return undefined;
      try {
        const d = createDecipheriv("aes-256-gcm", k, nonce);
        d.setAuthTag(ciphertext.subarray(ciphertext.length - TAG_BYTES));
        const out = Buffer.concat([d.update(ciphertext.subarray(0, ciphertext.length - TAG_BYTES)), d.final()]);
        return new Uint8Array(out);
      } catch {
        return undefined;
      }
    },
  };
}
