import { createSpikeClient, type SecretMetadata, type SpikeClientOptions } from "@spike-ts/sdk";
import { ExtensionError } from "./errors.js";
import { clientOptionsFromSettings, type ExtensionSettings } from "./settings.js";

/** The part of `SpikeClient` the extension uses (a seam for tests). */
export interface SecretsBackend {
  /** Every secret path. */
  listSecretKeys(options?: { signal?: AbortSignal }): Promise<string[]>;
  /** Versions and metadata of one secret, no values. */
  getSecretMetadata(path: string, options?: { signal?: AbortSignal }): Promise<SecretMetadata>;
  /** One version of a secret. */
  getSecret(path: string, options?: { version?: number; signal?: AbortSignal }): Promise<{ reveal(): Record<string, string> }>;
  /** Releases the connection. */
  close(): Promise<void>;
}

/** Options of {@link createNexusSession}. */
export interface NexusSessionOptions {
  /** Reads the current `spike.*` settings (called at each connect). */
  settings: () => ExtensionSettings;
  /** The environment the settings fall back to (the extension host's `process.env`). */
  env: Readonly<Record<string, string | undefined>>;
  /** Opens a client (default `createSpikeClient`). */
  connect?: (options: SpikeClientOptions) => Promise<SecretsBackend>;
}

/** A lazily opened, resettable connection to Nexus for the tree view and the secret documents. */
export interface NexusSession {
  /** Every secret path, sorted as Nexus lists them. */
  listSecretPaths(): Promise<string[]>;
  /** The metadata of the secret at `path` (versions, no values). */
  metadata(path: string): Promise<SecretMetadata>;
  /** The values of `version` of the secret at `path`; only called when the user opens it. */
  readVersion(path: string, version: number): Promise<Record<string, string>>;
  /** Drops the connection (settings changed); the next call connects again. Cancels pending calls. */
  reset(): Promise<void>;
  /** Closes the connection for good. Idempotent. */
  close(): Promise<void>;
}

interface Connection {
  readonly controller: AbortController;
  readonly client: Promise<SecretsBackend>;
}

/**
 * Creates the extension's Nexus session. It connects on first use with the current settings
 * (falling back to the environment), forgets a failed connect so that Refresh retries, and
 * cancels pending calls on {@link NexusSession.reset} and {@link NexusSession.close}.
 *
 * @example
 * ```ts
 * const session = createNexusSession({ settings: () => ({ nexusUrl: "" }), env: process.env });
 * const paths = await session.listSecretPaths();
 * await session.close();
 * ```
 */
export function createNexusSession(options: NexusSessionOptions): NexusSession {
  if (typeof options?.settings !== "function") {
    throw new TypeError("vscode-extension: createNexusSession needs a settings() function");
  }
  const connect = options.connect ?? ((o: SpikeClientOptions) => createSpikeClient(o));
  let current: Connection | undefined;
  let closed = false;

  function open(): Connection {
    if (closed) throw new ExtensionError("closed", "vscode-extension: the nexus session is closed; reload the window");
    if (current) return current;
    const controller = new AbortController();
    const conn: Connection = {
      controller,
      client: connect({ ...clientOptionsFromSettings(options.settings(), options.env), signal: controller.signal }),
    };
    conn.client.catch(() => {
      if (current === conn) current = undefined;
    });
    current = conn;
    return conn;
  }

  async function drop(): Promise<void> {
    const conn = current;
    current = undefined;
    if (!conn) return;
    conn.controller.abort();
    const client = await conn.client.catch(() => undefined);
    await client?.close();
  }

  async function call<T>(fn: (client: SecretsBackend, signal: AbortSignal) => Promise<T>): Promise<T> {
    const conn = open();
    return fn(await conn.client, conn.controller.signal);
  }

  return {
    listSecretPaths: () => call((c, signal) => c.listSecretKeys({ signal })),
    metadata: (path) => call((c, signal) => c.getSecretMetadata(path, { signal })),
    readVersion: (path, version) => call(async (c, signal) => (await c.getSecret(path, { version, signal })).reveal()),
    reset: drop,
    async close() {
      if (closed) return;
      closed = true;
      await drop();
    },
  };
}
