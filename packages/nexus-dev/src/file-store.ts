// A durable store of plain JSON files. Each secret path and each policy is one file,
// named by the SHA-256 of its key. A write goes to a temp file in the same directory,
// is fsynced, renamed over the target, and the directory is fsynced: after the promise
// resolves the change survives a crash (kill -9, power loss on a sane filesystem), and
// a crash before that leaves the previous file whole.
import { createHash, randomUUID } from "node:crypto";
import { link, mkdir, open, readdir, readFile, rename, rm, unlink } from "node:fs/promises";
import { join, resolve } from "node:path";
import { NexusDevError } from "./errors.js";
import type { SecretRecord, SecretVersion } from "./secret-record.js";
import type { NexusStore, StoredPolicy, StoredState } from "./store.js";

/** Options of {@link createFileStore}. */
export interface FileStoreOptions {
  /** The directory to keep the files in; created (mode 0700) when missing. */
  readonly directory: string;
}

const FORMAT = 1;
/** Directories locked by stores of this process (the LOCK file alone cannot tell them apart). */
const lockedHere = new Set<string>();
const TMP_PREFIX = ".tmp-";

function fileName(key: string): string {
  return `${createHash("sha256").update(key, "utf8").digest("hex")}.json`;
}

function ioError(what: string, cause: unknown): NexusDevError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  return new NexusDevError("store_io", `nexus-dev: file store could not ${what}${code ? ` (${code})` : ""}; check the directory exists and is writable`, { cause });
}

async function fsyncDirectory(dir: string): Promise<void> {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function atomicWrite(dir: string, name: string, content: string): Promise<void> {
  const tmp = join(dir, `${TMP_PREFIX}${randomUUID()}`);
  try {
    const fh = await open(tmp, "wx", 0o600);
    try {
      await fh.writeFile(content, "utf8");
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, join(dir, name));
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
  await fsyncDirectory(dir);
}

interface SecretFile {
  format: number;
  path: string;
  metadata: { currentVersion: number; oldestVersion: number; createdTime: string; updatedTime: string; maxVersions: number };
  versions: Array<{ version: number; data: Record<string, string>; createdTime: string; deletedTime: string | null }>;
}

interface PolicyFile {
  format: number;
  name: string;
  spiffeIdPattern: string;
  pathPattern: string;
  permissions: string[];
  createdAt: string;
  updatedAt: string;
}

function encodeSecret(path: string, r: SecretRecord): string {
  const m = r.metadata;
  const file: SecretFile = {
    format: FORMAT,
    path,
    metadata: {
      currentVersion: m.currentVersion,
      oldestVersion: m.oldestVersion,
      createdTime: m.createdTime.toISOString(),
      updatedTime: m.updatedTime.toISOString(),
      maxVersions: m.maxVersions,
    },
    versions: [...r.versions].map(([version, v]) => ({
      version,
      data: { ...v.data },
      createdTime: v.createdTime.toISOString(),
      deletedTime: v.deletedTime ? v.deletedTime.toISOString() : null,
    })),
  };
  return JSON.stringify(file);
}

/**
 * Why a store file is not a valid record. Carries no text of the file: `JSON.parse` errors quote
 * the input around the failure, which could be a secret value, so they are never kept as `cause`.
 */
class RecordError extends Error {
  override name = "RecordError";
}

function parseJsonFile(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const at = /position (\d+)/.exec((e as Error).message)?.[1];
    throw new RecordError(`not valid json${at === undefined ? "" : ` near character ${at}`}`);
  }
}

function object(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new RecordError(`${what} is not an object`);
  return v as Record<string, unknown>;
}

function date(s: unknown): Date {
  if (typeof s !== "string") throw new RecordError("a time is not a string");
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) throw new RecordError("a time does not parse");
  return d;
}

function int(n: unknown): number {
  if (typeof n !== "number" || !Number.isSafeInteger(n)) throw new RecordError("a number is not an integer");
  return n;
}

function stringMap(v: unknown): Record<string, string> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new RecordError("a version's data is not a map");
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== "string") throw new RecordError("a version's data holds a value that is not a string");
    Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function decodeSecret(text: string): { path: string; record: SecretRecord } {
  const f = object(parseJsonFile(text), "the file");
  if (f["format"] !== FORMAT) throw new RecordError(`format is not ${FORMAT}`);
  if (typeof f["path"] !== "string" || f["path"] === "") throw new RecordError("path is not a non-empty string");
  if (!Array.isArray(f["versions"])) throw new RecordError("versions is not an array");
  const versions = new Map<number, SecretVersion>();
  for (const raw of f["versions"] as unknown[]) {
    const v = object(raw, "a version");
    const n = int(v["version"]);
    if (n < 1) throw new RecordError(`version number ${n} is not positive`);
    if (versions.has(n)) throw new RecordError(`version ${n} appears twice`);
    versions.set(n, {
      data: stringMap(v["data"]),
      createdTime: date(v["createdTime"]),
      deletedTime: v["deletedTime"] === null ? null : date(v["deletedTime"]),
    });
  }
  const m = object(f["metadata"], "metadata");
  const metadata = {
    currentVersion: int(m["currentVersion"]),
    oldestVersion: int(m["oldestVersion"]),
    createdTime: date(m["createdTime"]),
    updatedTime: date(m["updatedTime"]),
    maxVersions: int(m["maxVersions"]),
  };
  // The invariants every record the versioning algorithm (§5.4) produces keeps; a record that
  // breaks one would make get/put/delete misbehave later, so it is refused at load.
  if (versions.size === 0) throw new RecordError("no versions");
  if (metadata.maxVersions < 1) throw new RecordError("maxVersions is not positive");
  if (metadata.oldestVersion < 0) throw new RecordError("oldestVersion is negative");
  const current = metadata.currentVersion;
  if (current < 0) throw new RecordError("currentVersion is negative");
  if (current !== 0) {
    const v = versions.get(current);
    if (!v) throw new RecordError(`currentVersion ${current} is not among the versions`);
    if (v.deletedTime !== null) throw new RecordError(`currentVersion ${current} is deleted`);
  }
  for (const [n, v] of versions) {
    if (v.deletedTime === null && n > current) throw new RecordError(`live version ${n} is above currentVersion ${current}`);
  }
  return { path: f["path"] as string, record: { versions, metadata } };
}

function encodePolicy(p: StoredPolicy): string {
  const file: PolicyFile = {
    format: FORMAT,
    name: p.name,
    spiffeIdPattern: p.spiffeIdPattern,
    pathPattern: p.pathPattern,
    permissions: [...p.permissions],
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
  return JSON.stringify(file);
}

const PERMISSIONS = new Set(["read", "write", "list", "execute", "super"]);

function decodePolicy(text: string): StoredPolicy {
  const f = object(parseJsonFile(text), "the file");
  if (f["format"] !== FORMAT) throw new RecordError(`format is not ${FORMAT}`);
  if (typeof f["name"] !== "string" || f["name"] === "") throw new RecordError("name is not a non-empty string");
  if (typeof f["spiffeIdPattern"] !== "string" || typeof f["pathPattern"] !== "string") throw new RecordError("a pattern is not a string");
  const permissions = f["permissions"];
  if (!Array.isArray(permissions) || permissions.length === 0 || !permissions.every((p) => typeof p === "string" && PERMISSIONS.has(p))) {
    throw new RecordError("permissions is not a non-empty list of read, write, list, execute, super");
  }
  return {
    name: f["name"] as string,
    spiffeIdPattern: f["spiffeIdPattern"] as string,
    pathPattern: f["pathPattern"] as string,
    permissions: permissions as string[],
    createdAt: date(f["createdAt"]),
    updatedAt: date(f["updatedAt"]),
  };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * A durable store of plain files in `directory`: `secrets/`, `policies/` and a `LOCK`
 * file naming the owning process. A write that got HTTP 200 survives `kill -9` right
 * after; a write that failed leaves the previous file whole. Files are mode 0600 and
 * hold secret values in clear text: this is a development store.
 *
 * @example
 * ```ts
 * const nexus = await createDevNexus({ source, store: createFileStore({ directory: "./.spike-dev" }) });
 * ```
 */
export function createFileStore(options: FileStoreOptions): NexusStore {
  if (typeof options?.directory !== "string" || options.directory.length === 0) {
    throw new NexusDevError("invalid_options", "nexus-dev: createFileStore needs a directory");
  }
  const root = options.directory;
  const secretsDir = join(root, "secrets");
  const policiesDir = join(root, "policies");
  const lockFile = join(root, "LOCK");
  const lockKey = resolve(root);
  let state: "new" | "open" | "closed" = "new";

  const ensureOpen = (): void => {
    if (state === "closed") throw new NexusDevError("closed", "nexus-dev: file store is closed");
    if (state === "new") throw new NexusDevError("closed", "nexus-dev: file store is not loaded yet; call load() first");
  };

  // The LOCK file holds "<pid>\n<random token>\n". It appears with its content in one step
  // (written to a temp file, then hard-linked into place, which fails if LOCK exists), so a
  // reader never sees a half-written lock. A stale lock (its process is gone) is taken over by
  // renaming it aside first: only one racer can move that file, and one that finds it moved a
  // fresh lock instead puts it back. Plain "remove, then create" let two starting servers each
  // remove the other's new lock and both run.
  const token = `${process.pid}\n${randomUUID()}\n`;

  async function createLock(): Promise<boolean> {
    const tmp = join(root, `${TMP_PREFIX}lock-${randomUUID()}`);
    try {
      const fh = await open(tmp, "wx", 0o600);
      try {
        await fh.writeFile(token);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await link(tmp, lockFile);
      await fsyncDirectory(root);
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EEXIST" || code === "ENOENT") return false; // ENOENT: the winner swept our temp file
      throw ioError("create its LOCK file", e);
    } finally {
      await rm(tmp, { force: true }).catch(() => undefined);
    }
  }

  async function takeLock(): Promise<void> {
    if (lockedHere.has(lockKey)) {
      throw new NexusDevError("store_locked", `nexus-dev: file store ${root} is in use by another server of this process; close it first`);
    }
    for (let attempt = 0; attempt < 5; attempt++) {
      if (await createLock()) {
        lockedHere.add(lockKey);
        return;
      }
      const seen = await readFile(lockFile, "utf8").catch(() => undefined);
      if (seen === undefined) continue; // removed meanwhile: try again
      const owner = Number.parseInt(seen, 10);
      if (Number.isSafeInteger(owner) && owner !== process.pid && pidAlive(owner)) {
        throw new NexusDevError("store_locked", `nexus-dev: file store ${root} is in use by process ${owner}; stop it or use another directory`);
      }
      // stale (e.g. after kill -9): move exactly that file aside, then check it was the one judged
      const aside = join(root, `${TMP_PREFIX}stale-lock-${randomUUID()}`);
      try {
        await rename(lockFile, aside);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") continue; // another server took it over first
        throw ioError("take over its stale LOCK file", e);
      }
      const moved = await readFile(aside, "utf8").catch(() => undefined);
      if (moved !== seen) await link(aside, lockFile).catch(() => undefined); // a fresh lock: give it back
      await rm(aside, { force: true });
    }
    throw new NexusDevError("store_locked", `nexus-dev: could not lock file store ${root}; another server is starting on it`);
  }

  /** Removes LOCK only while it is still this store's own. */
  async function releaseLock(): Promise<void> {
    const text = await readFile(lockFile, "utf8").catch(() => undefined);
    if (text === token) await rm(lockFile, { force: true });
  }

  async function readAll<T>(dir: string, decode: (text: string) => T, signal?: AbortSignal): Promise<Array<{ file: string; value: T }>> {
    const out: Array<{ file: string; value: T }> = [];
    for (const file of await readdir(dir)) {
      signal?.throwIfAborted();
      if (file.startsWith(TMP_PREFIX)) {
        await rm(join(dir, file), { force: true }); // a write that never got acknowledged
        continue;
      }
      if (!file.endsWith(".json")) continue;
      const text = await readFile(join(dir, file), "utf8");
      try {
        out.push({ file, value: decode(text) });
      } catch (e) {
        // Only our own RecordError (which quotes nothing from the file) may travel as the reason.
        const why = e instanceof RecordError ? e.message : "it does not decode";
        throw new NexusDevError("store_corrupt", `nexus-dev: file store entry ${join(dir, file)} is not a valid record (${why}); move it away to start`);
      }
    }
    return out;
  }

  return {
    kind: "file",
    async load(opts) {
      if (state === "closed") throw new NexusDevError("closed", "nexus-dev: file store is closed");
      if (state === "open") throw new NexusDevError("invalid_options", "nexus-dev: file store is already loaded by a server");
      try {
        await mkdir(secretsDir, { recursive: true, mode: 0o700 });
        await mkdir(policiesDir, { recursive: true, mode: 0o700 });
        await fsyncDirectory(root); // the new sub-directories survive a crash too
      } catch (e) {
        throw ioError(`create ${root}`, e);
      }
      await takeLock();
      try {
        // temp files of lock attempts that crashed half-way (never the LOCK itself)
        for (const f of await readdir(root)) if (f.startsWith(TMP_PREFIX)) await rm(join(root, f), { force: true });
        const secrets = new Map<string, SecretRecord>();
        for (const { file, value } of await readAll(secretsDir, decodeSecret, opts?.signal)) {
          if (fileName(value.path) !== file) throw new NexusDevError("store_corrupt", `nexus-dev: file store entry ${join(secretsDir, file)} does not match the path it holds`);
          secrets.set(value.path, value.record);
        }
        const policies = new Map<string, StoredPolicy>();
        for (const { file, value } of await readAll(policiesDir, decodePolicy, opts?.signal)) {
          if (fileName(value.name) !== file) throw new NexusDevError("store_corrupt", `nexus-dev: file store entry ${join(policiesDir, file)} does not match the policy it holds`);
          policies.set(value.name, value);
        }
        state = "open";
        const loaded: StoredState = { secrets, policies };
        return loaded;
      } catch (e) {
        await releaseLock();
        lockedHere.delete(lockKey);
        if (NexusDevError.is(e)) throw e;
        throw ioError(`read ${root}`, e);
      }
    },
    async writeSecret(path, record) {
      ensureOpen();
      try {
        await atomicWrite(secretsDir, fileName(path), encodeSecret(path, record));
      } catch (e) {
        throw ioError("write a secret", e);
      }
    },
    async writePolicy(policy) {
      ensureOpen();
      try {
        await atomicWrite(policiesDir, fileName(policy.name), encodePolicy(policy));
      } catch (e) {
        throw ioError("write a policy", e);
      }
    },
    async removePolicy(name) {
      ensureOpen();
      try {
        await unlink(join(policiesDir, fileName(name))).catch((e: NodeJS.ErrnoException) => {
          if (e.code !== "ENOENT") throw e;
        });
        await fsyncDirectory(policiesDir);
      } catch (e) {
        throw ioError("remove a policy", e);
      }
    },
    async close() {
      if (state === "closed") return;
      const wasOpen = state === "open";
      state = "closed";
      if (wasOpen) {
        lockedHere.delete(lockKey);
        await releaseLock();
      }
    },
  };
}
