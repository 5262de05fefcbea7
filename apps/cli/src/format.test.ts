import type { Policy, SecretMetadata } from "@spike-ts/sdk";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { formatHumanTime, formatMetadata, formatPolicy, formatPolicyList, formatSecret, formatSecretList } from "./format.js";

const meta: SecretMetadata = {
  currentVersion: 2,
  oldestVersion: 1,
  createdTime: new Date("2026-07-25T10:00:00.123Z"),
  updatedTime: new Date("2026-07-25T10:05:00Z"),
  maxVersions: 10,
  versions: [
    { version: 1, createdTime: new Date("2026-07-25T10:00:00.123Z"), deletedTime: new Date("2026-07-25T10:05:00Z") },
    { version: 2, createdTime: new Date("2026-07-25T10:01:00.5Z"), deletedTime: undefined },
  ],
};

const policy: Policy = {
  name: "web-read",
  spiffeIdPattern: "^spiffe://example\\.org/web$",
  pathPattern: "^apps/web/.*$",
  permissions: ["read", "list"],
  createdAt: new Date("2026-07-25T10:00:00.1Z"),
  updatedAt: undefined,
};

describe("formatSecret", () => {
  const data = { username: "app", password: "s3cr3t" };

  it("prints sorted key: value lines", () => {
    expect(formatSecret(data, undefined, "human")).toBe("password: s3cr3t\nusername: app\n");
    expect(formatSecret({}, undefined, "human")).toBe("");
  });

  it("prints one value for a key", () => {
    expect(formatSecret(data, "password", "human")).toBe("s3cr3t\n");
    expect(formatSecret(data, "password", "json")).toBe('"s3cr3t"\n');
    expect(formatSecret({ n: "123" }, "n", "yaml")).toBe('"123"\n');
  });

  it("prints JSON with a 4-space indent, as Pilot", () => {
    expect(formatSecret(data, undefined, "json")).toBe('{\n    "password": "s3cr3t",\n    "username": "app"\n}\n');
  });

  it("prints YAML that parses back to the same map", () => {
    const weird = { a: "yes", b: "1", c: "x: y", d: "multi\nline" };
    expect(parse(formatSecret(weird, undefined, "yaml"))).toEqual(weird);
    expect(formatSecret({}, undefined, "yaml")).toBe("{}\n");
  });
});

describe("formatSecretList", () => {
  it("prints Pilot's list forms", () => {
    expect(formatSecretList(["a/b", "c"], "human")).toBe("- a/b\n- c\n");
    expect(formatSecretList([], "human")).toBe("No secrets found.\n");
    expect(formatSecretList(["a/b"], "json")).toBe('[\n  "a/b"\n]\n');
    expect(formatSecretList([], "json")).toBe("[]\n");
    expect(formatSecretList([], "yaml")).toBe("[]\n");
    expect(formatSecretList(["a/b"], "yaml")).toBe("- a/b\n");
  });
});

describe("formatMetadata", () => {
  it("prints the human block with Go's time layout", () => {
    expect(formatMetadata(meta, "human")).toBe(
      [
        "Metadata:",
        "  Current Version: 2",
        "  Oldest Version: 1",
        "  Created Time: 2026-07-25 10:00:00 UTC",
        "  Updated Time: 2026-07-25 10:05:00 UTC",
        "  Max Versions: 10",
        "",
        "Secret Versions:",
        "  Version 1:",
        "    Created: 2026-07-25 10:00:00 UTC",
        "    Deleted: 2026-07-25 10:05:00 UTC",
        "  Version 2:",
        "    Created: 2026-07-25 10:01:00 UTC",
        "",
      ].join("\n"),
    );
  });

  it("prints the wire shape in JSON, Go time format and null deletedTime", () => {
    expect(JSON.parse(formatMetadata(meta, "json"))).toEqual({
      versions: {
        "1": { createdTime: "2026-07-25T10:00:00.123Z", version: 1, deletedTime: "2026-07-25T10:05:00Z" },
        "2": { createdTime: "2026-07-25T10:01:00.5Z", version: 2, deletedTime: null },
      },
      metadata: { currentVersion: 2, oldestVersion: 1, createdTime: "2026-07-25T10:00:00.123Z", updatedTime: "2026-07-25T10:05:00Z", maxVersions: 10 },
    });
    expect(parse(formatMetadata(meta, "yaml"))).toEqual(JSON.parse(formatMetadata(meta, "json")));
  });

  it("formats times in UTC", () => {
    expect(formatHumanTime(new Date("2026-12-03T23:59:59.999Z"))).toBe("2026-12-03 23:59:59 UTC");
  });
});

describe("formatPolicyList and formatPolicy", () => {
  it("prints Pilot's POLICIES block, sorted", () => {
    expect(formatPolicyList([{ name: "b" }, { name: "a" }], "human")).toBe("POLICIES\n========\n\nName: a\n--------\n\nName: b\n--------\n\n");
    expect(formatPolicyList([], "human")).toBe("No policies found.\n");
    expect(JSON.parse(formatPolicyList([{ name: "a" }], "json"))).toEqual([{ id: "", name: "a" }]);
    expect(formatPolicyList([], "json")).toBe("[]\n");
  });

  it("prints POLICY DETAILS, without Updated At when unset", () => {
    expect(formatPolicy(policy, "human")).toBe(
      [
        "POLICY DETAILS",
        "=============",
        "",
        "Name: web-read",
        "SPIFFE ID Pattern: ^spiffe://example\\.org/web$",
        "Path Pattern: ^apps/web/.*$",
        "Permissions: read, list",
        "Created At: 2026-07-25T10:00:00.1Z",
        "",
      ].join("\n"),
    );
    expect(formatPolicy({ ...policy, updatedAt: new Date("2026-07-26T00:00:00Z") }, "human")).toContain("Updated At: 2026-07-26T00:00:00Z\n");
  });

  it("prints data.Policy JSON with Nexus's spiffiedPattern key", () => {
    expect(JSON.parse(formatPolicy(policy, "json"))).toEqual({
      id: "",
      name: "web-read",
      spiffiedPattern: "^spiffe://example\\.org/web$",
      pathPattern: "^apps/web/.*$",
      permissions: ["read", "list"],
      createdAt: "2026-07-25T10:00:00.1Z",
      updatedAt: "0001-01-01T00:00:00Z",
    });
    expect(parse(formatPolicy(policy, "yaml")).spiffiedPattern).toBe("^spiffe://example\\.org/web$");
  });
});
