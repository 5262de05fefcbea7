import { quote } from "./bytes.js";
import { NexusModelError } from "./errors.js";

/** Go's zero `time.Time` as JSON: the value of an unset time field. */
export const GO_ZERO_TIME = "0001-01-01T00:00:00Z";

const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

/**
 * Parses a Go RFC 3339 time (up to nanosecond fractions, any offset) into a
 * `Date` (millisecond precision: extra digits are truncated). Every field must be
 * in range as Go's `time.Parse` demands (no 2026-02-30, no second 60, offset hour
 * at most 23); the separator may be `T`, `t` or a space. Throws
 * `NexusModelError` (`time_invalid`).
 */
export function parseGoTime(text: string): Date {
  const m = rfc3339.exec(text);
  if (!m) throw new NexusModelError("time_invalid", `nexus-model: ${quote(text)} is not an rfc 3339 time`);
  const [, y, mo, d, h, mi, s, frac, z, sign, oh, om] = m;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  const invalid = (): never => {
    throw new NexusModelError("time_invalid", `nexus-model: ${quote(text)} is not a valid time`);
  };
  // Every field in range, as Go's time.Parse demands (Date.UTC would silently roll
  // 2026-02-31 over to March, and take month 0 or day 0 as the previous month or day).
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) invalid();
  if (!z && (Number(oh) > 23 || Number(om) > 59)) invalid();
  const ms = frac ? Number(frac.padEnd(3, "0").slice(0, 3)) : 0;
  const wall = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, ms));
  wall.setUTCFullYear(year);
  if (wall.getUTCMonth() !== month - 1 || wall.getUTCDate() !== day) invalid(); // day past the month's end
  let t = wall.getTime();
  if (!z) {
    const offset = (Number(oh) * 60 + Number(om)) * 60_000;
    t += sign === "+" ? -offset : offset;
  }
  const out = new Date(t);
  if (Number.isNaN(out.getTime())) invalid();
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
