import { ExtensionError } from "./errors.js";

/** The URI scheme of the read-only documents that show one secret version. */
export const SECRET_SCHEME = "spike-secret";

/** The parts of a `spike-secret:` URI, as VS Code's `Uri` holds them. */
export interface SecretUriParts {
  /** Always {@link SECRET_SCHEME}. */
  readonly scheme: string;
  /** `/<secret path>@v<version>.json`, only for the tab title. */
  readonly path: string;
  /** `path=<encoded secret path>&version=<n>`, the lossless form. */
  readonly query: string;
}

/**
 * The URI parts of the document showing `version` of the secret at `path`. The query carries the
 * exact path (secret paths may hold `?`, `[`, `{`...), the URI path only makes a readable tab title.
 */
export function secretUri(path: string, version: number): SecretUriParts {
  if (!Number.isInteger(version) || version < 1) {
    throw new ExtensionError("uri_invalid", `vscode-extension: version must be a positive integer, got ${String(version)}`);
  }
  const title = path.replace(/^\/+/, "");
  return {
    scheme: SECRET_SCHEME,
    path: `/${title}@v${version}.json`,
    query: new URLSearchParams({ path, version: String(version) }).toString(),
  };
}

/** Reads back what {@link secretUri} made; throws `ExtensionError` (`uri_invalid`) otherwise. */
export function parseSecretUri(uri: { readonly scheme: string; readonly query: string }): { path: string; version: number } {
  if (uri.scheme !== SECRET_SCHEME) throw new ExtensionError("uri_invalid", `vscode-extension: not a ${SECRET_SCHEME}: uri`);
  const q = new URLSearchParams(uri.query);
  const path = q.get("path");
  const version = Number(q.get("version"));
  if (!path || !Number.isInteger(version) || version < 1) {
    throw new ExtensionError("uri_invalid", `vscode-extension: this ${SECRET_SCHEME}: uri has no secret path and version; open versions from the SPIKE Secrets view`);
  }
  return { path, version };
}
