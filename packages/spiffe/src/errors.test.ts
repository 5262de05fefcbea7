import { describe, expect, it } from "vitest";
import { SpiffeError } from "./errors.js";

describe("SpiffeError", () => {
  it("has a code, a prefixed message, a cause and a name", () => {
    const cause = new Error("inner");
    const e = new SpiffeError("td_chars", "bad td", { cause });
    expect(e.code).toBe("td_chars");
    expect(e.message).toBe("spiffe: bad td");
    expect(e.cause).toBe(cause);
    expect(e.name).toBe("SpiffeError");
    expect(e).toBeInstanceOf(Error);
    expect(new SpiffeError("id_empty", "spiffe: x").message).toBe("spiffe: x");
  });

  it("is() checks the brand and the code, and survives duplicate installs", () => {
    const e = new SpiffeError("jwt_expired", "x");
    expect(SpiffeError.is(e)).toBe(true);
    expect(SpiffeError.is(e, "jwt_expired")).toBe(true);
    expect(SpiffeError.is(e, "jwt_audience")).toBe(false);
    expect(SpiffeError.is(new Error("x"))).toBe(false);
    expect(SpiffeError.is(null)).toBe(false);
    expect(SpiffeError.is("spiffe")).toBe(false);
    const fromOtherCopy = { [Symbol.for("@spike-ts/spiffe.error")]: true, code: "jwt_expired" };
    expect(SpiffeError.is(fromOtherCopy, "jwt_expired")).toBe(true);
  });
});
