import {
  compileRe2,
  findRegexDialectNotes,
  isPermission,
  isRuleViolation,
  policyViolations,
  reservedPathViolation,
  validatePermissions,
  type NexusModelErrorCode,
  type Re2Pattern,
  type RuleViolation,
} from "@spike-ts/nexus-model";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { DiagnosticSeverity, type Diagnostic, type Range } from "vscode-languageserver-types";
import { parsePolicyDocument, type ParsedPolicy, type Span } from "./policy-document.js";
import { POLICY_SPEC_FIELD, POLICY_YAML_KEYS, suggestPolicyKey, type PolicyYamlKey } from "./policy-keys.js";

/** The `source` of every diagnostic this package reports. */
export const DIAGNOSTIC_SOURCE = "spike-policy";

/**
 * The `code` of a diagnostic: a `@spike-ts/nexus-model` rule code, or one of the YAML-level
 * codes `yaml_syntax`, `not_a_mapping`, `missing_key`, `unknown_key`, `wrong_type`, `regex_dialect`.
 */
export type PolicyDiagnosticCode =
  | NexusModelErrorCode
  | "yaml_syntax"
  | "not_a_mapping"
  | "missing_key"
  | "unknown_key"
  | "wrong_type"
  | "regex_dialect";

/** Which YAML key each model rule is about. */
const RULE_KEY: Partial<Record<NexusModelErrorCode, PolicyYamlKey>> = {
  policy_name_invalid: "name",
  spiffeid_pattern_invalid: "spiffeidPattern",
  path_pattern_invalid: "pathPattern",
  permissions_invalid: "permissions",
  reserved_path: "pathPattern",
};

function rangeOf(doc: TextDocument, span: Span): Range {
  return { start: doc.positionAt(span.start), end: doc.positionAt(Math.max(span.start, span.end)) };
}

function diagnostic(doc: TextDocument, span: Span, severity: DiagnosticSeverity, code: PolicyDiagnosticCode, message: string): Diagnostic {
  return { range: rangeOf(doc, span), severity, code, source: DIAGNOSTIC_SOURCE, message };
}

/** Drops the package prefix of a model message: the editor already names the source. */
function text(v: RuleViolation): string {
  const m = v.message.replace(/^nexus-model: /, "");
  return v.status === 500 ? m : `${m} (nexus answers ${v.status})`;
}

/** The spec `@spike-ts/nexus-model` checks: YAML keys renamed, values as Pilot would send them. */
function specOf(policy: ParsedPolicy): Record<string, unknown> {
  const spec: Record<string, unknown> = {};
  for (const [key, entry] of policy.entries) {
    const field = POLICY_SPEC_FIELD[key];
    if (key === "permissions") spec[field] = entry.items ? entry.items.map((i) => i.value) : entry.scalar?.value;
    else spec[field] = entry.scalar?.value;
  }
  return spec;
}

function analysePolicy(doc: TextDocument, policy: ParsedPolicy): Diagnostic[] {
  const out: Diagnostic[] = [];
  const { entries } = policy;

  for (const key of POLICY_YAML_KEYS) {
    if (!entries.has(key)) {
      out.push(diagnostic(doc, policy.headSpan, DiagnosticSeverity.Error, "missing_key", `policy: the key "${key}" is missing; pilot sends it empty and nexus refuses the policy`));
    }
  }
  for (const entry of policy.unknown) {
    const hint = suggestPolicyKey(entry.key);
    out.push(
      diagnostic(
        doc,
        entry.keySpan,
        DiagnosticSeverity.Warning,
        "unknown_key",
        `policy: unknown key "${entry.key}"; pilot ignores it${hint ? `. did you mean "${hint}"?` : `; the keys are ${POLICY_YAML_KEYS.join(", ")}`}`,
      ),
    );
  }
  let wrongType = false;
  for (const [key, entry] of entries) {
    const wantsList = key === "permissions";
    if ((wantsList && entry.kind !== "sequence") || (!wantsList && entry.kind !== "scalar")) {
      wrongType = true;
      out.push(
        diagnostic(doc, entry.valueSpan, DiagnosticSeverity.Error, "wrong_type", `policy: "${key}" must be ${wantsList ? "a list such as [read, list]" : "a string"}, not a ${entry.kind}`),
      );
    }
  }

  const perms = entries.get("permissions");
  const violations = policyViolations(specOf(policy));
  for (const v of violations) {
    if (v.code === "regex_invalid") continue; // placed per pattern below
    const key = RULE_KEY[v.code];
    const entry = key === undefined ? undefined : entries.get(key);
    if (!entry) continue; // reported as missing_key
    if (wrongType && entry.kind !== (key === "permissions" ? "sequence" : "scalar")) continue;
    if (key === "permissions" && entry.items && entry.items.length > 0) continue; // placed per item below
    out.push(diagnostic(doc, entry.valueSpan, DiagnosticSeverity.Error, v.code, text(v)));
  }

  if (perms?.items) {
    for (const item of perms.items) {
      if (isPermission(item.value)) continue;
      const v = validatePermissions([item.value ?? null]);
      if (v) out.push(diagnostic(doc, item, DiagnosticSeverity.Error, v.code, text(v)));
    }
  }

  const compiled: Partial<Record<"spiffeidPattern" | "pathPattern", Re2Pattern>> = {};
  for (const key of ["spiffeidPattern", "pathPattern"] as const) {
    const scalar = entries.get(key)?.scalar;
    if (!scalar) continue;
    const re = compileRe2(scalar.value);
    if (isRuleViolation(re)) {
      out.push(diagnostic(doc, scalar, DiagnosticSeverity.Error, re.code, `${key}: ${text(re)}`));
    } else {
      compiled[key] = re;
    }
    for (const note of findRegexDialectNotes(scalar.value)) {
      const start = scalar.offsetOf(note.index);
      const span = start === undefined ? scalar : { start, end: start + note.construct.length };
      out.push(diagnostic(doc, span, DiagnosticSeverity.Warning, "regex_dialect", `${note.construct}: ${note.note}`));
    }
  }

  // policyViolations() stops before the reserved-path guard while another rule is broken (Nexus
  // reports one problem); an editor shows them all, so run the model's guard on its own as soon as
  // both patterns pass their input rules and compile.
  const patternsOk = !violations.some((v) => v.code === "spiffeid_pattern_invalid" || v.code === "path_pattern_invalid");
  const pathEntry = entries.get("pathPattern");
  if (patternsOk && pathEntry && compiled.spiffeidPattern && compiled.pathPattern && !violations.some((v) => v.code === "reserved_path")) {
    const r = reservedPathViolation({ spiffeId: compiled.spiffeidPattern, path: compiled.pathPattern });
    if (r) out.push(diagnostic(doc, pathEntry.valueSpan, DiagnosticSeverity.Error, r.code, text(r)));
  }
  return out;
}

/**
 * Every problem of a SPIKE policy YAML file, as LSP diagnostics: YAML syntax, unknown and missing
 * keys, and every rule of `@spike-ts/nexus-model` (`policyViolations`: name, patterns, Go RE2
 * compile, permissions, reserved paths) placed on the value it is about, plus RE2-vs-JavaScript
 * dialect notes as warnings.
 *
 * @example
 * ```ts
 * const doc = TextDocument.create("file:///a.policy.yaml", "spike-policy", 1, "name: web\n");
 * policyDiagnostics(doc).map((d) => d.message);
 * // [ 'policy: the key "spiffeidPattern" is missing; ...', ... ]
 * ```
 */
export function policyDiagnostics(doc: TextDocument): Diagnostic[] {
  const parsed = parsePolicyDocument(doc);
  const out: Diagnostic[] = parsed.problems.map((p) =>
    diagnostic(doc, p, DiagnosticSeverity.Error, p.kind === "syntax" ? "yaml_syntax" : "not_a_mapping", p.message),
  );
  for (const policy of parsed.policies) out.push(...analysePolicy(doc, policy));
  return out.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
}
