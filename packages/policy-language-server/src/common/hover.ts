import { compileRe2, isPermission, isRuleViolation, mayReachReservedPath, PERMISSION_DESCRIPTIONS, RESERVED_PATHS } from "@spike-ts/nexus-model";
import type { Position, TextDocument } from "vscode-languageserver-textdocument";
import { MarkupKind, type Hover } from "vscode-languageserver-types";
import { parsePolicyDocument, type ParsedPolicy, type Span } from "./policy-document.js";
import { isPolicyYamlKey, POLICY_KEY_DESCRIPTIONS } from "./policy-keys.js";

function within(span: Span, offset: number): boolean {
  return offset >= span.start && offset < Math.max(span.end, span.start + 1);
}

function hover(doc: TextDocument, span: Span, markdown: string): Hover {
  return {
    contents: { kind: MarkupKind.Markdown, value: markdown },
    range: { start: doc.positionAt(span.start), end: doc.positionAt(span.end) },
  };
}

/** What the path pattern reaches among the reserved paths, by the model's rule. */
function reservedPathNote(policy: ParsedPolicy): string {
  const spiffe = policy.entries.get("spiffeidPattern")?.scalar;
  const path = policy.entries.get("pathPattern")?.scalar;
  if (!spiffe || !path) return "";
  const spiffeId = compileRe2(spiffe.value);
  const compiledPath = compileRe2(path.value);
  if (isRuleViolation(spiffeId) || isRuleViolation(compiledPath)) return "";
  const reached = RESERVED_PATHS.filter((r) => mayReachReservedPath({ spiffeId, path: compiledPath }, r));
  return reached.length === 0
    ? "\n\nReaches no reserved `spike/system/...` path."
    : `\n\nReaches the reserved ${reached.map((r) => `\`${r}\``).join(", ")}.`;
}

/**
 * Hover text at `position` of a SPIKE policy YAML file: what a permission grants (from
 * `@spike-ts/nexus-model`), what a policy key means, or which reserved paths a path pattern
 * reaches; `undefined` elsewhere.
 *
 * @example
 * ```ts
 * const doc = TextDocument.create("file:///a.policy.yaml", "spike-policy", 1, "permissions: [list]\n");
 * policyHover(doc, { line: 0, character: 15 })?.contents; // { kind: 'markdown', value: '**list**: list secrets ...' }
 * ```
 */
export function policyHover(doc: TextDocument, position: Position): Hover | undefined {
  const offset = doc.offsetAt(position);
  for (const policy of parsePolicyDocument(doc).policies) {
    if (offset < policy.span.start || offset > policy.span.end) continue;
    for (const [key, entry] of policy.entries) {
      if (within(entry.keySpan, offset)) return hover(doc, entry.keySpan, `**${key}**: ${POLICY_KEY_DESCRIPTIONS[key]}`);
      if (key === "pathPattern" && entry.scalar && within(entry.scalar, offset)) {
        return hover(doc, entry.scalar, `**pathPattern** \`${entry.scalar.value}\`: Go RE2, matched somewhere in the path.${reservedPathNote(policy)}`);
      }
      for (const item of entry.items ?? []) {
        if (key === "permissions" && within(item, offset) && isPermission(item.value)) {
          return hover(doc, item, `**${item.value}**: ${PERMISSION_DESCRIPTIONS[item.value]}`);
        }
      }
    }
    for (const entry of policy.unknown) {
      if (within(entry.keySpan, offset) && !isPolicyYamlKey(entry.key)) {
        return hover(doc, entry.keySpan, `**${entry.key}** is not a SPIKE policy key; pilot ignores it.`);
      }
    }
  }
  return undefined;
}
