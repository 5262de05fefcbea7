import { quote } from "./bytes.js";
import { NexusModelError } from "./errors.js";

/** Go's zero `time.Time` as JSON: the value of an unset time field. */
export const GO_ZERO_TIME = "0001-01-01T00:00:00Z";

const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

/**
 * Parses a Go RFC 3339 time (up to nanosecond fractions, any offset) into a
 * `Date` (millisecond precision: extra digits are truncated). Throws
 * `NexusModelError` (`time_invalid`).
 */
export function parseGoTime(text: string): Date {
  const m = rfc3339.exec(text);
  if (!m) throw new NexusModelError("time_invalid", `nexus-model: ${quote(text)} is not an rfc 3339 time`);
  const [, y, mo, d, h, mi, s, frac, z, sign, oh, om] = m;
  const ms = frac ? Number(frac.padEnd(3, "0").slice(0, 3)) : 0;
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (Number(y) < 100) {
    const date = new Date(t);
    date.setUTCFullYear(Number(y));
    t = date.getTime();
  }
  if (!z) {
    const offset = (Number(oh) * 60 + Number(om)) * 60_000;
    t += sign === "+" ? -offset : offset;
  }
  const out = new Date(t);
  if (Number.isNaN(out.getTime()) || Number(mo) > 12 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) {
    throw new NexusModelError("time_invalid", `nexus-model: ${quote(text)} is not a valid time`);
  }
  return out;
}

/** Whether `text` is Go's zero time (an unset field). */
export function isGoZeroTime(text: string): boolean {
  try {
    const d = parseGoTime(text);
    return d.getUTCFullYear() === 1 && d.getUTCMonth() === 0 && d.getUTCDate() === 1 && d.getUTCHours() === 0 && d.getUTCMinutes() === 0 && d.getUTCSeconds() === 0;
  } catch {
    return false;
  }
}

/**
 * Formats a `Date` as Go marshals a UTC `time.Time`: RFC 3339 with the fraction's
 * trailing zeros removed, e.g. `2026-07-25T10:00:00.5Z`.
 */
export function formatGoTime(date: Date): string {
  const iso = date.toISOString(); // 2026-07-25T10:00:00.500Z
  return iso.replace(/\.(\d{3})Z$/, (_m, f: string) => {
    const trimmed = f.replace(/0+$/, "");
    return trimmed === "" ? "Z" : `.${trimmed}Z`;
  });
}
