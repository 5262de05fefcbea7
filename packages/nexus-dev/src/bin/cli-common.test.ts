import { describe, expect, it } from "vitest";
import { parseListenAddress, positiveIntEnv } from "./cli-common.js";

describe("parseListenAddress", () => {
  it.each([
    ["8553", { host: "127.0.0.1", port: 8553 }],
    [" 8553 ", { host: "127.0.0.1", port: 8553 }],
    [":8553", { host: "127.0.0.1", port: 8553 }],
    ["127.0.0.1:8553", { host: "127.0.0.1", port: 8553 }],
    ["0.0.0.0:0", { host: "0.0.0.0", port: 0 }],
    ["localhost:8553", { host: "localhost", port: 8553 }],
    ["[::1]:8553", { host: "::1", port: 8553 }],
  ])("reads %j", (input, want) => {
    expect(parseListenAddress(input, "127.0.0.1")).toEqual(want);
  });

  it.each(["abc8553", "127.0.0.18553", "[::1]8553", "[::1]", "[]:8553", "::1:8553", "host:", ":", "", "65536", ":99999", "a:b:80", "127.0.0.1:85x"])(
    "refuses %j instead of guessing a host and port",
    (input) => {
      expect(() => parseListenAddress(input, "127.0.0.1")).toThrow(`not a listen address: ${JSON.stringify(input)}`);
    },
  );
});

describe("positiveIntEnv", () => {
  it("falls back to the default for anything but a positive integer, as SPIKE does", () => {
    expect(positiveIntEnv("12", 10)).toBe(12);
    for (const v of [undefined, "", "0", "-1", "1.5", "abc", "1e3"]) expect(positiveIntEnv(v, 10)).toBe(10);
  });
});
