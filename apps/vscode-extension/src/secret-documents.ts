import * as vscode from "vscode";
import { describeError } from "./describe-error.js";
import type { NexusSession } from "./nexus-session.js";
import { renderSecretVersion } from "./render.js";
import { parseSecretUri, secretUri } from "./secret-uri.js";

/** The `vscode.Uri` of the read-only document showing `version` of the secret at `path`. */
export function secretDocumentUri(path: string, version: number): vscode.Uri {
  return vscode.Uri.from(secretUri(path, version));
}

/**
 * Serves `spike-secret:` documents: read-only, fetched from Nexus only when opened, never cached
 * by the extension (VS Code drops the text when the tab closes).
 */
export class SecretDocumentProvider implements vscode.TextDocumentContentProvider {
  readonly #session: NexusSession;
  constructor(session: NexusSession) {
    this.#session = session;
  }

  async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const { path, version } = parseSecretUri(uri);
    try {
      const values = await this.#session.readVersion(path, version);
      if (token.isCancellationRequested) return "";
      return renderSecretVersion(values);
    } catch (e) {
      const message = describeError(e);
      void vscode.window.showErrorMessage(message);
      return `// ${message}\n`;
    }
  }
}
