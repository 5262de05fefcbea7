import { NexusModelError } from "./errors.js";

/** The cipher format version byte. */
export const CIPHER_VERSION = 0x01;
/** The AES-GCM nonce length. */
export const CIPHER_NONCE_BYTES = 12;
/** The AES-GCM tag length, included at the end of every ciphertext. */
export const CIPHER_TAG_BYTES = 16;
/**
 * The default `SPIKE_NEXUS_CRYPTO_MAX_CIPHERTEXT_SIZE`. QUIRK: encrypt applies it
 * to the plaintext and decrypt to the ciphertext (tag included), so plaintexts
 * of 65521–65536 bytes encrypt but cannot be decrypted.
 */
export const DEFAULT_MAX_CIPHER_BYTES = 65536;
/** The largest plaintext that can round-trip with the default limit. */
export const MAX_ROUND_TRIP_PLAINTEXT_BYTES = DEFAULT_MAX_CIPHER_BYTES - CIPHER_TAG_BYTES;

/** The parts of a streaming-mode blob: `version ‖ nonce (12) ‖ ciphertext‖tag`. */
export interface CipherBlob {
  readonly version: number;
  readonly nonce: Uint8Array;
  readonly ciphertext: Uint8Array;
}

/** Splits a streaming-mode blob. Throws `NexusModelError` (`cipher_blob_invalid`). */
export function parseCipherBlob(blob: Uint8Array): CipherBlob {
  if (blob.length < 1 + CIPHER_NONCE_BYTES) {
    throw new NexusModelError(
      "cipher_blob_invalid",
      `nexus-model: cipher blob is ${blob.length} bytes; it needs at least ${1 + CIPHER_NONCE_BYTES} (version and nonce)`,
    );
  }
  const version = blob[0] as number;
  if (version !== CIPHER_VERSION) {
    throw new NexusModelError("cipher_blob_invalid", `nexus-model: cipher blob version ${version} is not supported; only 1 is`);
  }
  return {
    version,
    nonce: blob.subarray(1, 1 + CIPHER_NONCE_BYTES),
    ciphertext: blob.subarray(1 + CIPHER_NONCE_BYTES),
  };
}

/** Joins the parts into a streaming-mode blob. Throws `NexusModelError` for a bad version or nonce. */
export function formatCipherBlob(parts: CipherBlob): Uint8Array {
  if (!Number.isInteger(parts.version) || parts.version < 0 || parts.version > 255) {
    throw new NexusModelError("cipher_blob_invalid", `nexus-model: cipher version ${parts.version} is not a byte`);
  }
  if (parts.nonce.length !== CIPHER_NONCE_BYTES) {
    throw new NexusModelError("cipher_blob_invalid", `nexus-model: cipher nonce is ${parts.nonce.length} bytes; it must be ${CIPHER_NONCE_BYTES}`);
  }
  const out = new Uint8Array(1 + CIPHER_NONCE_BYTES + parts.ciphertext.length);
  out[0] = parts.version;
  out.set(parts.nonce, 1);
  out.set(parts.ciphertext, 1 + CIPHER_NONCE_BYTES);
  return out;
}

/** Reads `SPIKE_NEXUS_CRYPTO_MAX_CIPHERTEXT_SIZE`: a positive integer, else 65536. */
export function parseMaxCipherBytes(value: string | undefined): number {
  if (value === undefined || !/^\d+$/.test(value.trim())) return DEFAULT_MAX_CIPHER_BYTES;
  const n = Number(value.trim());
  return Number.isSafeInteger(n) && n > 0 ? n : DEFAULT_MAX_CIPHER_BYTES;
}
