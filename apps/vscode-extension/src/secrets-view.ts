import * as vscode from "vscode";
import { describeError } from "./describe-error.js";
import type { NexusSession } from "./nexus-session.js";
import { buildSecretTree, type SecretFolder, type SecretLeaf } from "./secret-tree.js";
import { versionEntries, type VersionEntry } from "./versions.js";

/** A folder node (one path segment). */
export class FolderNode extends vscode.TreeItem {
  override readonly contextValue = "spike.folder";
  constructor(readonly folder: SecretFolder) {
    super(folder.label, vscode.TreeItemCollapsibleState.Collapsed);
    this.id = `folder:${folder.prefix}`;
    this.iconPath = vscode.ThemeIcon.Folder;
  }
}

/** A secret node; it expands to its versions, read from metadata. */
export class SecretNode extends vscode.TreeItem {
  override readonly contextValue = "spike.secret";
  constructor(readonly secret: SecretLeaf) {
    super(secret.label, vscode.TreeItemCollapsibleState.Collapsed);
    this.id = `secret:${secret.path}`;
    this.tooltip = secret.path;
    this.iconPath = new vscode.ThemeIcon("key");
  }
}

/** A version node; `contextValue` says whether it can be compared with a previous version. */
export class VersionNode extends vscode.TreeItem {
  override readonly contextValue: string;
  constructor(
    readonly path: string,
    readonly entry: VersionEntry,
  ) {
    super(entry.label, vscode.TreeItemCollapsibleState.None);
    this.id = `version:${path}@${entry.version}`;
    this.description = entry.description;
    this.contextValue = entry.deleted ? "spike.deletedVersion" : entry.previous !== undefined ? "spike.version.hasPrevious" : "spike.version";
    this.iconPath = new vscode.ThemeIcon(entry.deleted ? "trash" : "versions");
    this.tooltip = entry.deleted ? `${path} ${entry.label}: deleted, its values cannot be read` : `${path} ${entry.label}: click to open (shows the values)`;
    if (!entry.deleted) {
      this.command = { command: "spike.secrets.openVersion", title: "Open Version", arguments: [this] };
    }
  }
}

/** A node that only shows a message (an error or "no versions"). */
export class MessageNode extends vscode.TreeItem {
  override readonly contextValue = "spike.message";
  constructor(message: string, error: boolean) {
    super(message, vscode.TreeItemCollapsibleState.None);
    this.tooltip = message;
    this.iconPath = new vscode.ThemeIcon(error ? "error" : "info");
  }
}

/** Any node of the SPIKE Secrets view. */
export type SecretsViewNode = FolderNode | SecretNode | VersionNode | MessageNode;

/** The one TreeDataProvider of the `spike.secrets` view. */
export class SecretsTreeProvider implements vscode.TreeDataProvider<SecretsViewNode>, vscode.Disposable {
  readonly #changed = new vscode.EventEmitter<SecretsViewNode | undefined>();
  readonly onDidChangeTreeData = this.#changed.event;
  readonly #session: NexusSession;

  constructor(session: NexusSession) {
    this.#session = session;
  }

  /** Reloads the whole tree. */
  refresh(): void {
    this.#changed.fire(undefined);
  }

  getTreeItem(node: SecretsViewNode): vscode.TreeItem {
    return node;
  }

  async getChildren(node?: SecretsViewNode): Promise<SecretsViewNode[]> {
    try {
      if (!node) {
        const paths = await this.#session.listSecretPaths();
        if (paths.length === 0) return [];
        return buildSecretTree(paths).map((e) => (e.kind === "folder" ? new FolderNode(e) : new SecretNode(e)));
      }
      if (node instanceof FolderNode) {
        return node.folder.children.map((e) => (e.kind === "folder" ? new FolderNode(e) : new SecretNode(e)));
      }
      if (node instanceof SecretNode) {
        const entries = versionEntries(await this.#session.metadata(node.secret.path));
        return entries.length === 0 ? [new MessageNode("no versions", false)] : entries.map((e) => new VersionNode(node.secret.path, e));
      }
      return [];
    } catch (e) {
      return [new MessageNode(describeError(e), true)];
    }
  }

  dispose(): void {
    this.#changed.dispose();
  }
}
