import { describe, expect, it } from "vitest";
import { CacheError } from "./errors.js";

describe("CacheError", () => {
  it("carries a code, path, version and cause, and is recognised by brand", () => {
    const cause = new Error("nexus: 503");
    const e = new CacheError("load_failed", "cache: could not load path a version 2", { cause, path: "a", version: 2 });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe("CacheError");
    expect(e.cause).toBe(cause);
    expect(e.path).toBe("a");
    expect(e.version).toBe(2);
    expect(CacheError.is(e)).toBe(true);
    expect(CacheError.is(e, "load_failed")).toBe(true);
    expect(CacheError.is(e, "stale")).toBe(false);
    expect(CacheError.is(new Error("x"))).toBe(false);
    expect(CacheError.is(null)).toBe(false);
    // A copy from another install carries the same global brand.
    const foreign = { [Symbol.for("@spike-ts/cache.error")]: true, code: "closed" };
    expect(CacheError.is(foreign, "closed")).toBe(true);
    expect("cause" in new CacheError("closed", "cache: closed")).toBe(false);
  });
});
