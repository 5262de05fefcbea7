import { PERMISSION_DESCRIPTIONS, PERMISSIONS } from "@spike-ts/nexus-model";
import type { Position, TextDocument } from "vscode-languageserver-textdocument";
import { CompletionItemKind, InsertTextFormat, MarkupKind, type CompletionItem } from "vscode-languageserver-types";
import { parsePolicyDocument, type ParsedPolicy } from "./policy-document.js";
import { POLICY_KEY_DESCRIPTIONS, POLICY_YAML_KEYS, type PolicyYamlKey } from "./policy-keys.js";

const KEY_SNIPPETS: Readonly<Record<PolicyYamlKey, string>> = {
  name: "name: ${1:policy-name}",
  spiffeidPattern: 'spiffeidPattern: "^spiffe://${1:spike.ist}/${2:workload}\\$"',
  pathPattern: 'pathPattern: "^${1:apps/}"',
  permissions: "permissions:\n  - ${1|read,write,list,execute,super|}",
};

function policyAt(policies: readonly ParsedPolicy[], offset: number): ParsedPolicy | undefined {
  return policies.find((p) => offset >= p.span.start && offset <= p.span.end) ?? policies.at(-1);
}

/** The top-level key that the line at `line` belongs to (the nearest unindented `key:` above). */
function ownerKey(doc: TextDocument, line: number): string | undefined {
  for (let l = line; l >= 0; l--) {
    const text = doc.getText({ start: { line: l, character: 0 }, end: { line: l + 1, character: 0 } });
    if (/^---/.test(text)) return undefined;
    const m = /^([A-Za-z_][\w-]*)\s*:/.exec(text);
    if (m) return m[1];
  }
  return undefined;
}

function permissionItems(present: ReadonlySet<string>): CompletionItem[] {
  return PERMISSIONS.filter((p) => !present.has(p)).map((p, i) => ({
    label: p,
    kind: CompletionItemKind.EnumMember,
    detail: "SPIKE permission",
    documentation: { kind: MarkupKind.Markdown, value: PERMISSION_DESCRIPTIONS[p] },
    sortText: String(i),
  }));
}

/**
 * Completion items at `position` of a SPIKE policy YAML file: the keys not yet written (as
 * snippets) at the start of a top-level line, and the permissions not yet listed inside
 * `permissions` (block `- ` items or a flow `[...]` list).
 *
 * @example
 * ```ts
 * const doc = TextDocument.create("file:///a.policy.yaml", "spike-policy", 1, "permissions:\n  - ");
 * policyCompletions(doc, { line: 1, character: 4 }).map((i) => i.label); // [ 'read', 'write', 'list', 'execute', 'super' ]
 * ```
 */
export function policyCompletions(doc: TextDocument, position: Position): CompletionItem[] {
  const before = doc.getText({ start: { line: position.line, character: 0 }, end: position });
  const parsed = parsePolicyDocument(doc);
  const policy = policyAt(parsed.policies, doc.offsetAt(position));
  const listed = new Set<string>();
  for (const item of policy?.entries.get("permissions")?.items ?? []) if (item.value !== undefined) listed.add(item.value);

  const flow = /^permissions\s*:\s*\[([^\]]*)$/.exec(before);
  if (flow) {
    const typed = new Set((flow[1] ?? "").split(",").map((s) => s.trim()).filter(Boolean));
    return permissionItems(new Set([...listed, ...typed]));
  }
  if (/^\s+-\s*[a-z]*$/.test(before) || /^\s*-\s+[a-z]*$/.test(before)) {
    return ownerKey(doc, position.line) === "permissions" ? permissionItems(listed) : [];
  }
  if (/^[A-Za-z]*$/.test(before)) {
    const present = new Set<string>(policy ? [...policy.entries.keys()] : []);
    const current = /^([A-Za-z]+)/.exec(doc.getText({ start: { line: position.line, character: 0 }, end: { line: position.line + 1, character: 0 } }))?.[1];
    return POLICY_YAML_KEYS.filter((k) => !present.has(k) || k === current).map((k, i) => ({
      label: k,
      kind: CompletionItemKind.Property,
      detail: "SPIKE policy key",
      documentation: { kind: MarkupKind.Markdown, value: POLICY_KEY_DESCRIPTIONS[k] },
      insertText: KEY_SNIPPETS[k],
      insertTextFormat: InsertTextFormat.Snippet,
      sortText: String(i),
    }));
  }
  return [];
}
