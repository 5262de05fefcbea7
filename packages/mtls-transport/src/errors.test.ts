import { describe, expect, it } from "vitest";
import { MtlsError } from "./errors.js";

describe("MtlsError", () => {
  it("carries a code, the details and the cause", () => {
    const cause = new Error("inner");
    const e = new MtlsError("unauthorized", "mtls: server spiffe://a/b is not authorized", {
      cause,
      role: "client",
      peerId: "spiffe://a/b",
      expected: 'expected "spiffe://a/c"',
    });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe("MtlsError");
    expect(e.code).toBe("unauthorized");
    expect(e.cause).toBe(cause);
    expect([e.role, e.peerId, e.expected, e.spiffeCode]).toEqual(["client", "spiffe://a/b", 'expected "spiffe://a/c"', undefined]);
  });

  it("is() checks the brand and optionally the code", () => {
    const e = new MtlsError("expired", "mtls: x");
    expect(MtlsError.is(e)).toBe(true);
    expect(MtlsError.is(e, "expired")).toBe(true);
    expect(MtlsError.is(e, "unauthorized")).toBe(false);
    expect(MtlsError.is(new Error("x"))).toBe(false);
    expect(MtlsError.is(null)).toBe(false);
    // A copy from a duplicate install carries the same registered symbol.
    const foreign = { [Symbol.for("@spike-ts/mtls-transport.error")]: true, code: "no_svid" };
    expect(MtlsError.is(foreign, "no_svid")).toBe(true);
  });

  it("has no cause property when none is given", () => {
    expect("cause" in new MtlsError("no_svid", "mtls: x")).toBe(false);
  });
});
