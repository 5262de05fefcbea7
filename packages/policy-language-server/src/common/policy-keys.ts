import type { PolicySpec } from "@spike-ts/nexus-model";

/** A key of a SPIKE policy YAML file, spelled as Pilot reads it (spec §4.1). */
export type PolicyYamlKey = "name" | "spiffeidPattern" | "pathPattern" | "permissions";

/** The four keys of a policy YAML file, in the order Pilot documents them. */
export const POLICY_YAML_KEYS: readonly PolicyYamlKey[] = Object.freeze([
  "name",
  "spiffeidPattern",
  "pathPattern",
  "permissions",
]);

/** The `PolicySpec` field each YAML key fills (note `spiffeidPattern` becomes `spiffeIdPattern`). */
export const POLICY_SPEC_FIELD: Readonly<Record<PolicyYamlKey, keyof PolicySpec>> = Object.freeze({
  name: "name",
  spiffeidPattern: "spiffeIdPattern",
  pathPattern: "pathPattern",
  permissions: "permissions",
});

/** What each key means, for completion and hover. */
export const POLICY_KEY_DESCRIPTIONS: Readonly<Record<PolicyYamlKey, string>> = Object.freeze({
  name: "The policy name, its only identifier: 1–250 bytes of letters, digits, `-`, `_` and space.",
  spiffeidPattern:
    "Go RE2 regex matched **somewhere in** the caller's SPIFFE ID (no anchors are added). Must start with `spiffe://` after at most one `^`; write `^spiffe://td/path$`.",
  pathPattern:
    "Go RE2 regex matched **somewhere in** the secret path (no anchors are added): `^apps/web/` grants everything under `apps/web/`. 1–500 bytes.",
  permissions: "A non-empty list of `read`, `write`, `list`, `execute`, `super`.",
});

/** Whether `key` is one of the four policy YAML keys (exact, case-sensitive, as yaml.v3 matches them). */
export function isPolicyYamlKey(key: string): key is PolicyYamlKey {
  return (POLICY_YAML_KEYS as readonly string[]).includes(key);
}

/** The policy key `key` most likely meant (case or spelling slip), or `undefined`. */
export function suggestPolicyKey(key: string): PolicyYamlKey | undefined {
  const lower = key.toLowerCase().replace(/[-_ ]/g, "");
  for (const k of POLICY_YAML_KEYS) if (k.toLowerCase() === lower) return k;
  let best: PolicyYamlKey | undefined;
  let bestDistance = 3;
  for (const k of POLICY_YAML_KEYS) {
    const d = editDistance(lower, k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}
