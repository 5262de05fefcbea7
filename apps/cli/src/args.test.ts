import { describe, expect, it } from "vitest";
import { parseCommandLine, parseKeyValuePairs, parseVersion, parseVersionList, resolveFormat } from "./args.js";
import { CliError } from "./errors.js";

function usageOf(f: () => unknown): CliError {
  try {
    f();
  } catch (e) {
    if (CliError.is(e)) return e;
    throw e;
  }
  throw new Error("expected a CliError");
}

describe("parseCommandLine", () => {
  it("finds the command, its flags and arguments", () => {
    const p = parseCommandLine(["secret", "get", "apps/db", "password", "-v", "2", "-f", "json"]);
    expect(p.kind).toBe("run");
    if (p.kind !== "run") return;
    expect(p.spec.path).toEqual(["secret", "get"]);
    expect(p.args).toEqual(["apps/db", "password"]);
    expect(p.flags).toEqual({ version: "2", format: "json" });
    expect(p.json).toBe(false);
  });

  it("reads three-word commands and --json anywhere", () => {
    const p = parseCommandLine(["--json", "secret", "metadata", "get", "a/b"]);
    expect(p).toMatchObject({ kind: "run", json: true, args: ["a/b"] });
    const q = parseCommandLine(["secret", "list", "--json"]);
    expect(q).toMatchObject({ kind: "run", json: true, args: [] });
  });

  it("accepts both policy create forms", () => {
    const guide = parseCommandLine(["policy", "create", "myapp", "--spiffe-id-pattern", "spiffe://x", "--path-pattern", "a/.*", "--permissions", "read,write"]);
    expect(guide).toMatchObject({ kind: "run", args: ["myapp"], flags: { "spiffe-id-pattern": "spiffe://x", "path-pattern": "a/.*", permissions: "read,write" } });
    const pilot = parseCommandLine(["policy", "create", "--name=myapp", "--spiffeid-pattern", "spiffe://x", "--path-pattern", "a", "--permissions", "read"]);
    expect(pilot).toMatchObject({ kind: "run", args: [], flags: { name: "myapp", "spiffeid-pattern": "spiffe://x" } });
  });

  it("gives help for the root, groups, commands and 'help' words", () => {
    expect(parseCommandLine([])).toEqual({ kind: "help", path: [], json: false });
    expect(parseCommandLine(["--help"])).toEqual({ kind: "help", path: [], json: false });
    expect(parseCommandLine(["secret", "-h"])).toEqual({ kind: "help", path: ["secret"], json: false });
    expect(parseCommandLine(["help", "policy", "create"])).toEqual({ kind: "help", path: ["policy", "create"], json: false });
    expect(parseCommandLine(["policy", "delete", "x", "--help"])).toEqual({ kind: "help", path: ["policy", "delete"], json: false });
  });

  it("refuses unknown commands with the choices", () => {
    const e = usageOf(() => parseCommandLine(["secret", "fetch", "a"]));
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe("spike: unknown command 'fetch' for 'spike secret'; expected one of: put, get, list, delete, undelete, metadata");
    expect(usageOf(() => parseCommandLine(["secrets"])).message).toContain("unknown command 'secrets' for 'spike'");
  });

  it("refuses a group without a sub-command", () => {
    expect(usageOf(() => parseCommandLine(["policy"])).message).toBe("spike: 'spike policy' needs a sub-command: create, apply, list, get, delete");
  });

  it("refuses unknown flags without quoting their value", () => {
    const e = usageOf(() => parseCommandLine(["secret", "put", "a/b", "--password=hunter2"]));
    expect(e.message).toBe("spike: unknown flag --password for 'spike secret put'");
    expect(e.message).not.toContain("hunter2");
    expect(usageOf(() => parseCommandLine(["secret", "list", "-x"])).message).toBe("spike: unknown flag -x for 'spike secret list'");
  });

  it("refuses a missing flag value", () => {
    const e = usageOf(() => parseCommandLine(["secret", "get", "a/b", "--version"]));
    expect(e.code).toBe("usage");
    expect(e.message).toContain("argument missing");
  });

  it("checks the number of arguments", () => {
    expect(usageOf(() => parseCommandLine(["secret", "put", "a/b"])).message).toBe(
      "spike: 'spike secret put' takes at least 2 arguments (<path> <key=value>...), got 1",
    );
    expect(usageOf(() => parseCommandLine(["secret", "list", "extra"])).message).toBe("spike: 'spike secret list' takes no arguments, got 1");
    expect(usageOf(() => parseCommandLine(["secret", "get", "a", "b", "c"])).message).toContain("takes 1 to 2 arguments");
  });

  it("keeps values after -- as arguments", () => {
    const p = parseCommandLine(["secret", "put", "a/b", "--", "k=--v"]);
    expect(p).toMatchObject({ kind: "run", args: ["a/b", "k=--v"] });
  });

  it("maps --version at the root to the version command", () => {
    expect(parseCommandLine(["--version"])).toMatchObject({ kind: "run", spec: { path: ["version"] } });
  });
});

describe("resolveFormat", () => {
  it("accepts Pilot's spellings in any case", () => {
    expect(["human", "h", "plain", "P", ""].map((v) => resolveFormat(v, false))).toEqual(["human", "human", "human", "human", "human"]);
    expect(["json", "J"].map((v) => resolveFormat(v, false))).toEqual(["json", "json"]);
    expect(["yaml", "y"].map((v) => resolveFormat(v, false))).toEqual(["yaml", "yaml"]);
    expect(resolveFormat(undefined, false)).toBe("human");
    expect(resolveFormat(undefined, true)).toBe("json");
    expect(resolveFormat("j", true)).toBe("json");
  });

  it("refuses other values and --json with another format", () => {
    expect(usageOf(() => resolveFormat("xml", false)).message).toContain('--format must be human, json or yaml (or h, plain, p, j, y), got "xml"');
    expect(usageOf(() => resolveFormat("yaml", true)).message).toBe("spike: --json conflicts with --format yaml; give one of them");
  });
});

describe("parseVersion and parseVersionList", () => {
  it("parses non-negative integers", () => {
    expect(parseVersion("3", "version")).toBe(3);
    expect(parseVersion(undefined, "version")).toBeUndefined();
    expect(usageOf(() => parseVersion("-1", "version")).message).toBe('spike: --version must be a non-negative integer, got "-1"');
    expect(usageOf(() => parseVersion("1.5", "version")).exitCode).toBe(2);
  });

  it("parses comma lists, defaulting to [0]", () => {
    expect(parseVersionList(undefined)).toEqual([0]);
    expect(parseVersionList("1, 2,2,3")).toEqual([1, 2, 3]);
    expect(usageOf(() => parseVersionList("1,,2")).message).toContain("comma list of non-negative integers");
    expect(usageOf(() => parseVersionList("a")).exitCode).toBe(2);
  });
});

describe("parseKeyValuePairs", () => {
  it("splits at the first =", () => {
    expect(parseKeyValuePairs(["user=app", "pass=a=b=c", "empty="])).toEqual({ user: "app", pass: "a=b=c", empty: "" });
  });

  it("keeps __proto__ as data", () => {
    const out = parseKeyValuePairs(["__proto__=x"]);
    expect(Object.keys(out)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });

  it("refuses a pair without = by position, never by text", () => {
    const e = usageOf(() => parseKeyValuePairs(["user=app", "hunter2"]));
    expect(e.message).toBe("spike: argument 3 is not a key=value pair; its text is not shown in case it is a secret");
    expect(e.message).not.toContain("hunter2");
    expect(usageOf(() => parseKeyValuePairs(["=v"])).message).toContain("(the key is empty)");
  });
});
