/**
 * The custom LSP requests of the SPIKE policy language server, declared once for the server and
 * every client. Plain method names and JSON shapes, so this file needs no LSP library.
 */

/** Method name of the request that summarises each policy of a document. */
export const POLICY_SUMMARY_METHOD = "spike/policySummary";

/** Parameters of {@link POLICY_SUMMARY_METHOD}: the document to summarise (it must be open). */
export interface PolicySummaryParams {
  /** The document, by URI. */
  readonly textDocument: { readonly uri: string };
}

/** One policy of a document as Nexus would store it. */
export interface PolicySummary {
  /** The policy name (as written; may be empty when missing). */
  readonly name: string;
  /** Whether Nexus would accept the policy (no error diagnostics of the model's rules). */
  readonly valid: boolean;
  /** The first rule broken, lower case, when not valid. */
  readonly problem?: string;
  /** Reserved `spike/system/...` paths the policy can reach (empty when not valid). */
  readonly reservedPaths: readonly string[];
}

/** Result of {@link POLICY_SUMMARY_METHOD}: one entry per YAML document that is a mapping; `null` for an unknown document. */
export interface PolicySummaryResult {
  /** The policies, in document order. */
  readonly policies: readonly PolicySummary[];
}
