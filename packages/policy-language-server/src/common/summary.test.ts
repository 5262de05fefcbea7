import { TextDocument } from "vscode-languageserver-textdocument";
import { describe, expect, it } from "vitest";
import { policySummaries } from "./summary.js";
import { suggestPolicyKey } from "./policy-keys.js";

describe("policySummaries", () => {
  it("says which reserved paths a valid policy reaches and why an invalid one is refused", () => {
    const text = `name: admin\nspiffeidPattern: ^spiffe://spike\\.ist/ops$\npathPattern: ^spike/system/.*$\npermissions: [super]\n---\nname: bad.name\nspiffeidPattern: ^spiffe://x$\npathPattern: ^a/\npermissions: [read]\n`;
    const out = policySummaries(TextDocument.create("file:///p.policy.yaml", "spike-policy", 1, text));
    expect(out).toEqual([
      { name: "admin", valid: true, reservedPaths: ["spike/system/acl", "spike/system/secret", "spike/system/cipher/exec"] },
      { name: "bad.name", valid: false, problem: expect.stringContaining('policy name "bad.name"'), reservedPaths: [] },
    ]);
  });
});

describe("suggestPolicyKey", () => {
  it("maps case and spelling slips to the key and gives up on unrelated words", () => {
    expect(suggestPolicyKey("spiffeIdPattern")).toBe("spiffeidPattern");
    expect(suggestPolicyKey("path_pattern")).toBe("pathPattern");
    expect(suggestPolicyKey("permisions")).toBe("permissions");
    expect(suggestPolicyKey("owner")).toBeUndefined();
  });
});
