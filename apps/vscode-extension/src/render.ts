/**
 * The text of a secret version document: its values as pretty JSON with the keys sorted, so
 * that two versions diff line by line. Only called when the user opens the version.
 */
export function renderSecretVersion(values: Readonly<Record<string, string>>): string {
  const sorted = Object.fromEntries(Object.entries(values).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return `${JSON.stringify(sorted, null, 2)}\n`;
}
