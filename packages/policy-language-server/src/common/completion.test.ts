import { TextDocument } from "vscode-languageserver-textdocument";
import { InsertTextFormat } from "vscode-languageserver-types";
import { describe, expect, it } from "vitest";
import { policyCompletions } from "./completion.js";

function doc(text: string): TextDocument {
  return TextDocument.create("file:///w/a.policy.yaml", "spike-policy", 1, text);
}

describe("policyCompletions", () => {
  it("offers the keys not yet written at the start of a top-level line, as snippets", () => {
    const items = policyCompletions(doc("name: web\npa"), { line: 1, character: 2 });
    expect(items.map((i) => i.label)).toEqual(["spiffeidPattern", "pathPattern", "permissions"]);
    const path = items.find((i) => i.label === "pathPattern")!;
    expect(path.insertTextFormat).toBe(InsertTextFormat.Snippet);
    expect(path.insertText).toBe('pathPattern: "^${1:apps/}"');
  });

  it("offers every key in an empty file", () => {
    expect(policyCompletions(doc(""), { line: 0, character: 0 }).map((i) => i.label)).toEqual([
      "name",
      "spiffeidPattern",
      "pathPattern",
      "permissions",
    ]);
  });

  it("offers the permissions not yet listed in a block list, with what each grants", () => {
    const d = doc("name: web\npermissions:\n  - read\n  - ");
    const items = policyCompletions(d, { line: 3, character: 4 });
    expect(items.map((i) => i.label)).toEqual(["write", "list", "execute", "super"]);
    expect(items.find((i) => i.label === "execute")!.documentation).toEqual({
      kind: "markdown",
      value: "encrypt and decrypt (spike/system/cipher/exec)",
    });
  });

  it("offers permissions in a flow list, minus those already typed", () => {
    const items = policyCompletions(doc("permissions: [read, "), { line: 0, character: 20 });
    expect(items.map((i) => i.label)).toEqual(["write", "list", "execute", "super"]);
  });

  it("offers nothing inside a value, or in a list that is not permissions", () => {
    expect(policyCompletions(doc("name: we"), { line: 0, character: 8 })).toEqual([]);
    expect(policyCompletions(doc("other:\n  - "), { line: 1, character: 4 })).toEqual([]);
  });
});
