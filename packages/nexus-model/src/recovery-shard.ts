import { NexusModelError } from "./errors.js";

/** The length of one Shamir recovery shard. */
export const SHARD_BYTES = 32;
/** The default `SPIKE_NEXUS_SHAMIR_MAX_SHARE_COUNT`: the highest index restore accepts. */
export const DEFAULT_MAX_SHARD_INDEX = 1000;

/**
 * Checks a shard as a restore request carries it: exactly 32 integers 0–255,
 * not all zero. Throws `NexusModelError` (`shard_invalid`); the message never
 * includes the shard bytes.
 */
export function assertShard(shard: ArrayLike<number>): void {
  if (shard.length !== SHARD_BYTES) {
    throw new NexusModelError("shard_invalid", `nexus-model: a recovery shard has ${SHARD_BYTES} bytes, got ${shard.length}`);
  }
  let any = false;
  for (let i = 0; i < shard.length; i++) {
    const b = shard[i] as number;
    if (!Number.isInteger(b) || b < 0 || b > 255) {
      throw new NexusModelError("shard_invalid", `nexus-model: recovery shard byte ${i} is not an integer 0-255`);
    }
    if (b !== 0) any = true;
  }
  if (!any) throw new NexusModelError("shard_invalid", "nexus-model: recovery shard is all zero; nexus refuses it");
}

/** Checks a shard index for restore: an integer 1..`max` (default 1000). */
export function assertShardIndex(index: number, max = DEFAULT_MAX_SHARD_INDEX): void {
  if (!Number.isInteger(index) || index < 1 || index > max) {
    throw new NexusModelError("shard_invalid", `nexus-model: shard index ${index} is outside 1..${max}`);
  }
}

/** A recovery shard with its index, as Pilot writes it to `spike.recovery.<i>.txt`. */
export interface RecoveryShard {
  readonly index: number;
  readonly shard: Uint8Array;
}

/** Formats a shard as Pilot's `spike:<index>:<64 hex chars>` text. */
export function formatRecoveryShard(s: RecoveryShard): string {
  assertShardIndex(s.index, Number.MAX_SAFE_INTEGER);
  assertShard(s.shard);
  let hex = "";
  for (const b of s.shard) hex += b.toString(16).padStart(2, "0");
  return `spike:${s.index}:${hex}`;
}

/** Parses Pilot's `spike:<index>:<64 hex chars>` text (surrounding whitespace allowed). */
export function parseRecoveryShard(text: string): RecoveryShard {
  const m = /^spike:([1-9]\d{0,8}):([0-9a-fA-F]{64})$/.exec(text.trim());
  if (!m) {
    throw new NexusModelError("shard_invalid", "nexus-model: recovery shard text must look like spike:<index>:<64 hex characters>");
  }
  const shard = new Uint8Array(SHARD_BYTES);
  const hex = m[2] as string;
  for (let i = 0; i < SHARD_BYTES; i++) shard[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  assertShard(shard);
  return { index: Number(m[1]), shard };
}
