import * as vscode from "vscode";
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from "vscode-languageclient/node";
import { createNexusSession } from "./nexus-session.js";
import { SECRET_SCHEME } from "./secret-uri.js";
import { SecretDocumentProvider, secretDocumentUri } from "./secret-documents.js";
import { SecretsTreeProvider, VersionNode } from "./secrets-view.js";
import { settingsKey, type ExtensionSettings } from "./settings.js";

let client: LanguageClient | undefined;

function readSettings(): ExtensionSettings {
  const c = vscode.workspace.getConfiguration("spike");
  return {
    nexusUrl: c.get<string>("nexusUrl"),
    workloadApiSocket: c.get<string>("workloadApiSocket"),
    trustRoot: c.get<string>("trustRoot"),
  };
}

function startLanguageClient(context: vscode.ExtensionContext): LanguageClient {
  const module = context.asAbsolutePath("dist/server.cjs");
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.stdio },
    debug: { module, transport: TransportKind.stdio },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: "spike-policy" }],
  };
  return new LanguageClient("spike.policy", "SPIKE Policy", serverOptions, clientOptions);
}

/** Activates the extension: the SPIKE Secrets view, secret version documents and the policy language client. */
export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const session = createNexusSession({ settings: readSettings, env: process.env });
  context.subscriptions.push({ dispose: () => void session.close() });

  const tree = new SecretsTreeProvider(session);
  context.subscriptions.push(tree);
  context.subscriptions.push(vscode.window.createTreeView("spike.secrets", { treeDataProvider: tree, showCollapseAll: true }));
  context.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(SECRET_SCHEME, new SecretDocumentProvider(session)));

  context.subscriptions.push(
    vscode.commands.registerCommand("spike.secrets.refresh", async () => {
      await session.reset();
      tree.refresh();
    }),
    vscode.commands.registerCommand("spike.secrets.openVersion", async (node: unknown) => {
      if (!(node instanceof VersionNode)) return;
      const doc = await vscode.workspace.openTextDocument(secretDocumentUri(node.path, node.entry.version));
      await vscode.languages.setTextDocumentLanguage(doc, "json");
      await vscode.window.showTextDocument(doc, { preview: true });
    }),
    vscode.commands.registerCommand("spike.secrets.compareWithPrevious", async (node: unknown) => {
      if (!(node instanceof VersionNode) || node.entry.previous === undefined) return;
      const left = secretDocumentUri(node.path, node.entry.previous);
      const right = secretDocumentUri(node.path, node.entry.version);
      await vscode.commands.executeCommand("vscode.diff", left, right, `${node.path}: v${node.entry.previous} ↔ v${node.entry.version}`, { preview: true });
    }),
  );

  let key = settingsKey(readSettings());
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (!e.affectsConfiguration("spike")) return;
      const next = settingsKey(readSettings());
      if (next === key) return;
      key = next;
      await session.reset();
      tree.refresh();
    }),
  );

  client = startLanguageClient(context);
  const started = client;
  context.subscriptions.push({ dispose: () => void stopClient(started) });
  await started.start();
}

async function stopClient(c: LanguageClient | undefined): Promise<void> {
  if (c?.needsStop()) await c.stop();
}

/** Deactivates the extension: stops the language server (the rest is disposed through `context.subscriptions`). */
export async function deactivate(): Promise<void> {
  const c = client;
  client = undefined;
  await stopClient(c);
}
