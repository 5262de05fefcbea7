import { TextDocument } from "vscode-languageserver-textdocument";
import { DiagnosticSeverity, type Diagnostic } from "vscode-languageserver-types";
import { describe, expect, it } from "vitest";
import { policyDiagnostics } from "./diagnostics.js";

function doc(text: string): TextDocument {
  return TextDocument.create("file:///w/web.policy.yaml", "spike-policy", 1, text);
}

/** The diagnostics as [code, severity, the text they cover]. */
function found(text: string): Array<[unknown, DiagnosticSeverity | undefined, string]> {
  const d = doc(text);
  return policyDiagnostics(d).map((x: Diagnostic) => [x.code, x.severity, d.getText(x.range)]);
}

const good = `name: web-read
spiffeidPattern: "^spiffe://spike\\\\.ist/web$"
pathPattern: "^apps/web/"
permissions:
  - read
  - list
`;

describe("policyDiagnostics", () => {
  it("reports nothing for a policy nexus accepts", () => {
    expect(policyDiagnostics(doc(good))).toEqual([]);
  });

  it("reports each missing key at the first key, as an error", () => {
    const d = policyDiagnostics(doc("name: web\n"));
    expect(d.map((x) => x.message)).toEqual([
      'policy: the key "spiffeidPattern" is missing; pilot sends it empty and nexus refuses the policy',
      'policy: the key "pathPattern" is missing; pilot sends it empty and nexus refuses the policy',
      'policy: the key "permissions" is missing; pilot sends it empty and nexus refuses the policy',
    ]);
    expect(d.every((x) => x.severity === DiagnosticSeverity.Error && x.source === "spike-policy")).toBe(true);
    expect(d[0]!.range).toEqual({ start: { line: 0, character: 0 }, end: { line: 0, character: 4 } });
  });

  it("warns on an unknown key and suggests the key it resembles", () => {
    const text = good.replace("spiffeidPattern", "spiffeIdPattern");
    const d = policyDiagnostics(doc(text));
    const unknown = d.find((x) => x.code === "unknown_key")!;
    expect(unknown.severity).toBe(DiagnosticSeverity.Warning);
    expect(unknown.message).toBe('policy: unknown key "spiffeIdPattern"; pilot ignores it. did you mean "spiffeidPattern"?');
    expect(unknown.range.start).toEqual({ line: 1, character: 0 });
    expect(d.some((x) => x.code === "missing_key" && String(x.message).includes('"spiffeidPattern"'))).toBe(true);
  });

  it("puts a bad name on the name value", () => {
    expect(found(good.replace("web-read", "web.read"))).toEqual([["policy_name_invalid", DiagnosticSeverity.Error, "web.read"]]);
  });

  it("puts a spiffeid pattern that breaks nexus's input rule on its value", () => {
    const out = found(good.replace('"^spiffe://spike\\\\.ist/web$"', '".*"'));
    expect(out).toEqual([["spiffeid_pattern_invalid", DiagnosticSeverity.Error, '".*"']]);
  });

  it("reports a pattern that is not go re2 on that pattern's value, with status 500 in the text", () => {
    const d = doc(good.replace('"^apps/web/"', '"^apps/(web"'));
    const out = policyDiagnostics(d);
    expect(out).toHaveLength(1);
    expect(out[0]!.code).toBe("regex_invalid");
    expect(d.getText(out[0]!.range)).toBe('"^apps/(web"');
    expect(out[0]!.message).toMatch(/^pathPattern: "\^apps\/\(web" is not a valid go re2 regex \(.*\); nexus answers 500 for it$/);
  });

  it("refuses a backreference as re2 and also notes the dialect difference at the construct", () => {
    const d = doc(good.replace('"^apps/web/"', "^apps/(a)\\1"));
    const out = policyDiagnostics(d);
    expect(out.map((x) => [x.code, d.getText(x.range)])).toEqual([
      ["regex_invalid", "^apps/(a)\\1"],
      ["regex_dialect", "\\1"],
    ]);
    expect(out[1]!.severity).toBe(DiagnosticSeverity.Warning);
  });

  it("warns on (?i), which re2 accepts and javascript does not, at its exact position", () => {
    const d = doc(good.replace('"^apps/web/"', '"(?i)^apps/web/"'));
    const out = policyDiagnostics(d);
    expect(out).toHaveLength(1);
    expect(out[0]!.code).toBe("regex_dialect");
    expect(d.getText(out[0]!.range)).toBe("(?i)");
    expect(out[0]!.range.start).toEqual({ line: 2, character: 14 });
  });

  it("falls back to the whole value for a dialect note when escapes make the source differ from the value", () => {
    const d = doc(good.replace('"^apps/web/"', '"^apps/\\\\Qweb\\\\E"'));
    const out = policyDiagnostics(d);
    expect(out.map((x) => [x.code, d.getText(x.range)])).toEqual([["regex_dialect", '"^apps/\\\\Qweb\\\\E"']]);
  });

  it("marks each unknown permission item, and not the good ones", () => {
    const out = found(good.replace("  - list", "  - list\n  - admin\n  - Read"));
    expect(out).toEqual([
      ["permissions_invalid", DiagnosticSeverity.Error, "admin"],
      ["permissions_invalid", DiagnosticSeverity.Error, "Read"],
    ]);
    expect(policyDiagnostics(doc(good.replace("  - list", "  - admin")))[0]!.message).toBe(
      'unknown permission "admin"; use one of read, write, list, execute, super (nexus answers 400)',
    );
  });

  it("reports an empty permission list and a scalar in place of a list", () => {
    expect(found(good.replace("permissions:\n  - read\n  - list\n", "permissions: []\n"))).toEqual([
      ["permissions_invalid", DiagnosticSeverity.Error, "[]"],
    ]);
    expect(found(good.replace("permissions:\n  - read\n  - list\n", "permissions: read\n"))).toEqual([
      ["wrong_type", DiagnosticSeverity.Error, "read"],
    ]);
  });

  it("reports a reserved-path violation on the path pattern (unanchored spiffe pattern, path .*)", () => {
    const d = doc(`name: all\nspiffeidPattern: spiffe://spike.ist/web\npathPattern: .*\npermissions: [read]\n`);
    const out = policyDiagnostics(d);
    expect(out.map((x) => [x.code, d.getText(x.range)])).toEqual([["reserved_path", ".*"]]);
    expect(out[0]!.message).toContain("reserved path spike/system/acl");
  });

  it("reports a path pattern that matches a reserved path only as a substring", () => {
    const d = doc(good.replace('"^apps/web/"', "secret"));
    const out = policyDiagnostics(d);
    expect(out.map((x) => x.code)).toEqual(["reserved_path"]);
    expect(out[0]!.message).toContain("spike/system/secret");
  });

  it("shows the reserved-path problem alongside other broken rules (nexus would report only the first)", () => {
    const d = doc(`name: web.read\nspiffeidPattern: ^spiffe://spike\\.ist/web\npathPattern: secret\npermissions: [read, admin]\n`);
    expect(policyDiagnostics(d).map((x) => [x.code, d.getText(x.range)])).toEqual([
      ["policy_name_invalid", "web.read"],
      ["reserved_path", "secret"],
      ["permissions_invalid", "admin"],
    ]);
  });

  it("reports yaml syntax errors, non-mapping documents and checks each document of a stream", () => {
    expect(found("name: [a\n").map((x) => x[0])).toContain("yaml_syntax");
    expect(found("- a\n- b\n")).toEqual([["not_a_mapping", DiagnosticSeverity.Error, "- a\n- b\n"]]);
    const two = `${good}---\n${good.replace("web-read", "bad.name")}`;
    const d = doc(two);
    const out = policyDiagnostics(d);
    expect(out.map((x) => [x.code, x.range.start.line])).toEqual([["policy_name_invalid", 7]]);
  });

  it("reports a duplicate key", () => {
    expect(found(`${good}name: again\n`).map((x) => x[0])).toEqual(["yaml_syntax"]);
  });

  it("never puts a value it did not need into a message (only the offending value)", () => {
    const out = policyDiagnostics(doc(good.replace("web-read", "web.read")));
    expect(out[0]!.message).not.toContain("apps/web");
  });
});
