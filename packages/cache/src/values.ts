/**
 * Freezes plain objects and arrays, deeply, so callers that share one cached value cannot change
 * it for each other. Other objects (class instances, typed arrays, maps) are left as they are.
 */
export function freezePlain<V>(value: V): V {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  const proto: unknown = Object.getPrototypeOf(value);
  const isArray = Array.isArray(value);
  if (!isArray && proto !== Object.prototype && proto !== null) return value;
  Object.freeze(value);
  for (const item of isArray ? (value as unknown[]) : Object.values(value as object)) freezePlain(item);
  return value;
}

/**
 * Structural equality for the plain data secrets are made of (primitives, plain objects,
 * arrays); anything else is compared by identity (SameValueZero).
 */
export function plainEqual(a: unknown, b: unknown): boolean {
  // SameValueZero, as JSON has it: 0 equals -0, NaN equals NaN.
  if (a === b || (a !== a && b !== b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!plainEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const pa: unknown = Object.getPrototypeOf(a);
  const pb: unknown = Object.getPrototypeOf(b);
  if ((pa !== Object.prototype && pa !== null) || (pb !== Object.prototype && pb !== null)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!plainEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/**
 * A canonical text form of plain data (primitives, plain objects with sorted keys, arrays), used
 * only as HMAC input for change fingerprints; `undefined` for anything else (class instances,
 * functions, symbols, bigints), which then has no fingerprint.
 */
export function canonicalPlain(value: unknown): string | undefined {
  const parts: string[] = [];
  return write(value, parts, 0) ? parts.join("") : undefined;
}

function write(value: unknown, out: string[], depth: number): boolean {
  if (depth > 64) return false;
  if (value === null || typeof value === "boolean" || typeof value === "string") {
    out.push(JSON.stringify(value));
    return true;
  }
  if (typeof value === "number") {
    out.push(Number.isNaN(value) ? "NaN" : Object.is(value, -0) ? "0" : String(value));
    return true;
  }
  if (value === undefined) {
    out.push("u");
    return true;
  }
  if (typeof value !== "object") return false;
  if (Array.isArray(value)) {
    out.push("[");
    for (const item of value) {
      if (!write(item, out, depth + 1)) return false;
      out.push(",");
    }
    out.push("]");
    return true;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  out.push("{");
  for (const key of Object.keys(value).sort()) {
    out.push(JSON.stringify(key), ":");
    if (!write((value as Record<string, unknown>)[key], out, depth + 1)) return false;
    out.push(",");
  }
  out.push("}");
  return true;
}
