import { describe, expect, it } from "vitest";
import { firstPerHint } from "./hints.js";

describe("firstPerHint", () => {
  it("keeps the first entry per hint, every unhinted entry, and the message index", () => {
    const entries = [{ hint: "a", n: 0 }, { hint: "", n: 1 }, { hint: "a", n: 2 }, { n: 3 }, { hint: "b", n: 4 }, { hint: "", n: 5 }];
    expect([...firstPerHint(entries)].map(([i, e, hint]) => [i, e.n, hint])).toEqual([
      [0, 0, "a"],
      [1, 1, ""],
      [3, 3, ""],
      [4, 4, "b"],
      [5, 5, ""],
    ]);
  });
});
