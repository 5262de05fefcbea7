import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { Secret } from "./secret.js";

const values = { username: "dbuser", password: "hunter2-very-secret" };

describe("Secret", () => {
  it("gives the values only when read explicitly", () => {
    const s = new Secret("tenants/demo/db", values, 2);
    expect(s.get("username")).toBe("dbuser");
    expect(s.get("missing")).toBeUndefined();
    expect(s.has("password")).toBe(true);
    expect(s.keys()).toEqual(["password", "username"]);
    expect(s.size).toBe(2);
    expect(s.entries()).toEqual([
      ["password", "hunter2-very-secret"],
      ["username", "dbuser"],
    ]);
    expect(s.reveal()).toEqual(values);
    expect(s.path).toBe("tenants/demo/db");
    expect(s.version).toBe(2);
  });

  it("keeps values out of inspect, JSON, String and template literals", () => {
    const s = new Secret("tenants/demo/db", values);
    const shown = [
      inspect(s),
      inspect({ nested: { deeper: s } }, { depth: 10 }),
      inspect(s, { showHidden: true }),
      JSON.stringify(s),
      JSON.stringify({ s }),
      String(s),
      `${s}`,
    ];
    for (const text of shown) {
      expect(text).not.toContain("hunter2");
      expect(text).not.toContain("dbuser");
    }
    expect(inspect(s)).toContain("tenants/demo/db");
    expect(inspect(s)).toContain("[redacted]");
    expect(JSON.parse(JSON.stringify(s))).toEqual({ path: "tenants/demo/db", keys: ["password", "username"], values: "[redacted]" });
    expect(String(s)).toBe("[Secret tenants/demo/db: 2 keys, values redacted]");
  });

  it("has no enumerable fields holding values", () => {
    const s = new Secret("p", values);
    expect(Object.keys(s).sort()).toEqual(["path", "version"]);
    expect(Object.values(s)).not.toContain("hunter2-very-secret");
  });

  it("copies its input so later changes do not leak in", () => {
    const input = { a: "1" };
    const s = new Secret("p", input);
    input.a = "2";
    expect(s.get("a")).toBe("1");
    const revealed = s.reveal();
    revealed.a = "3";
    expect(s.get("a")).toBe("1");
  });

  it("accepts null data as an empty secret (SQLite answers data:null)", () => {
    const s = new Secret("p", null);
    expect(s.size).toBe(0);
    expect(s.reveal()).toEqual({});
  });

  it("keeps values out of error messages it is interpolated into", () => {
    const s = new Secret("p", values);
    const err = new Error(`could not use ${s}`);
    expect(err.message).not.toContain("hunter2");
    expect(inspect(err)).not.toContain("hunter2");
  });
});
