import { compilePolicy, reservedPathsReachable, validatePolicySpec, type PolicySpec } from "@spike-ts/nexus-model";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { parsePolicyDocument } from "./policy-document.js";
import { POLICY_SPEC_FIELD } from "./policy-keys.js";
import type { PolicySummary } from "./protocol.js";

/**
 * Summarises every policy of a document (the `spike/policySummary` request): whether Nexus would
 * accept it and which reserved paths it reaches, using `@spike-ts/nexus-model`.
 */
export function policySummaries(doc: TextDocument): PolicySummary[] {
  return parsePolicyDocument(doc).policies.map((policy) => {
    const spec: Record<string, unknown> = {};
    for (const [key, entry] of policy.entries) {
      spec[POLICY_SPEC_FIELD[key]] = key === "permissions" ? entry.items?.map((i) => i.value) ?? entry.scalar?.value : entry.scalar?.value;
    }
    const name = typeof spec["name"] === "string" ? spec["name"] : "";
    const problem = validatePolicySpec(spec);
    if (problem) return { name, valid: false, problem: problem.message.replace(/^nexus-model: /, ""), reservedPaths: [] };
    return { name, valid: true, reservedPaths: reservedPathsReachable(compilePolicy(spec as unknown as PolicySpec)) };
  });
}
