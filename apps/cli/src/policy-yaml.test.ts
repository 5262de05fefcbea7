import { describe, expect, it } from "vitest";
import { CliError } from "./errors.js";
import { parsePolicyYaml } from "./policy-yaml.js";

function failure(text: string): CliError {
  try {
    parsePolicyYaml(text, "p.yaml");
  } catch (e) {
    if (CliError.is(e, "yaml_invalid")) return e;
    throw e;
  }
  throw new Error("expected yaml_invalid");
}

describe("parsePolicyYaml", () => {
  it("reads the spec's example, unquoted and single-quoted", () => {
    const text = "name: web-read\nspiffeidPattern: ^spiffe://example\\.org/web$\npathPattern: '^apps/web/.*$'\npermissions:\n  - read\n  - list\n";
    expect(parsePolicyYaml(text)).toEqual({
      name: "web-read",
      spiffeIdPattern: "^spiffe://example\\.org/web$",
      pathPattern: "^apps/web/.*$",
      permissions: ["read", "list"],
    });
  });

  it("accepts a flow list and a leading document marker", () => {
    expect(parsePolicyYaml("---\nname: a\nspiffeidPattern: spiffe://x\npathPattern: a\npermissions: [read, write]\n").permissions).toEqual(["read", "write"]);
  });

  it("refuses a double-quoted \\. with the line, as the spec warns", () => {
    const e = failure('name: a\nspiffeidPattern: "^spiffe://example\\.org/web$"\npathPattern: a\npermissions: [read]\n');
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/^spike: p\.yaml:2: not valid YAML: /);
  });

  it("names missing keys", () => {
    expect(failure("name: a\npermissions: [read]\n").message).toBe("spike: p.yaml: missing 'spiffeidPattern', 'pathPattern'");
  });

  it("suggests the right spelling of a misspelt key", () => {
    expect(failure("name: a\nspiffeIdPattern: x\npathPattern: a\npermissions: [read]\n").message).toBe(
      'spike: p.yaml:2: unknown key "spiffeIdPattern"; did you mean spiffeidPattern?',
    );
  });

  it("wants permissions as a list and strings elsewhere", () => {
    expect(failure("name: a\nspiffeidPattern: x\npathPattern: a\npermissions: read,write\n").message).toContain("p.yaml:4: 'permissions' must be a YAML list");
    expect(failure("name: 12\nspiffeidPattern: x\npathPattern: a\npermissions: [read]\n").message).toBe("spike: p.yaml:1: 'name' must be a string, got number");
    expect(failure("name:\nspiffeidPattern: x\npathPattern: a\npermissions: [read]\n").message).toBe("spike: p.yaml:1: 'name' must be a string, got empty");
  });

  it("refuses empty files, lists, several documents and duplicate keys", () => {
    expect(failure("").message).toBe("spike: p.yaml: the file is empty");
    expect(failure("- a\n").message).toContain("the top level must be a mapping");
    expect(failure("name: a\n---\nname: b\n").message).toContain("holds 2 YAML documents");
    expect(failure("name: a\nname: b\n").message).toContain("not valid YAML");
  });
});
