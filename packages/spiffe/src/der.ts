import { SpiffeError } from "./errors.js";

/**
 * Splits concatenated DER certificates (as sent on the Workload API) into one DER buffer per
 * certificate. Each item must be a definite-length `SEQUENCE`; a wrong tag, an indefinite or
 * overlong length, or leftover bytes throw {@link SpiffeError} `der_malformed`. Empty input
 * gives `[]`. (Node's `X509Certificate` silently reads only the first certificate.)
 *
 * @example
 * ```ts
 * const [leaf, ...intermediates] = splitDer(response.x509Svid);
 * ```
 */
export function splitDer(concatenated: Uint8Array): Uint8Array[] {
  if (!(concatenated instanceof Uint8Array)) {
    throw new SpiffeError("der_malformed", "der input must be a Uint8Array");
  }
  const out: Uint8Array[] = [];
  let off = 0;
  const n = concatenated.length;
  while (off < n) {
    const start = off;
    if (concatenated[off] !== 0x30) {
      throw new SpiffeError(
        "der_malformed",
        `der item at byte ${start} is not a SEQUENCE (tag 0x${(concatenated[off] ?? 0).toString(16).padStart(2, "0")})`,
      );
    }
    off++;
    if (off >= n) throw new SpiffeError("der_malformed", `der item at byte ${start} is truncated (no length)`);
    const first = concatenated[off] as number;
    off++;
    let len: number;
    if (first < 0x80) {
      len = first;
    } else if (first === 0x80) {
      throw new SpiffeError("der_malformed", `der item at byte ${start} uses an indefinite length`);
    } else {
      const k = first & 0x7f;
      if (k > 4) throw new SpiffeError("der_malformed", `der item at byte ${start} has a ${k}-byte length`);
      if (off + k > n) throw new SpiffeError("der_malformed", `der item at byte ${start} is truncated (length)`);
      len = 0;
      for (let i = 0; i < k; i++) len = len * 256 + (concatenated[off + i] as number);
      off += k;
      if (concatenated[off - k] === 0 || len < 0x80) {
        throw new SpiffeError("der_malformed", `der item at byte ${start} has a non-minimal length`);
      }
    }
    if (off + len > n) {
      throw new SpiffeError("der_malformed", `der item at byte ${start} is truncated (wants ${len} bytes, has ${n - off})`);
    }
    off += len;
    out.push(concatenated.slice(start, off));
  }
  return out;
}

/** Concatenates DER buffers. */
export function concatDer(items: readonly Uint8Array[]): Uint8Array {
  const total = items.reduce((a, b) => a + b.length, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const item of items) {
    out.set(item, off);
    off += item.length;
  }
  return out;
}

/** Wraps DER in a PEM block with the given label. */
export function derToPem(der: Uint8Array, label: string): string {
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString("base64");
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

const BEGIN = "-----BEGIN ";
const DASHES = "-----";
const isLabelChar = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x20;

/**
 * Finds the PEM blocks of `pem` (`-----BEGIN L-----` ... the first `-----END L-----`), in order.
 * A linear scan: a label known to have no END left is never searched for again, so input full of
 * unterminated BEGIN lines costs O(n), not O(n^2) as a backtracking regex would.
 */
function pemBlocks(pem: string): Array<{ label: string; body: string }> {
  const out: Array<{ label: string; body: string }> = [];
  const unterminated = new Set<string>();
  let pos = 0;
  for (;;) {
    const begin = pem.indexOf(BEGIN, pos);
    if (begin < 0) return out;
    let i = begin + BEGIN.length;
    while (i < pem.length && isLabelChar(pem.charCodeAt(i))) i++;
    const label = pem.slice(begin + BEGIN.length, i);
    if (label.length === 0 || !pem.startsWith(DASHES, i) || unterminated.has(label)) {
      pos = begin + 1;
      continue;
    }
    const bodyStart = i + DASHES.length;
    const endMarker = `-----END ${label}-----`;
    const end = pem.indexOf(endMarker, bodyStart);
    if (end < 0) {
      unterminated.add(label);
      pos = begin + 1;
      continue;
    }
    out.push({ label, body: pem.slice(bodyStart, end) });
    pos = end + endMarker.length;
  }
}

/** Reads every PEM block of `pem` with the given label (others are skipped) as DER. */
export function pemToDer(pem: string, label: string): Uint8Array[] {
  if (typeof pem !== "string") throw new SpiffeError("der_malformed", "pem input must be a string");
  const out: Uint8Array[] = [];
  for (const block of pemBlocks(pem)) {
    if (block.label !== label) continue;
    const body = block.body.replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0) {
      throw new SpiffeError("der_malformed", `pem block ${label} is not valid base64`);
    }
    out.push(new Uint8Array(Buffer.from(body, "base64")));
  }
  return out;
}

/** Byte equality of two buffers. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
