import {
  createConnection,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type InitializeResult,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import { policyCompletions } from "../common/completion.js";
import { policyDiagnostics } from "../common/diagnostics.js";
import { PolicyLanguageServerError } from "../common/errors.js";
import { policyHover } from "../common/hover.js";
import { POLICY_SUMMARY_METHOD, type PolicySummaryParams, type PolicySummaryResult } from "../common/protocol.js";
import { policySummaries } from "../common/summary.js";

/** Options of {@link startPolicyLanguageServer}. Give both streams, or neither for stdio. */
export interface PolicyLanguageServerOptions {
  /** Where LSP messages come from (default `process.stdin`). */
  input?: NodeJS.ReadableStream;
  /** Where LSP messages go (default `process.stdout`). */
  output?: NodeJS.WritableStream;
}

/** A running policy language server. */
export interface PolicyLanguageServer {
  /** The LSP connection (for tests and embedding). */
  readonly connection: Connection;
  /** Stops listening and releases the connection. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts the SPIKE policy language server over a pair of streams (stdio by default): full-text
 * sync, diagnostics on open and change, completion of keys and permissions, hover on keys and
 * permissions, and the custom `spike/policySummary` request.
 *
 * @example
 * ```ts
 * // server.ts, run by the editor as `node server.cjs --stdio`
 * startPolicyLanguageServer();
 * ```
 */
export function startPolicyLanguageServer(options: PolicyLanguageServerOptions = {}): PolicyLanguageServer {
  const { input, output } = options;
  if ((input === undefined) !== (output === undefined)) {
    throw new PolicyLanguageServerError("invalid_options", "policy-language-server: give both input and output streams, or neither to use stdio");
  }
  const connection = createConnection(input ?? process.stdin, output ?? process.stdout);
  const documents = new TextDocuments(TextDocument);
  let closed = false;

  connection.onInitialize(
    (): InitializeResult => ({
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Full,
        completionProvider: { triggerCharacters: ["-", " ", "[", ","] },
        hoverProvider: true,
      },
      serverInfo: { name: "spike-policy-language-server" },
    }),
  );

  const publish = (doc: TextDocument): void => {
    if (closed) return;
    void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics: policyDiagnostics(doc) });
  };
  documents.onDidOpen((e) => publish(e.document));
  documents.onDidChangeContent((e) => publish(e.document));
  documents.onDidClose((e) => {
    if (!closed) void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  connection.onCompletion((params) => {
    const doc = documents.get(params.textDocument.uri);
    return doc ? policyCompletions(doc, params.position) : [];
  });
  connection.onHover((params) => {
    const doc = documents.get(params.textDocument.uri);
    return doc ? (policyHover(doc, params.position) ?? null) : null;
  });
  connection.onRequest(POLICY_SUMMARY_METHOD, (params: PolicySummaryParams): PolicySummaryResult | null => {
    const doc = documents.get(params.textDocument.uri);
    return doc ? { policies: policySummaries(doc) } : null;
  });

  documents.listen(connection);
  connection.listen();

  return {
    connection,
    async close() {
      if (closed) return;
      closed = true;
      connection.dispose();
    },
  };
}
