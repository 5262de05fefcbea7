import { describe, expect, it } from "vitest";
import { closestWord } from "./suggest.js";

describe("closestWord", () => {
  const groups = ["secret", "policy", "cipher", "doctor", "version"];
  it("finds a dropped, swapped or wrong letter", () => {
    expect(closestWord("secrt", groups)).toBe("secret");
    expect(closestWord("polciy", groups)).toBe("policy");
    expect(closestWord("ciphr", groups)).toBe("cipher");
    expect(closestWord("SECRET", groups)).toBe("secret");
  });
  it("suggests nothing for an unrelated word", () => {
    expect(closestWord("banana", groups)).toBeUndefined();
    expect(closestWord("x", groups)).toBeUndefined();
  });
});
