import type { SecretMetadata, SecretVersionInfo } from "@spike-ts/sdk";

/** One version of a secret as the tree shows it. */
export interface VersionEntry {
  /** The version number. */
  readonly version: number;
  /** `v3`, plus `(current)` for the current version. */
  readonly label: string;
  /** When it was written (ISO 8601), and `deleted <time>` for a deleted version. */
  readonly description: string;
  /** Whether the version is soft-deleted (Nexus will not serve its values). */
  readonly deleted: boolean;
  /** Whether it is the current version. */
  readonly current: boolean;
  /** The nearest lower version that is live, to compare with; `undefined` when there is none. */
  readonly previous: number | undefined;
}

function describe(v: SecretVersionInfo): string {
  const created = v.createdTime.toISOString();
  return v.deletedTime ? `${created}, deleted ${v.deletedTime.toISOString()}` : created;
}

/**
 * The versions of a secret from its metadata, newest first, each with the live version before it
 * (deleted versions cannot be read, so they are skipped as diff bases and cannot be opened).
 */
export function versionEntries(metadata: SecretMetadata): VersionEntry[] {
  const ascending = [...metadata.versions].sort((a, b) => a.version - b.version);
  const out: VersionEntry[] = [];
  let previousLive: number | undefined;
  for (const v of ascending) {
    const current = v.version === metadata.currentVersion && metadata.currentVersion !== 0;
    out.push({
      version: v.version,
      label: `v${v.version}${current ? " (current)" : ""}`,
      description: describe(v),
      deleted: v.deletedTime !== undefined,
      current,
      previous: v.deletedTime === undefined ? previousLive : undefined,
    });
    if (v.deletedTime === undefined) previousLive = v.version;
  }
  return out.reverse();
}
