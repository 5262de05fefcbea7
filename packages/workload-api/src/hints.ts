/**
 * Walks the SVID entries of a Workload API response, dropping hint-duplicates: the first entry
 * with a given hint wins, an empty hint is never a duplicate. Yields `[index in the message,
 * entry, hint]` (the index names the entry in error messages).
 */
export function* firstPerHint<E extends { readonly hint?: string | null | undefined }>(entries: readonly E[]): Generator<[number, E, string]> {
  const seen = new Set<string>();
  for (const [i, e] of entries.entries()) {
    const hint = e.hint ?? "";
    if (hint !== "") {
      if (seen.has(hint)) continue;
      seen.add(hint);
    }
    yield [i, e, hint];
  }
}
