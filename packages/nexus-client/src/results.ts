import { isGoZeroTime, type NexusOperation, parseGoTime, type Permission } from "@spike-ts/nexus-model";
import { NexusError } from "./errors.js";

/** One kept version of a secret, from {@link SecretMetadata.versions}. */
export interface SecretVersionInfo {
  /** The version number (on the SQLite backend Nexus reports 0, see README). */
  readonly version: number;
  /** When the version was written. */
  readonly createdTime: Date;
  /** When it was soft-deleted, or `undefined` while it is live. */
  readonly deletedTime: Date | undefined;
}

/** A secret's metadata: path-level facts and every kept version, sorted by number. */
export interface SecretMetadata {
  /** The current version; 0 when every version is deleted. */
  readonly currentVersion: number;
  /** The lowest kept version (may be deleted, or 0). */
  readonly oldestVersion: number;
  /** When the path was first written. */
  readonly createdTime: Date;
  /** When the path last changed. */
  readonly updatedTime: Date;
  /** How many versions Nexus keeps for this path. */
  readonly maxVersions: number;
  /** Every kept version, ascending by number. */
  readonly versions: readonly SecretVersionInfo[];
}

/** A stored policy as read back from Nexus. */
export interface Policy {
  /** The policy name (its only identifier). */
  readonly name: string;
  /** The SPIFFE ID regex (sent by Nexus as `spiffiedPattern`). */
  readonly spiffeIdPattern: string;
  /** The path regex. */
  readonly pathPattern: string;
  /** What the policy grants; unknown strings from a newer Nexus are kept as is. */
  readonly permissions: readonly (Permission | (string & {}))[];
  /** When the policy was first created. */
  readonly createdAt: Date;
  /** When it was last overwritten, or `undefined` when Nexus sent Go's zero time. */
  readonly updatedAt: Date | undefined;
}

/** One entry of a policy list. */
export interface PolicySummary {
  /** The policy name. */
  readonly name: string;
}

/** The JSON-mode encrypt result: everything needed to decrypt later. */
export interface EncryptedData {
  /** The cipher format version (1). */
  readonly version: number;
  /** The 12-byte AES-GCM nonce. */
  readonly nonce: Uint8Array;
  /** The ciphertext with its 16-byte tag. */
  readonly ciphertext: Uint8Array;
}

/** Progress of an operator restore. */
export interface RestoreStatus {
  /** Shards Nexus holds now. */
  readonly collected: number;
  /** Shards still needed. */
  readonly remaining: number;
  /** Whether the root key has been rebuilt. */
  readonly restored: boolean;
}

/** One recovery shard from an operator recover. */
export interface RecoveredShard {
  /** The 1-based shard index. */
  readonly index: number;
  /** The 32 shard bytes. Zero them (`shard.fill(0)`) once stored. */
  readonly shard: Uint8Array;
}

/** Reads fields of a 200 body, throwing `bad_response` for a wrong shape. @internal */
export class BodyReader {
  constructor(
    private readonly operation: NexusOperation,
    private readonly attempts = 1,
  ) {}

  fail(what: string): never {
    throw new NexusError("bad_response", `nexus: ${this.operation} answered 200 but ${what}; the server does not speak this nexus api version`, {
      operation: this.operation,
      status: 200,
      attempts: this.attempts,
    });
  }

  string(o: Record<string, unknown>, key: string): string {
    const v = o[key];
    if (typeof v !== "string") this.fail(`"${key}" is not a string`);
    return v;
  }

  int(o: Record<string, unknown>, key: string): number {
    const v = o[key];
    if (typeof v !== "number" || !Number.isInteger(v)) this.fail(`"${key}" is not an integer`);
    return v;
  }

  bool(o: Record<string, unknown>, key: string): boolean {
    const v = o[key];
    if (typeof v !== "boolean") this.fail(`"${key}" is not a boolean`);
    return v;
  }

  time(o: Record<string, unknown>, key: string): Date {
    const s = this.string(o, key);
    try {
      return parseGoTime(s);
    } catch {
      return this.fail(`"${key}" is not an rfc 3339 time`);
    }
  }

  optionalTime(o: Record<string, unknown>, key: string): Date | undefined {
    const v = o[key];
    if (v === null || v === undefined) return undefined;
    if (typeof v === "string" && isGoZeroTime(v)) return undefined;
    return this.time(o, key);
  }

  object(o: Record<string, unknown>, key: string): Record<string, unknown> {
    const v = o[key];
    if (typeof v !== "object" || v === null || Array.isArray(v)) this.fail(`"${key}" is not an object`);
    return v as Record<string, unknown>;
  }

  /** An object or null/absent (Go nil map). */
  optionalObject(o: Record<string, unknown>, key: string): Record<string, unknown> {
    const v = o[key];
    if (v === null || v === undefined) return {};
    return this.object(o, key);
  }

  /** An array or null/absent (Go nil slice). */
  array(o: Record<string, unknown>, key: string): unknown[] {
    const v = o[key];
    if (v === null || v === undefined) return [];
    if (!Array.isArray(v)) this.fail(`"${key}" is not an array`);
    return v;
  }

  stringMap(o: Record<string, unknown>, key: string): Record<string, string> {
    const m = this.optionalObject(o, key);
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(m)) {
      if (typeof v !== "string") this.fail(`"${key}" has a value that is not a string`);
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }

  base64(o: Record<string, unknown>, key: string): Uint8Array {
    const v = o[key];
    if (v === null || v === undefined) return new Uint8Array(0);
    if (typeof v !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0) this.fail(`"${key}" is not standard base64`);
    return new Uint8Array(Buffer.from(v, "base64"));
  }
}

/** Converts a metadata body. @internal */
export function toSecretMetadata(r: BodyReader, body: Record<string, unknown>): SecretMetadata {
  const meta = r.object(body, "metadata");
  const versions: SecretVersionInfo[] = [];
  for (const [key, raw] of Object.entries(r.optionalObject(body, "versions"))) {
    if (typeof raw !== "object" || raw === null) r.fail(`version "${key}" is not an object`);
    const v = raw as Record<string, unknown>;
    // Go writes int map keys as plain decimal strings; nothing else ("", " 1", "1e0") is a version.
    if (typeof v["version"] !== "number" && !/^(0|[1-9][0-9]{0,15})$/.test(key)) r.fail(`version key "${key.slice(0, 40)}" is not a number`);
    const n = typeof v["version"] === "number" ? r.int(v, "version") : Number(key);
    versions.push({ version: n, createdTime: r.time(v, "createdTime"), deletedTime: r.optionalTime(v, "deletedTime") });
  }
  versions.sort((a, b) => a.version - b.version);
  return {
    currentVersion: r.int(meta, "currentVersion"),
    oldestVersion: r.int(meta, "oldestVersion"),
    createdTime: r.time(meta, "createdTime"),
    updatedTime: r.time(meta, "updatedTime"),
    maxVersions: r.int(meta, "maxVersions"),
    versions,
  };
}

/** Converts a policy body (`spiffiedPattern` on read; `spiffeidPattern` accepted too). @internal */
export function toPolicy(r: BodyReader, body: Record<string, unknown>): Policy {
  const key = typeof body["spiffiedPattern"] === "string" ? "spiffiedPattern" : "spiffeidPattern";
  const permissions = r.array(body, "permissions").map((p) => (typeof p === "string" ? p : r.fail("a permission is not a string")));
  return {
    name: r.string(body, "name"),
    spiffeIdPattern: r.string(body, key),
    pathPattern: r.string(body, "pathPattern"),
    permissions,
    createdAt: r.time(body, "createdAt"),
    updatedAt: r.optionalTime(body, "updatedAt"),
  };
}
