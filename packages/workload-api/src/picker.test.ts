import { describe, expect, it } from "vitest";
import { WorkloadApiError } from "./errors.js";
import { checkPick, pickSvid } from "./picker.js";

const svids = [
  { id: "spiffe://example.org/a", hint: "internal" },
  { id: "spiffe://example.org/b", hint: "" },
];

describe("pickSvid", () => {
  it("defaults to the first", () => {
    expect(pickSvid(svids, undefined)).toBe(svids[0]);
  });
  it("matches hint, id, both, or a function", () => {
    expect(pickSvid(svids, { hint: "" })).toBe(svids[1]);
    expect(pickSvid(svids, { id: "spiffe://example.org/b" })).toBe(svids[1]);
    expect(pickSvid(svids, { id: "spiffe://example.org/a", hint: "internal" })).toBe(svids[0]);
    expect(pickSvid(svids, (l) => l[1])).toBe(svids[1]);
  });
  it("fails loudly, naming what was wanted and what arrived", () => {
    let err: unknown;
    try {
      pickSvid(svids, { id: "spiffe://example.org/a", hint: "external" });
    } catch (e) {
      err = e;
    }
    expect(WorkloadApiError.is(err, "pick_missing")).toBe(true);
    expect((err as Error).message).toBe(
      'workload-api: no SVID with id spiffe://example.org/a and hint "external" among the SVIDs the agent sent: spiffe://example.org/a (hint "internal"), spiffe://example.org/b',
    );
    expect(() => pickSvid(svids, () => ({ id: "x", hint: "" }))).toThrowError(/pick function chose no SVID/);
  });
  it("validates the option", () => {
    expect(() => checkPick("a")).toThrowError(TypeError);
    expect(() => checkPick({ id: 1 })).toThrowError(/pick.id/);
    expect(() => checkPick({ hint: "x" })).not.toThrow();
  });
});
