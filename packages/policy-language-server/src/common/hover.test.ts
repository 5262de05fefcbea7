import { TextDocument } from "vscode-languageserver-textdocument";
import { describe, expect, it } from "vitest";
import { policyHover } from "./hover.js";

function doc(text: string): TextDocument {
  return TextDocument.create("file:///w/a.policy.yaml", "spike-policy", 1, text);
}

describe("policyHover", () => {
  it("explains a permission from the model's descriptions, with the item's range", () => {
    const h = policyHover(doc("name: x\npermissions:\n  - read\n  - list\n"), { line: 3, character: 5 });
    expect(h).toEqual({
      contents: { kind: "markdown", value: "**list**: list secrets (spike/system/secret) and policies (spike/system/acl)" },
      range: { start: { line: 3, character: 4 }, end: { line: 3, character: 8 } },
    });
  });

  it("explains a key", () => {
    const h = policyHover(doc("pathPattern: ^apps/\n"), { line: 0, character: 3 });
    expect((h?.contents as { value: string }).value).toMatch(/^\*\*pathPattern\*\*: Go RE2 regex matched \*\*somewhere in\*\* the secret path/);
  });

  it("says which reserved paths a path pattern reaches, by the model's rule", () => {
    const precise = doc("spiffeidPattern: ^spiffe://spike\\.ist/ops$\npathPattern: ^spike/system/(acl|secret)$\n");
    expect((policyHover(precise, { line: 1, character: 15 })?.contents as { value: string }).value).toBe(
      "**pathPattern** `^spike/system/(acl|secret)$`: Go RE2, matched somewhere in the path.\n\nReaches the reserved `spike/system/acl`, `spike/system/secret`.",
    );
    const loose = doc("spiffeidPattern: spiffe://spike\\.ist/ops\npathPattern: ^spike/system/acl$\n");
    expect((policyHover(loose, { line: 1, character: 15 })?.contents as { value: string }).value).toMatch(/Reaches no reserved `spike\/system\/\.\.\.` path\.$/);
  });

  it("says an unknown key is ignored, and gives nothing on an unknown permission or a plain value", () => {
    const d = doc("nmae: x\npermissions: [admin]\n");
    expect((policyHover(d, { line: 0, character: 1 })?.contents as { value: string }).value).toBe("**nmae** is not a SPIKE policy key; pilot ignores it.");
    expect(policyHover(d, { line: 1, character: 16 })).toBeUndefined();
    expect(policyHover(doc("name: web\n"), { line: 0, character: 7 })).toBeUndefined();
  });
});
