import { formatGoTime } from "@spike-ts/nexus-model";
import type { Policy, PolicySummary, SecretMetadata } from "@spike-ts/sdk";
import { stringify } from "yaml";
import type { OutputFormat } from "./args.js";

/** Plain-object form for YAML output (null prototype so keys like `__proto__` stay data). */
function yaml(value: unknown): string {
  const text = stringify(value, { lineWidth: 0 });
  return text.endsWith("\n") ? text : `${text}\n`;
}

function sortedEntries(data: Readonly<Record<string, string>>): Array<[string, string]> {
  return Object.entries(data).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function sortedObject(data: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of sortedEntries(data)) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

/**
 * Formats `secret get` output: `key: value` lines sorted by key (human), the map with a
 * 4-space indent (json, as Pilot), or YAML. With `key`, only that value.
 */
export function formatSecret(data: Readonly<Record<string, string>>, key: string | undefined, format: OutputFormat): string {
  if (key !== undefined) {
    const value = data[key] as string;
    if (format === "json") return `${JSON.stringify(value)}\n`;
    if (format === "yaml") return yaml(value);
    return `${value}\n`;
  }
  if (format === "json") return `${JSON.stringify(sortedObject(data), null, 4)}\n`;
  if (format === "yaml") return Object.keys(data).length === 0 ? "{}\n" : yaml(sortedObject(data));
  return sortedEntries(data)
    .map(([k, v]) => `${k}: ${v}\n`)
    .join("");
}

/** Formats `secret list` output: `- path` lines or `No secrets found.`, a 2-space JSON array, or YAML. */
export function formatSecretList(keys: readonly string[], format: OutputFormat): string {
  if (format === "json") return `${JSON.stringify(keys, null, 2)}\n`;
  if (format === "yaml") return keys.length === 0 ? "[]\n" : yaml([...keys]);
  if (keys.length === 0) return "No secrets found.\n";
  return keys.map((k) => `- ${k}\n`).join("");
}

/** Formats a date as Go's `2006-01-02 15:04:05 MST` layout, in UTC. */
export function formatHumanTime(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** The wire shape of secret metadata (`data.SecretMetadata`), as Pilot prints it in JSON. */
export function metadataWireShape(meta: SecretMetadata): Record<string, unknown> {
  const versions: Record<string, unknown> = {};
  for (const v of [...meta.versions].sort((a, b) => (String(a.version) < String(b.version) ? -1 : 1))) {
    versions[String(v.version)] = {
      createdTime: formatGoTime(v.createdTime),
      version: v.version,
      deletedTime: v.deletedTime ? formatGoTime(v.deletedTime) : null,
    };
  }
  return {
    versions,
    metadata: {
      currentVersion: meta.currentVersion,
      oldestVersion: meta.oldestVersion,
      createdTime: formatGoTime(meta.createdTime),
      updatedTime: formatGoTime(meta.updatedTime),
      maxVersions: meta.maxVersions,
    },
  };
}

/** Formats `secret metadata get` output (human, the wire shape in 2-space JSON, or YAML). */
export function formatMetadata(meta: SecretMetadata, format: OutputFormat): string {
  if (format === "json") return `${JSON.stringify(metadataWireShape(meta), null, 2)}\n`;
  if (format === "yaml") return yaml(metadataWireShape(meta));
  const lines = [
    "Metadata:",
    `  Current Version: ${meta.currentVersion}`,
    `  Oldest Version: ${meta.oldestVersion}`,
    `  Created Time: ${formatHumanTime(meta.createdTime)}`,
    `  Updated Time: ${formatHumanTime(meta.updatedTime)}`,
    `  Max Versions: ${meta.maxVersions}`,
    "",
    "Secret Versions:",
  ];
  for (const v of meta.versions) {
    lines.push(`  Version ${v.version}:`, `    Created: ${formatHumanTime(v.createdTime)}`);
    if (v.deletedTime) lines.push(`    Deleted: ${formatHumanTime(v.deletedTime)}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Formats `policy list` output as Pilot does (`POLICIES` block, or a `{id,name}` JSON array). */
export function formatPolicyList(policies: readonly PolicySummary[], format: OutputFormat): string {
  const sorted = [...policies].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const wire = sorted.map((p) => ({ id: "", name: p.name }));
  if (format === "json") return `${JSON.stringify(wire, null, 2)}\n`;
  if (format === "yaml") return wire.length === 0 ? "[]\n" : yaml(wire);
  if (sorted.length === 0) return "No policies found.\n";
  return ["POLICIES", "========", "", ...sorted.flatMap((p) => [`Name: ${p.name}`, "--------", ""])].join("\n") + "\n";
}

/** The wire shape of a policy (`data.Policy`, with Nexus's `spiffiedPattern` spelling). */
export function policyWireShape(p: Policy): Record<string, unknown> {
  return {
    id: "",
    name: p.name,
    spiffiedPattern: p.spiffeIdPattern,
    pathPattern: p.pathPattern,
    permissions: [...p.permissions],
    createdAt: formatGoTime(p.createdAt),
    updatedAt: p.updatedAt ? formatGoTime(p.updatedAt) : "0001-01-01T00:00:00Z",
  };
}

/** Formats `policy get` output (`POLICY DETAILS` block, `data.Policy` JSON, or YAML). */
export function formatPolicy(p: Policy, format: OutputFormat): string {
  if (format === "json") return `${JSON.stringify(policyWireShape(p), null, 2)}\n`;
  if (format === "yaml") return yaml(policyWireShape(p));
  const lines = [
    "POLICY DETAILS",
    "=============",
    "",
    `Name: ${p.name}`,
    `SPIFFE ID Pattern: ${p.spiffeIdPattern}`,
    `Path Pattern: ${p.pathPattern}`,
    `Permissions: ${p.permissions.join(", ")}`,
    `Created At: ${formatGoTime(p.createdAt)}`,
  ];
  if (p.updatedAt) lines.push(`Updated At: ${formatGoTime(p.updatedAt)}`);
  return `${lines.join("\n")}\n`;
}
