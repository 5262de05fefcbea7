import type { Diagnostic, CompletionItem, Hover } from "vscode-languageserver-types";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { expectTypeOf } from "vitest";
import {
  PolicyLanguageServerError,
  policyCompletions,
  policyDiagnostics,
  policyHover,
  policySummaries,
  POLICY_SUMMARY_METHOD,
  type PolicyDiagnosticCode,
  type PolicyLanguageServerErrorCode,
  type PolicySummary,
  type PolicyYamlKey,
} from "./index.js";
import { startPolicyLanguageServer, type PolicyLanguageServer } from "./node/index.js";

declare const doc: TextDocument;
expectTypeOf(policyDiagnostics(doc)).toEqualTypeOf<Diagnostic[]>();
expectTypeOf(policyCompletions(doc, { line: 0, character: 0 })).toEqualTypeOf<CompletionItem[]>();
expectTypeOf(policyHover(doc, { line: 0, character: 0 })).toEqualTypeOf<Hover | undefined>();
expectTypeOf(policySummaries(doc)).toEqualTypeOf<PolicySummary[]>();
expectTypeOf<typeof POLICY_SUMMARY_METHOD>().toEqualTypeOf<"spike/policySummary">();
expectTypeOf<PolicyYamlKey>().toEqualTypeOf<"name" | "spiffeidPattern" | "pathPattern" | "permissions">();
expectTypeOf<"reserved_path">().toMatchTypeOf<PolicyDiagnosticCode>();
expectTypeOf<"regex_dialect">().toMatchTypeOf<PolicyDiagnosticCode>();
expectTypeOf<PolicyLanguageServerErrorCode>().toEqualTypeOf<"invalid_options">();

expectTypeOf(startPolicyLanguageServer).parameter(0).toEqualTypeOf<
  { input?: NodeJS.ReadableStream; output?: NodeJS.WritableStream } | undefined
>();
expectTypeOf<PolicyLanguageServer["close"]>().returns.toEqualTypeOf<Promise<void>>();

declare const e: unknown;
if (PolicyLanguageServerError.is(e, "invalid_options")) expectTypeOf(e.code).toEqualTypeOf<PolicyLanguageServerErrorCode>();
