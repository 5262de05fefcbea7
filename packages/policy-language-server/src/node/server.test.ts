import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import {
  CompletionRequest,
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  StreamMessageReader,
  StreamMessageWriter,
  type CompletionItem,
  type Hover,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from "vscode-languageserver/node";
import { PolicyLanguageServerError } from "../common/errors.js";
import { POLICY_SUMMARY_METHOD, type PolicySummaryResult } from "../common/protocol.js";
import { startPolicyLanguageServer, type PolicyLanguageServer } from "./server.js";

let server: PolicyLanguageServer | undefined;
let client: ProtocolConnection | undefined;

afterEach(async () => {
  client?.dispose();
  await server?.close();
  client = undefined;
  server = undefined;
});

async function connect(): Promise<{ client: ProtocolConnection; diagnostics: (uri: string, version: number) => Promise<PublishDiagnosticsParams> }> {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  server = startPolicyLanguageServer({ input: toServer, output: toClient });
  const c = createProtocolConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
  client = c;
  const waiting: Array<{ uri: string; version: number; resolve: (p: PublishDiagnosticsParams) => void }> = [];
  c.onNotification(PublishDiagnosticsNotification.type, (p) => {
    for (const w of [...waiting]) {
      if (w.uri === p.uri && w.version === p.version) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(p);
      }
    }
  });
  c.listen();
  const init = await c.sendRequest(InitializeRequest.type, { processId: null, rootUri: null, capabilities: {} });
  expect(init.capabilities.hoverProvider).toBe(true);
  expect(init.capabilities.completionProvider?.triggerCharacters).toContain("-");
  await c.sendNotification(InitializedNotification.type, {});
  return {
    client: c,
    diagnostics: (uri, version) => new Promise((resolve) => waiting.push({ uri, version, resolve })),
  };
}

const uri = "file:///w/web.policy.yaml";

describe("startPolicyLanguageServer over in-memory streams", () => {
  it("publishes diagnostics on open and again on change", async () => {
    const { client: c, diagnostics } = await connect();
    const opened = diagnostics(uri, 1);
    await c.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: "spike-policy", version: 1, text: "name: web.read\nspiffeidPattern: ^spiffe://spike\\.ist/web$\npathPattern: ^apps/\npermissions: [read, admin]\n" },
    });
    const first = await opened;
    expect(first.diagnostics.map((d) => [d.code, d.range.start.line])).toEqual([
      ["policy_name_invalid", 0],
      ["permissions_invalid", 3],
    ]);

    const changed = diagnostics(uri, 2);
    await c.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 2 },
      contentChanges: [{ text: "name: web-read\nspiffeidPattern: ^spiffe://spike\\.ist/web$\npathPattern: ^apps/\npermissions: [read]\n" }],
    });
    expect((await changed).diagnostics).toEqual([]);
  });

  it("answers completion, hover and the spike/policySummary request", async () => {
    const { client: c, diagnostics } = await connect();
    const opened = diagnostics(uri, 1);
    const text = "name: ops\nspiffeidPattern: ^spiffe://spike\\.ist/ops$\npathPattern: ^spike/system/acl$\npermissions:\n  - super\n  - ";
    await c.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: "spike-policy", version: 1, text } });
    await opened;

    const items = (await c.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line: 5, character: 4 } })) as CompletionItem[];
    expect(items.map((i) => i.label)).toEqual(["read", "write", "list", "execute"]);

    const hover = (await c.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 4, character: 5 } })) as Hover;
    expect(hover.contents).toEqual({ kind: "markdown", value: "**super**: wildcard: satisfies every request the policy's patterns match" });

    const unfinished = await c.sendRequest<PolicySummaryResult | null>(POLICY_SUMMARY_METHOD, { textDocument: { uri } });
    expect(unfinished).toEqual({
      policies: [{ name: "ops", valid: false, problem: 'unknown permission ""; use one of read, write, list, execute, super', reservedPaths: [] }],
    });
    const changed = diagnostics(uri, 2);
    await c.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: 2 }, contentChanges: [{ text: text.replace(/\n  - $/, "\n") }] });
    expect((await changed).diagnostics).toEqual([]);
    const summary = await c.sendRequest<PolicySummaryResult | null>(POLICY_SUMMARY_METHOD, { textDocument: { uri } });
    expect(summary).toEqual({ policies: [{ name: "ops", valid: true, reservedPaths: ["spike/system/acl"] }] });
    expect(await c.sendRequest(POLICY_SUMMARY_METHOD, { textDocument: { uri: "file:///not-open.policy.yaml" } })).toBeNull();
  });

  it("refuses one stream without the other", () => {
    expect(() => startPolicyLanguageServer({ input: new PassThrough() })).toThrowError(
      expect.objectContaining({ code: "invalid_options" }),
    );
    try {
      startPolicyLanguageServer({ output: new PassThrough() });
    } catch (e) {
      expect(PolicyLanguageServerError.is(e, "invalid_options")).toBe(true);
    }
  });
});
