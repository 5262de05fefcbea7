// The versioned secret record and the Nexus versioning algorithm (spec §5.3, §5.4).
// Every function is pure: it returns a new record and never changes its input, so a
// store can persist the result first and publish it only once that worked.

/** One stored version of a secret. */
export interface SecretVersion {
  /** The key/value map of this version. */
  readonly data: Readonly<Record<string, string>>;
  /** When this version was written. */
  readonly createdTime: Date;
  /** When this version was soft-deleted, or `null` while it is live. */
  readonly deletedTime: Date | null;
}

/** The per-path metadata of a secret (spec §5.3). */
export interface SecretMetadata {
  /** The current version, or 0 when every version is deleted. */
  readonly currentVersion: number;
  /** The oldest version as Nexus tracks it (see §5.4: it can lag or be 0). */
  readonly oldestVersion: number;
  /** When the path was first written. */
  readonly createdTime: Date;
  /** When `currentVersion` last changed. */
  readonly updatedTime: Date;
  /** How many versions Nexus keeps for this path. */
  readonly maxVersions: number;
}

/** Everything Nexus keeps for one secret path. */
export interface SecretRecord {
  /** Versions by number. */
  readonly versions: ReadonlyMap<number, SecretVersion>;
  /** The path's metadata. */
  readonly metadata: SecretMetadata;
}

function sortedNumbers(versions: ReadonlyMap<number, SecretVersion>, pick?: (v: SecretVersion) => boolean): number[] {
  const out: number[] = [];
  for (const [n, v] of versions) if (!pick || pick(v)) out.push(n);
  return out.sort((a, b) => a - b);
}

const isLive = (v: SecretVersion): boolean => v.deletedTime === null;

/**
 * Put: always a new version (spec §5.4). The new number is `current + 1`, or the highest
 * stored number + 1 when `current` is 0. QUIRK (§5.4 "current+1 overwrite"): that number
 * can be a soft-deleted version, which is then overwritten.
 */
export function putSecretVersion(
  record: SecretRecord | undefined,
  data: Readonly<Record<string, string>>,
  now: Date,
  maxVersions: number,
): SecretRecord {
  if (!record) {
    return {
      versions: new Map([[1, { data, createdTime: now, deletedTime: null }]]),
      metadata: { currentVersion: 1, oldestVersion: 1, createdTime: now, updatedTime: now, maxVersions },
    };
  }
  const versions = new Map(record.versions);
  const m = record.metadata;
  const numbers = sortedNumbers(versions);
  const next = m.currentVersion === 0 ? (numbers.at(-1) ?? 0) + 1 : m.currentVersion + 1;
  versions.set(next, { data, createdTime: now, deletedTime: null });
  let oldest = m.oldestVersion;
  if (versions.size > maxVersions) {
    const all = sortedNumbers(versions);
    for (const n of all.slice(0, versions.size - maxVersions)) versions.delete(n);
    oldest = sortedNumbers(versions)[0] ?? 0;
  }
  return {
    versions,
    metadata: { ...m, currentVersion: next, oldestVersion: oldest, updatedTime: now, maxVersions },
  };
}

/**
 * Soft delete (spec §5.4): an empty list means `[current]`, a 0 means `current`; missing
 * versions are ignored; an already deleted version gets a new timestamp.
 */
export function deleteSecretVersions(record: SecretRecord, requested: readonly number[] | null, now: Date): SecretRecord {
  const m = record.metadata;
  const list = !requested || requested.length === 0 ? [m.currentVersion] : requested.map((v) => (v === 0 ? m.currentVersion : v));
  const versions = new Map(record.versions);
  let currentDeleted = false;
  for (const n of list) {
    const v = versions.get(n);
    if (!v) continue;
    versions.set(n, { ...v, deletedTime: now });
    if (n === m.currentVersion) currentDeleted = true;
  }
  let current = m.currentVersion;
  let updated = m.updatedTime;
  if (currentDeleted) {
    current = sortedNumbers(versions, isLive).at(-1) ?? 0;
    updated = now;
  }
  const oldest = sortedNumbers(versions, isLive)[0] ?? 0;
  return { versions, metadata: { ...m, currentVersion: current, oldestVersion: oldest, updatedTime: updated } };
}

/**
 * Undelete (spec §5.4). Returns `undefined` when nothing was undeleted, which Nexus
 * answers with 404. QUIRK (§5.4 "undelete-404"): `[0]` after every version was deleted
 * is skipped and gives 404; an empty list then targets the highest deleted version.
 */
export function undeleteSecretVersions(record: SecretRecord, requested: readonly number[] | null, now: Date): SecretRecord | undefined {
  const m = record.metadata;
  let list: number[];
  if (!requested || requested.length === 0) {
    if (m.currentVersion === 0) {
      const highestDeleted = sortedNumbers(record.versions, (v) => !isLive(v)).at(-1);
      if (highestDeleted === undefined) return undefined;
      list = [highestDeleted];
    } else {
      list = [m.currentVersion];
    }
  } else {
    list = [];
    for (const v of requested) {
      if (v !== 0) list.push(v);
      else if (m.currentVersion !== 0) list.push(m.currentVersion);
    }
  }
  const versions = new Map(record.versions);
  let highest = -1;
  for (const n of list) {
    const v = versions.get(n);
    if (!v || isLive(v)) continue;
    versions.set(n, { ...v, deletedTime: null });
    if (n > highest) highest = n;
  }
  if (highest < 0) return undefined;
  let current = m.currentVersion;
  let updated = m.updatedTime;
  if (highest > current) {
    current = highest;
    updated = now;
  }
  const oldest = sortedNumbers(versions, isLive)[0] ?? 0;
  return { versions, metadata: { ...m, currentVersion: current, oldestVersion: oldest, updatedTime: updated } };
}

/**
 * The live version that get and metadata read: `version` 0 means current (spec §1.5.2).
 * `undefined` means 404 (missing, pruned, deleted, or every version deleted).
 */
export function readableVersion(record: SecretRecord, version: number): SecretVersion | undefined {
  const n = version === 0 ? record.metadata.currentVersion : version;
  if (n === 0) return undefined;
  const v = record.versions.get(n);
  return v && isLive(v) ? v : undefined;
}
