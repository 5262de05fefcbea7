const brand: unique symbol = Symbol.for("@spike-ts/vscode-extension.error");

/**
 * What went wrong in the extension's own layer:
 * - `uri_invalid`: a `spike-secret:` URI that this extension did not make;
 * - `closed`: the Nexus session was used after the extension was deactivated.
 */
export type ExtensionErrorCode = "uri_invalid" | "closed";

/** The one error class of the SPIKE VS Code extension (errors of lower layers pass through unchanged). */
export class ExtensionError extends Error {
  override name = "ExtensionError";
  readonly [brand] = true;
  /** What went wrong. */
  readonly code: ExtensionErrorCode;

  constructor(code: ExtensionErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }

  /** Whether `v` is an `ExtensionError` (from any copy), optionally with `code`. */
  static is(v: unknown, code?: ExtensionErrorCode): v is ExtensionError {
    return typeof v === "object" && v !== null && brand in v && (!code || (v as ExtensionError).code === code);
  }
}
