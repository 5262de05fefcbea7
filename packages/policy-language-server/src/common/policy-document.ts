import type { TextDocument } from "vscode-languageserver-textdocument";
import { isMap, isScalar, isSeq, parseAllDocuments, type Node, type Scalar } from "yaml";
import { isPolicyYamlKey, type PolicyYamlKey } from "./policy-keys.js";

/** A span of the document, as UTF-16 offsets (`start` inclusive, `end` exclusive). */
export interface Span {
  /** Offset of the first character. */
  readonly start: number;
  /** Offset just past the last character. */
  readonly end: number;
}

/** A string scalar of the policy file with where its text sits in the document. */
export interface PolicyScalar extends Span {
  /** The value as Pilot reads it (YAML failsafe schema: every scalar is a string). */
  readonly value: string;
  /**
   * Offset in the document of character `index` of `value`, when the source spells the value
   * character for character (plain, or quoted without escapes); otherwise `undefined`.
   */
  offsetOf(index: number): number | undefined;
}

/** One key of a policy mapping, with its key span and its value. */
export interface PolicyEntry {
  /** The key as written. */
  readonly key: string;
  /** Where the key is. */
  readonly keySpan: Span;
  /** Where the value is (the key's span when the value is missing). */
  readonly valueSpan: Span;
  /** The value when it is a scalar. */
  readonly scalar: PolicyScalar | undefined;
  /** The items when the value is a sequence (non-scalar items are `undefined`). */
  readonly items: ReadonlyArray<PolicyScalar | { readonly start: number; readonly end: number; readonly value?: undefined }> | undefined;
  /** `"scalar"`, `"sequence"` or `"mapping"`. */
  readonly kind: "scalar" | "sequence" | "mapping";
}

/** One YAML document of a policy file, read as a policy. */
export interface ParsedPolicy {
  /** The whole document's span. */
  readonly span: Span;
  /** Where to report whole-policy problems (the first key, or the document start). */
  readonly headSpan: Span;
  /** The four known keys that are present. */
  readonly entries: ReadonlyMap<PolicyYamlKey, PolicyEntry>;
  /** Keys Pilot does not know (yaml.v3 ignores them). */
  readonly unknown: readonly PolicyEntry[];
}

/** A problem found while reading YAML (not a policy rule). */
export interface YamlProblem extends Span {
  /** What is wrong, lower case. */
  readonly message: string;
  /** `"syntax"` (the YAML does not parse) or `"shape"` (not a mapping). */
  readonly kind: "syntax" | "shape";
}

/** A policy file read for analysis: every YAML document that is a mapping, plus problems. */
export interface ParsedPolicyFile {
  /** One entry per YAML document that is a mapping. */
  readonly policies: readonly ParsedPolicy[];
  /** Syntax errors and documents that are not a mapping. */
  readonly problems: readonly YamlProblem[];
}

function spanOf(node: Node | null | undefined, fallback: Span): Span {
  const r = node?.range;
  if (!r) return fallback;
  return { start: r[0], end: Math.max(r[0], r[1]) };
}

function scalarOf(node: Scalar, text: string): PolicyScalar {
  const [start, end] = node.range ?? [0, 0];
  const value = String(node.value ?? "");
  const source = text.slice(start, end);
  let base: number | undefined;
  if (node.type === "PLAIN" && source === value) base = start;
  else if ((node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE") && source.slice(1, -1) === value) base = start + 1;
  return {
    start,
    end,
    value,
    offsetOf: (index) => (base === undefined || index < 0 || index > value.length ? undefined : base + index),
  };
}

function entryOf(keyNode: Node | null, valueNode: Node | null, text: string): PolicyEntry | undefined {
  if (!isScalar(keyNode)) return undefined;
  const keySpan = spanOf(keyNode, { start: 0, end: 0 });
  const valueSpan = spanOf(valueNode, keySpan);
  const key = String(keyNode.value ?? "");
  if (isSeq(valueNode)) {
    const items = valueNode.items.map((item) => {
      if (isScalar(item)) return scalarOf(item, text);
      return spanOf(item as Node, valueSpan);
    });
    return { key, keySpan, valueSpan, scalar: undefined, items, kind: "sequence" };
  }
  if (isMap(valueNode)) return { key, keySpan, valueSpan, scalar: undefined, items: undefined, kind: "mapping" };
  const scalar = isScalar(valueNode) ? scalarOf(valueNode, text) : { start: keySpan.end, end: keySpan.end, value: "", offsetOf: () => undefined };
  return { key, keySpan, valueSpan, scalar, items: undefined, kind: "scalar" };
}

/**
 * Reads a policy YAML file the way Pilot does (YAML failsafe schema: every scalar is a string)
 * while keeping where each key and value is, so diagnostics can point at them.
 */
export function parsePolicyDocument(doc: TextDocument): ParsedPolicyFile {
  const text = doc.getText();
  const policies: ParsedPolicy[] = [];
  const problems: YamlProblem[] = [];
  for (const yamlDoc of parseAllDocuments(text, { schema: "failsafe", prettyErrors: false })) {
    const span: Span = { start: yamlDoc.range[0], end: yamlDoc.range[2] };
    for (const e of yamlDoc.errors) {
      const first = e.message.split("\n")[0] ?? e.message;
      problems.push({ kind: "syntax", message: `yaml: ${first.charAt(0).toLowerCase()}${first.slice(1)}`, start: e.pos[0], end: Math.max(e.pos[1], e.pos[0] + 1) });
    }
    const contents = yamlDoc.contents;
    if (contents === null || (isScalar(contents) && (contents.value === "" || contents.value === null))) {
      if (text.slice(span.start, span.end).trim() !== "" || policies.length === 0) {
        problems.push({ kind: "shape", message: "policy: the document is empty; write name, spiffeidPattern, pathPattern and permissions", start: span.start, end: Math.max(span.start, span.end) });
      }
      continue;
    }
    if (!isMap(contents)) {
      problems.push({ kind: "shape", message: "policy: a policy document must be a mapping with name, spiffeidPattern, pathPattern and permissions", ...spanOf(contents, span) });
      continue;
    }
    const entries = new Map<PolicyYamlKey, PolicyEntry>();
    const unknown: PolicyEntry[] = [];
    for (const pair of contents.items) {
      const entry = entryOf(pair.key as Node | null, pair.value as Node | null, text);
      if (!entry) continue;
      if (isPolicyYamlKey(entry.key) && !entries.has(entry.key)) entries.set(entry.key, entry);
      else if (!isPolicyYamlKey(entry.key)) unknown.push(entry);
    }
    const firstKey = contents.items[0]?.key as Node | undefined;
    const headSpan = spanOf(firstKey, { start: span.start, end: span.start });
    policies.push({ span, headSpan, entries, unknown });
  }
  return { policies, problems };
}
