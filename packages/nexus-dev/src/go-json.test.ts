import { describe, expect, it } from "vitest";
import { decodeGoBase64, formatGoTime, GoJsonError, marshalGo, parseGoJson, goMap, unmarshalGo } from "./go-json.js";

const secretGet = { path: "string", version: "int" } as const;

describe("unmarshalGo (Go encoding/json semantics, spec §1.6)", () => {
  it("matches keys without regard to case and lets the last duplicate win in document order", () => {
    expect(unmarshalGo('{"PATH":"a","Path":"b"}', secretGet)).toEqual({ path: "b", version: 0 });
    expect(unmarshalGo('{"path":"a","PATH":"b","path":"c"}', secretGet)).toEqual({ path: "c", version: 0 });
    // Go folds the Kelvin sign to k and long s to s
    expect(unmarshalGo('{"pathPattern":"x","\u017Fpiffeidpattern":"y"}', { spiffeidPattern: "string", pathPattern: "string" })).toEqual({
      spiffeidPattern: "y",
      pathPattern: "x",
    });
  });

  it("ignores unknown keys and gives zero values for missing ones", () => {
    expect(unmarshalGo('{"other":[1,{"x":null}],"version":3}', secretGet)).toEqual({ path: "", version: 3 });
  });

  it("treats top-level null as the zero struct and rejects other top-level types", () => {
    expect(unmarshalGo("null", secretGet)).toEqual({ path: "", version: 0 });
    expect(() => unmarshalGo("[]", secretGet)).toThrow(GoJsonError);
    expect(() => unmarshalGo('"x"', secretGet)).toThrow(GoJsonError);
  });

  it("null leaves scalars unchanged and clears maps and slices", () => {
    expect(unmarshalGo('{"path":"a","path":null}', secretGet).path).toBe("a");
    expect(unmarshalGo('{"values":{"a":"1"},"values":null}', { values: "stringMap" }).values).toBeNull();
    expect(unmarshalGo('{"versions":null}', { versions: "intArray" }).versions).toBeNull();
    expect(unmarshalGo('{"values":{"a":null}}', { values: "stringMap" }).values).toEqual({ a: "" });
  });

  it("merges a repeated map key into the existing map, as Go does", () => {
    expect(unmarshalGo('{"values":{"a":"1"},"values":{"b":"2"}}', { values: "stringMap" }).values).toEqual({ a: "1", b: "2" });
  });

  it("accepts only integer literals in range for int fields", () => {
    for (const bad of ['"2"', "1.5", "1.0", "1e2", "true", "9223372036854775808", "[]"]) {
      expect(() => unmarshalGo(`{"version":${bad}}`, secretGet), bad).toThrow(GoJsonError);
    }
    expect(unmarshalGo('{"version":-3}', secretGet).version).toBe(-3);
    expect(unmarshalGo('{"version":-0}', secretGet).version).toBe(0);
  });

  it("bounds uint8 fields to 0..255", () => {
    expect(unmarshalGo('{"version":255}', { version: "uint8" }).version).toBe(255);
    expect(() => unmarshalGo('{"version":256}', { version: "uint8" })).toThrow(GoJsonError);
    expect(() => unmarshalGo('{"version":-1}', { version: "uint8" })).toThrow(GoJsonError);
  });

  it("rejects wrong types in maps and slices", () => {
    expect(() => unmarshalGo('{"values":{"a":1}}', { values: "stringMap" })).toThrow(GoJsonError);
    expect(() => unmarshalGo('{"values":["a"]}', { values: "stringMap" })).toThrow(GoJsonError);
    expect(() => unmarshalGo('{"versions":["1"]}', { versions: "intArray" })).toThrow(GoJsonError);
    expect(() => unmarshalGo('{"permissions":"read"}', { permissions: "stringArray" })).toThrow(GoJsonError);
  });

  it("keeps a __proto__ key as data", () => {
    const v = unmarshalGo('{"values":{"__proto__":"x"}}', { values: "stringMap" }).values;
    expect(Object.keys(v ?? {})).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
  });

  it("decodes []byte from strict standard base64 or an array of bytes", () => {
    expect([...(unmarshalGo('{"p":"aGVsbG8="}', { p: "bytes" }).p ?? [])]).toEqual([...Buffer.from("hello")]);
    expect([...(unmarshalGo('{"p":[1,2,255]}', { p: "bytes" }).p ?? [])]).toEqual([1, 2, 255]);
    for (const bad of ['"aGVsbG8"', '"aGVs bG8="', '"aGVsbG8-"', "12"]) {
      expect(() => unmarshalGo(`{"p":${bad}}`, { p: "bytes" }), bad).toThrow(GoJsonError);
    }
    expect(decodeGoBase64("aGVs\r\nbG8=")).toEqual(new Uint8Array(Buffer.from("hello")));
  });

  it("rejects text that is not JSON", () => {
    for (const bad of ["", " ", "{", '{"path":"a"} {}', "{'path':'a'}", '{"path":"a",}', "nul", '{"a":"\u0001"}', '{"a":"\\x"}', "01"]) {
      expect(() => parseGoJson(bad), JSON.stringify(bad)).toThrow(GoJsonError);
    }
  });

  it("takes nesting up to Go's 10000 levels without running out of stack, and refuses deeper as bad JSON", () => {
    const nest = (n: number, open: string, close: string) => `${open.repeat(n)}1${close.repeat(n)}`;
    // an unknown key holding 9999 nested objects or arrays is ignored, as in Go
    expect(unmarshalGo(`{"path":"p","x":${nest(9_999, '{"a":', "}")}}`, { path: "string" })).toEqual({ path: "p" });
    expect(unmarshalGo(`{"path":"p","x":${nest(9_999, "[", "]")}}`, { path: "string" })).toEqual({ path: "p" });
    for (const deep of [nest(10_002, "[", "]"), nest(200_000, '{"a":', "}"), "[".repeat(1_000_000)]) {
      expect(() => parseGoJson(deep)).toThrow(/nesting too deep/);
    }
    // the parser still reports where an unclosed or broken container fails
    expect(() => parseGoJson('{"a":[1,2')).toThrow("invalid json: expected ',' or ']' at offset 9");
    expect(() => parseGoJson('{"a":1,}')).toThrow("invalid json: expected object key at offset 7");
    expect(() => parseGoJson('{"a" 1}')).toThrow("invalid json: expected ':' at offset 5");
    expect(parseGoJson('{"a":[{},[],{"b":[null,true,false,"s",-1.5e3]}]}')).toEqual({
      kind: "object",
      entries: [["a", { kind: "array", items: [{ kind: "object", entries: [] }, { kind: "array", items: [] }, { kind: "object", entries: [["b", { kind: "array", items: [{ kind: "null" }, { kind: "bool", value: true }, { kind: "bool", value: false }, { kind: "string", value: "s" }, { kind: "number", text: "-1.5e3" }] }]] }] }]],
    });
  });

  it("decodes escapes and replaces lone surrogates and bad UTF-8 with U+FFFD", () => {
    expect(unmarshalGo('{"path":"\\u00e9\\ud83d\\ude00\\n"}', secretGet).path).toBe("é😀\n");
    expect(unmarshalGo('{"path":"\\ud800x"}', secretGet).path).toBe("\ufffdx");
    expect(unmarshalGo(Buffer.concat([Buffer.from('{"path":"'), Buffer.of(0xff), Buffer.from('"}')]), secretGet).path).toBe("\ufffd");
  });

  it("parses a 2 MiB string value", () => {
    const big = "x".repeat(2 * 1024 * 1024);
    expect(unmarshalGo(`{"values":{"k":"${big}"}}`, { values: "stringMap" }).values?.["k"]?.length).toBe(big.length);
  });
});

describe("marshalGo and friends", () => {
  it("escapes < > & U+2028 U+2029 like Go", () => {
    expect(marshalGo({ a: "<b>&\u2028\u2029" })).toBe('{"a":"\\u003cb\\u003e\\u0026\\u2028\\u2029"}');
  });

  it("orders map keys by their string form", () => {
    expect(marshalGo({ versions: goMap({ "2": 1, "10": 2, "1": 3 }) })).toBe('{"versions":{"1":3,"10":2,"2":1}}');
    expect(marshalGo(goMap({ b: 1, a: 2, "é": 3, z: 4 }))).toBe('{"a":2,"b":1,"z":4,"é":3}');
  });

  it("formats times as Go RFC 3339 with trailing zeros trimmed", () => {
    expect(formatGoTime(new Date("2026-07-25T10:00:00.500Z"))).toBe("2026-07-25T10:00:00.5Z");
    expect(formatGoTime(new Date("2026-07-25T10:00:00.000Z"))).toBe("2026-07-25T10:00:00Z");
    expect(formatGoTime(new Date("2026-07-25T10:00:00.123Z"))).toBe("2026-07-25T10:00:00.123Z");
  });
});
