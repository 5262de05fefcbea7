/** One readable line for an error from any SPIKE layer: class, code and message, never a value. */
export function describeError(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return `${e.name}${typeof code === "string" ? ` [${code}]` : ""}: ${e.message}`;
  }
  return String(e);
}

/** Escapes `text` for use inside an RE2 regular expression. */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
