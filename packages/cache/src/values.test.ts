import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { freezePlain, plainEqual } from "./values.js";

describe("plainEqual", () => {
  it("compares plain data structurally", () => {
    expect(plainEqual({ a: "1", b: ["x", { c: 2 }] }, { b: ["x", { c: 2 }], a: "1" })).toBe(true);
    expect(plainEqual({ a: "1" }, { a: "2" })).toBe(false);
    expect(plainEqual({ a: "1" }, { a: "1", b: undefined })).toBe(false);
    expect(plainEqual(["a"], { 0: "a" })).toBe(false);
    expect(plainEqual(Number.NaN, Number.NaN)).toBe(true);
    expect(plainEqual([-0], [0])).toBe(true);
    expect(plainEqual(new Uint8Array([1]), new Uint8Array([1]))).toBe(false);
  });

  it("agrees with a JSON round trip for JSON data", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(plainEqual(v, JSON.parse(JSON.stringify(v)) as unknown)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("freezePlain", () => {
  it("deep-freezes plain objects and arrays and leaves other objects alone", () => {
    const bytes = new Uint8Array([1, 2]);
    const v = freezePlain({ a: { b: ["c"] }, bytes });
    expect(Object.isFrozen(v)).toBe(true);
    expect(Object.isFrozen(v.a)).toBe(true);
    expect(Object.isFrozen(v.a.b)).toBe(true);
    expect(Object.isFrozen(bytes)).toBe(false);
    expect(freezePlain("text")).toBe("text");
  });
});
