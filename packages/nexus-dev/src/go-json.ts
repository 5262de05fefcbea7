// A JSON reader and writer that behave like Go's encoding/json where SPIKE Nexus
// depends on it (spec §1.6): keys match a struct field without regard to case, the
// last duplicate wins in document order, `null` leaves scalars alone and clears maps
// and slices, integers must be integer literals in range, and []byte is strict
// standard base64. JSON.parse loses the literal text of numbers and the order of
// case-variant duplicates, so this module keeps its own small parser.

/** A parsed JSON value that keeps number literals and object entries in document order. */
export type GoJsonValue =
  | { readonly kind: "null" }
  | { readonly kind: "bool"; readonly value: boolean }
  | { readonly kind: "number"; readonly text: string }
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "array"; readonly items: readonly GoJsonValue[] }
  | { readonly kind: "object"; readonly entries: ReadonlyArray<readonly [string, GoJsonValue]> };

/** Thrown for text that is not JSON, or JSON that does not fit the target struct. */
export class GoJsonError extends Error {
  override name = "GoJsonError";
}

const NULL: GoJsonValue = { kind: "null" };
const utf8 = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/** Parses a request body as Go's json.Unmarshal would accept it. */
export function parseGoJson(body: Uint8Array | string): GoJsonValue {
  const text = typeof body === "string" ? body : utf8.decode(body);
  const p = new Parser(text);
  p.ws();
  const v = p.value(0);
  p.ws();
  if (p.i !== text.length) throw new GoJsonError("invalid character after top-level value");
  return v;
}

const MAX_DEPTH = 10_000; // Go's decoder limit
const special = /["\\\u0000-\u001f]/g;

/** An open container while parsing. */
type Frame =
  | { readonly kind: "object"; readonly entries: Array<[string, GoJsonValue]>; key: string }
  | { readonly kind: "array"; readonly items: GoJsonValue[] };

class Parser {
  i = 0;
  constructor(readonly s: string) {}

  ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.i++;
      else break;
    }
  }

  fail(what: string): never {
    throw new GoJsonError(`invalid json: ${what} at offset ${this.i}`);
  }

  /**
   * One JSON value. Iterative, with an explicit stack of open containers: a recursive descent
   * ran out of JS stack near 5000 levels (RangeError, answered 500) while Go's decoder accepts
   * 10000 and refuses deeper input as bad JSON (400).
   */
  value(depth: number): GoJsonValue {
    const stack: Frame[] = [];
    for (;;) {
      if (depth + stack.length > MAX_DEPTH) this.fail("nesting too deep");
      const s = this.s;
      const c = s.charCodeAt(this.i);
      let v: GoJsonValue;
      if (c === 0x7b) {
        this.i++;
        this.ws();
        if (this.s.charCodeAt(this.i) === 0x7d) {
          this.i++;
          v = { kind: "object", entries: [] };
        } else {
          stack.push({ kind: "object", entries: [], key: this.key() });
          continue;
        }
      } else if (c === 0x5b) {
        this.i++;
        this.ws();
        if (this.s.charCodeAt(this.i) === 0x5d) {
          this.i++;
          v = { kind: "array", items: [] };
        } else {
          stack.push({ kind: "array", items: [] });
          this.ws();
          continue;
        }
      } else if (c === 0x22) v = { kind: "string", value: this.string() };
      else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) v = this.number();
      else if (s.startsWith("true", this.i)) { this.i += 4; v = { kind: "bool", value: true }; }
      else if (s.startsWith("false", this.i)) { this.i += 5; v = { kind: "bool", value: false }; }
      else if (s.startsWith("null", this.i)) { this.i += 4; v = NULL; }
      else return this.fail(this.i >= s.length ? "unexpected end" : "unexpected character");
      // a complete value: hand it to the open containers, closing those that end here
      for (;;) {
        const top = stack.at(-1);
        if (!top) return v;
        if (top.kind === "object") top.entries.push([top.key, v]);
        else top.items.push(v);
        this.ws();
        const next = this.s.charCodeAt(this.i);
        if (next === 0x2c) {
          this.i++;
          this.ws();
          if (top.kind === "object") top.key = this.key();
          break;
        }
        if (next === (top.kind === "object" ? 0x7d : 0x5d)) {
          this.i++;
          stack.pop();
          v = top.kind === "object" ? { kind: "object", entries: top.entries } : { kind: "array", items: top.items };
          continue;
        }
        this.fail(top.kind === "object" ? "expected ',' or '}'" : "expected ',' or ']'");
      }
    }
  }

  /** An object key and its ':', leaving the position at the value. */
  key(): string {
    this.ws();
    if (this.s.charCodeAt(this.i) !== 0x22) this.fail("expected object key");
    const key = this.string();
    this.ws();
    if (this.s.charCodeAt(this.i) !== 0x3a) this.fail("expected ':'");
    this.i++;
    this.ws();
    return key;
  }

  number(): GoJsonValue {
    const m = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
    m.lastIndex = this.i;
    const r = m.exec(this.s);
    if (!r || r[0] === "-") this.fail("invalid number");
    this.i += r[0].length;
    return { kind: "number", text: r[0] };
  }

  string(): string {
    const s = this.s;
    let i = this.i + 1;
    let out = "";
    let start = i;
    for (;;) {
      // jump to the next quote, backslash or control character (native scan, fast on large values)
      special.lastIndex = i;
      const hit = special.exec(s);
      i = hit ? hit.index : s.length;
      if (i >= s.length) { this.i = i; this.fail("unterminated string"); }
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        out += s.slice(start, i);
        this.i = i + 1;
        return out;
      }
      if (c < 0x20) { this.i = i; this.fail("control character in string"); }
      if (c === 0x5c) {
        out += s.slice(start, i);
        const e = s.charCodeAt(i + 1);
        switch (e) {
          case 0x22: out += '"'; i += 2; break;
          case 0x5c: out += "\\"; i += 2; break;
          case 0x2f: out += "/"; i += 2; break;
          case 0x62: out += "\b"; i += 2; break;
          case 0x66: out += "\f"; i += 2; break;
          case 0x6e: out += "\n"; i += 2; break;
          case 0x72: out += "\r"; i += 2; break;
          case 0x74: out += "\t"; i += 2; break;
          case 0x75: {
            const u = hex4(s, i + 2);
            if (u < 0) { this.i = i; this.fail("invalid \\u escape"); }
            i += 6;
            if (u >= 0xd800 && u < 0xdc00) {
              // a high surrogate must be followed by an escaped low one, else U+FFFD (as Go)
              const lo = s.charCodeAt(i) === 0x5c && s.charCodeAt(i + 1) === 0x75 ? hex4(s, i + 2) : -1;
              if (lo >= 0xdc00 && lo < 0xe000) { out += String.fromCharCode(u, lo); i += 6; }
              else out += "\ufffd";
            } else if (u >= 0xdc00 && u < 0xe000) {
              out += "\ufffd";
            } else {
              out += String.fromCharCode(u);
            }
            break;
          }
          default:
            this.i = i;
            this.fail("invalid escape");
        }
        start = i;
        continue;
      }
      i++;
    }
  }
}

function hex4(s: string, at: number): number {
  if (at + 4 > s.length) return -1;
  const h = s.slice(at, at + 4);
  return /^[0-9a-fA-F]{4}$/.test(h) ? Number.parseInt(h, 16) : -1;
}

/** The Go field types that Nexus request structs use. */
export type GoFieldType =
  | "string"
  | "int"
  | "uint8"
  | "bytes"
  | "stringMap"
  | "intArray"
  | "stringArray";

type FieldValue<T extends GoFieldType> = T extends "string"
  ? string
  : T extends "int" | "uint8"
    ? number
    : T extends "bytes"
      ? Uint8Array | null
      : T extends "stringMap"
        ? Record<string, string> | null
        : T extends "intArray"
          ? number[] | null
          : T extends "stringArray"
            ? string[] | null
            : never;

/** A decoded struct: each field holds Go's zero value unless the JSON set it. */
export type GoStruct<S extends Record<string, GoFieldType>> = { [K in keyof S]: FieldValue<S[K]> };

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Go's key folding for struct field matching (ASCII lower case, plus the two Unicode folds that reach ASCII). */
function fold(key: string): string {
  let out = "";
  for (const ch of key) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x80) out += ch.toLowerCase();
    else if (cp === 0x212a) out += "k"; // KELVIN SIGN
    else if (cp === 0x017f) out += "s"; // LATIN SMALL LETTER LONG S
    else out += ch;
  }
  return out;
}

function zero(t: GoFieldType): unknown {
  switch (t) {
    case "string": return "";
    case "int":
    case "uint8": return 0;
    default: return null;
  }
}

function decodeInt(v: GoJsonValue, min: bigint, max: bigint, what: string): number {
  if (v.kind !== "number" || !/^-?[0-9]+$/.test(v.text)) throw new GoJsonError(`cannot unmarshal into ${what}`);
  const n = BigInt(v.text);
  if (n < min || n > max) throw new GoJsonError(`number out of range for ${what}`);
  return Number(n);
}

function decodeString(v: GoJsonValue): string {
  if (v.kind !== "string") throw new GoJsonError("cannot unmarshal into string");
  return v.value;
}

const base64Std = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Go's base64.StdEncoding.DecodeString (padding required; CR and LF are skipped). */
export function decodeGoBase64(text: string): Uint8Array {
  const clean = text.replace(/[\r\n]/g, "");
  if (!base64Std.test(clean)) throw new GoJsonError("illegal base64 data");
  return new Uint8Array(Buffer.from(clean, "base64"));
}

function decodeField(t: GoFieldType, v: GoJsonValue, current: unknown): unknown {
  if (v.kind === "null") {
    // Go: null clears maps and slices, leaves everything else as it was.
    return t === "stringMap" || t === "intArray" || t === "stringArray" || t === "bytes" ? null : current;
  }
  switch (t) {
    case "string":
      return decodeString(v);
    case "int":
      return decodeInt(v, INT64_MIN, INT64_MAX, "int");
    case "uint8":
      return decodeInt(v, 0n, 255n, "uint8");
    case "bytes":
      if (v.kind === "string") return decodeGoBase64(v.value);
      if (v.kind === "array") return new Uint8Array(v.items.map((x) => (x.kind === "null" ? 0 : decodeInt(x, 0n, 255n, "uint8"))));
      throw new GoJsonError("cannot unmarshal into []byte");
    case "stringMap": {
      if (v.kind !== "object") throw new GoJsonError("cannot unmarshal into map[string]string");
      // Go merges into an existing map on a repeated key; the last duplicate wins.
      const out: Record<string, string> = current && typeof current === "object" ? { ...(current as Record<string, string>) } : {};
      for (const [k, x] of v.entries) {
        if (k === "__proto__") Object.defineProperty(out, k, { value: x.kind === "null" ? "" : decodeString(x), enumerable: true, writable: true, configurable: true });
        else out[k] = x.kind === "null" ? "" : decodeString(x);
      }
      return out;
    }
    case "intArray":
      if (v.kind !== "array") throw new GoJsonError("cannot unmarshal into []int");
      return v.items.map((x) => (x.kind === "null" ? 0 : decodeInt(x, INT64_MIN, INT64_MAX, "int")));
    case "stringArray":
      if (v.kind !== "array") throw new GoJsonError("cannot unmarshal into []string");
      return v.items.map((x) => (x.kind === "null" ? "" : decodeString(x)));
  }
}

/**
 * Decodes `value` into a struct with `schema`'s fields, as Go's json.Unmarshal would
 * (top-level `null` gives the zero struct; unknown keys are ignored).
 */
export function decodeGoStruct<S extends Record<string, GoFieldType>>(value: GoJsonValue, schema: S): GoStruct<S> {
  const out: Record<string, unknown> = {};
  const byExact = new Map<string, string>();
  const byFold = new Map<string, string>();
  for (const [name, t] of Object.entries(schema)) {
    out[name] = zero(t);
    byExact.set(name, name);
    if (!byFold.has(fold(name))) byFold.set(fold(name), name);
  }
  if (value.kind === "null") return out as GoStruct<S>;
  if (value.kind !== "object") throw new GoJsonError("cannot unmarshal into a struct");
  for (const [key, v] of value.entries) {
    const field = byExact.get(key) ?? byFold.get(fold(key));
    if (field === undefined) continue;
    out[field] = decodeField(schema[field] as GoFieldType, v, out[field]);
  }
  return out as GoStruct<S>;
}

/** Parses `body` and decodes it into `schema`; throws {@link GoJsonError} on any failure. */
export function unmarshalGo<S extends Record<string, GoFieldType>>(body: Uint8Array | string, schema: S): GoStruct<S> {
  return decodeGoStruct(parseGoJson(body), schema);
}

/** A JSON object whose entries keep an explicit order (JS objects put integer-like keys first). */
export class GoMap {
  constructor(readonly entries: ReadonlyArray<readonly [string, unknown]>) {}
}

const escapeGo = (text: string): string =>
  text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

function write(value: unknown, out: string[]): void {
  if (value instanceof GoMap) {
    out.push("{");
    value.entries.forEach(([k, v], i) => {
      if (i > 0) out.push(",");
      out.push(escapeGo(JSON.stringify(k)), ":");
      write(v, out);
    });
    out.push("}");
  } else if (Array.isArray(value)) {
    out.push("[");
    value.forEach((v, i) => {
      if (i > 0) out.push(",");
      write(v, out);
    });
    out.push("]");
  } else if (value !== null && typeof value === "object") {
    out.push("{");
    let first = true;
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      if (!first) out.push(",");
      first = false;
      out.push(escapeGo(JSON.stringify(k)), ":");
      write(v, out);
    }
    out.push("}");
  } else {
    out.push(value === undefined ? "null" : escapeGo(JSON.stringify(value)));
  }
}

/** JSON text as Go's json.Marshal writes it: `<`, `>`, `&`, U+2028 and U+2029 escaped; {@link GoMap} order kept. */
export function marshalGo(value: unknown): string {
  const out: string[] = [];
  write(value, out);
  return out.join("");
}

/** Compares strings by their UTF-8 bytes, the order Go uses for map keys. */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** A {@link GoMap} of `record` in Go map order (UTF-8 byte order of the keys). */
export function goMap(record: Readonly<Record<string, unknown>>): GoMap {
  return new GoMap(Object.entries(record).sort(([a], [b]) => compareUtf8(a, b)));
}

/** A time as Go's RFC 3339 with nanoseconds writes it, in UTC: trailing fraction zeros removed. */
export function formatGoTime(date: Date): string {
  const iso = date.toISOString(); // 2026-07-25T10:00:00.120Z
  const [sec, frac = ""] = iso.slice(0, -1).split(".");
  const f = frac.replace(/0+$/, "");
  return f ? `${sec}.${f}Z` : `${sec}Z`;
}
