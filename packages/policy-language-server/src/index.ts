export { PolicyLanguageServerError, type PolicyLanguageServerErrorCode } from "./common/errors.js";
export {
  POLICY_YAML_KEYS,
  POLICY_SPEC_FIELD,
  POLICY_KEY_DESCRIPTIONS,
  isPolicyYamlKey,
  suggestPolicyKey,
  type PolicyYamlKey,
} from "./common/policy-keys.js";
export {
  parsePolicyDocument,
  type Span,
  type PolicyScalar,
  type PolicyEntry,
  type ParsedPolicy,
  type ParsedPolicyFile,
  type YamlProblem,
} from "./common/policy-document.js";
export { DIAGNOSTIC_SOURCE, policyDiagnostics, type PolicyDiagnosticCode } from "./common/diagnostics.js";
export { policyCompletions } from "./common/completion.js";
export { policyHover } from "./common/hover.js";
export { policySummaries } from "./common/summary.js";
export {
  POLICY_SUMMARY_METHOD,
  type PolicySummaryParams,
  type PolicySummary,
  type PolicySummaryResult,
} from "./common/protocol.js";
