const encoder = new TextEncoder();

/** The UTF-8 length of `s`, which is what Go's `len()` counts. @internal */
export function utf8Length(s: string): number {
  return encoder.encode(s).length;
}

/** `s` quoted for a message, shortened to `max` characters. @internal */
export function quote(s: string, max = 80): string {
  // Callers pass what they were given; a non-string never reaches JSON.stringify (BigInt throws there).
  if (typeof s !== "string") return `(${s === null ? "null" : typeof s})`;
  const cut = s.length > max ? `${s.slice(0, max)}…` : s;
  return JSON.stringify(cut);
}

/** The first character of `s` not accepted by `ok`, with its index, or undefined. @internal */
export function firstBadChar(s: string, ok: (ch: string) => boolean): { ch: string; index: number } | undefined {
  let index = 0;
  for (const ch of s) {
    if (!ok(ch)) return { ch, index };
    index += ch.length;
  }
  return undefined;
}
