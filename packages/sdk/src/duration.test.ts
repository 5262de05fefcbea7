import { describe, expect, it } from "vitest";
import { parseGoDuration } from "./duration.js";

describe("parseGoDuration", () => {
  it.each([
    ["30s", 30_000],
    ["1m30s", 90_000],
    ["500ms", 500],
    ["1.5h", 5_400_000],
    ["2h45m", 9_900_000],
    ["0", 0],
    ["1000us", 1],
    ["1000000ns", 1],
    [" 10s ", 10_000],
  ])("parses %j", (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });

  it.each(["", "30", "s", "10 s", "1d", "abc", "1m-3s", "--1s"])("refuses %j", (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });
});
