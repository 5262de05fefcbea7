/** A folder of the secrets tree: one path segment shared by several secret paths. */
export interface SecretFolder {
  /** `"folder"`. */
  readonly kind: "folder";
  /** The segment shown (`(empty)` for the empty segment of `/a` or `a//b`). */
  readonly label: string;
  /** The path prefix up to and including this segment, with a trailing `/`. */
  readonly prefix: string;
  /** Sub-folders first, then secrets, each sorted by label. */
  readonly children: readonly SecretTreeEntry[];
}

/** A secret of the secrets tree. */
export interface SecretLeaf {
  /** `"secret"`. */
  readonly kind: "secret";
  /** The last segment. */
  readonly label: string;
  /** The full secret path, exactly as Nexus lists it. */
  readonly path: string;
}

/** A node of the secrets tree. */
export type SecretTreeEntry = SecretFolder | SecretLeaf;

const EMPTY_SEGMENT = "(empty)";

interface Draft {
  folders: Map<string, Draft>;
  secrets: Map<string, string>;
  prefix: string;
}

function freeze(draft: Draft): SecretTreeEntry[] {
  const byLabel = (a: SecretTreeEntry, b: SecretTreeEntry): number => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0);
  const folders: SecretTreeEntry[] = [...draft.folders].map(([segment, d]) => ({
    kind: "folder" as const,
    label: segment === "" ? EMPTY_SEGMENT : segment,
    prefix: d.prefix,
    children: freeze(d),
  }));
  const secrets: SecretTreeEntry[] = [...draft.secrets].map(([segment, path]) => ({
    kind: "secret" as const,
    label: segment === "" ? EMPTY_SEGMENT : segment,
    path,
  }));
  return [...folders.sort(byLabel), ...secrets.sort(byLabel)];
}

/**
 * Groups secret paths by `/` segment for the tree view. Paths are not normalised (Nexus keeps
 * `/a`, `a` and `a//b` apart), so empty segments become `(empty)` folders; a path that is also
 * a prefix of others (`a` and `a/b`) appears as a secret and as a folder side by side.
 *
 * @example
 * ```ts
 * buildSecretTree(["apps/web/db", "apps/api"]);
 * // [{ kind: "folder", label: "apps", prefix: "apps/", children: [
 * //     { kind: "folder", label: "web", prefix: "apps/web/", children: [{ kind: "secret", label: "db", path: "apps/web/db" }] },
 * //     { kind: "secret", label: "api", path: "apps/api" }] }]
 * ```
 */
export function buildSecretTree(paths: Iterable<string>): SecretTreeEntry[] {
  const root: Draft = { folders: new Map(), secrets: new Map(), prefix: "" };
  for (const path of new Set(paths)) {
    const segments = path.split("/");
    let node = root;
    for (const segment of segments.slice(0, -1)) {
      let next = node.folders.get(segment);
      if (!next) {
        next = { folders: new Map(), secrets: new Map(), prefix: `${node.prefix}${segment}/` };
        node.folders.set(segment, next);
      }
      node = next;
    }
    node.secrets.set(segments.at(-1) ?? "", path);
  }
  return freeze(root);
}
