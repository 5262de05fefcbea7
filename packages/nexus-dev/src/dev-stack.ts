import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { roleIds, ROLE_TRUST_ROOT_ENV, type NexusRole } from "@spike-ts/nexus-model";
import { createTestCa, type TestCa } from "@spike-ts/spiffe/testing";
import { createX509Source, type WorkloadX509Source } from "@spike-ts/workload-api";
import { type DevWorkloadApi, startDevWorkloadApi } from "@spike-ts/workload-api/testing";
import { createDevNexus, type DevNexus } from "./dev-nexus.js";
import { NexusDevError } from "./errors.js";
import type { NexusDevLogEntry } from "./handler.js";
import type { NexusStore } from "./store.js";

/** Options of {@link startDevStack}. */
export interface DevStackOptions {
  /** The trust domain of every identity (default `spike.ist`, SPIKE's default trust root). */
  readonly trustDomain?: string;
  /** The demo workload's SPIFFE ID (default `spiffe://<td>/demo/app`). */
  readonly workloadId?: string;
  /** Nexus TCP port (default 0: any free port). */
  readonly port?: number;
  /** Nexus address (default `127.0.0.1`). */
  readonly host?: string;
  /** Where Nexus keeps state (default: memory). */
  readonly store?: NexusStore;
  /** Folder for the Workload API sockets (default: a new `/tmp/sts-XXXXXX`, removed on close). */
  readonly socketDir?: string;
  /** X.509-SVID lifetime (default 1 h; SVIDs rotate at half-life). */
  readonly svidTtlMs?: number;
  /** `SPIKE_NEXUS_MAX_SECRET_VERSIONS` for the dev Nexus (default 10). */
  readonly maxSecretVersions?: number;
  /** Nexus request log. */
  readonly log?: (entry: NexusDevLogEntry) => void;
  /** Aborts startup (everything started so far is closed). */
  readonly signal?: AbortSignal;
}

/** The environment one identity needs to reach the dev Nexus, ready for `child_process` or `export`. */
export type DevStackEnv = Readonly<{
  SPIFFE_ENDPOINT_SOCKET: string;
  SPIKE_NEXUS_API_URL: string;
  SPIKE_TRUST_ROOT_NEXUS: string;
  SPIKE_TRUST_ROOT_PILOT: string;
  SPIKE_TRUST_ROOT_LITE_WORKLOAD: string;
  SPIKE_TRUST_ROOT_BOOTSTRAP: string;
  SPIKE_TRUST_ROOT_KEEPER: string;
}>;

/** One identity of the stack: its SPIFFE ID, Workload API, and env. */
export interface DevStackIdentity {
  /** The SPIFFE ID its Workload API socket hands out. */
  readonly spiffeId: string;
  /** The dev Workload API serving it (rotate, restart... for tests). */
  readonly workloadApi: DevWorkloadApi;
  /** The env for a process acting as this identity. */
  readonly env: DevStackEnv;
}

/** A running dev stack (see {@link startDevStack}). */
export interface DevStack {
  /** The trust domain. */
  readonly trustDomain: string;
  /** The CA that signs every SVID of the stack. */
  readonly ca: TestCa;
  /** The dev Nexus. */
  readonly nexus: DevNexus;
  /** `SPIKE_NEXUS_API_URL`. */
  readonly nexusUrl: string;
  /** The Nexus server identity (`spiffe://<td>/spike/nexus`). */
  readonly nexusIdentity: DevStackIdentity;
  /** The Pilot superuser (`spiffe://<td>/spike/pilot/role/superuser`). */
  readonly pilot: DevStackIdentity;
  /** The demo workload (governed by policies). */
  readonly workload: DevStackIdentity;
  /** Stops Nexus and the Workload API servers and removes the sockets. */
  close(): Promise<void>;
}

/**
 * Starts a local SPIKE dev stack: a fresh test CA, one dev Workload API socket per identity
 * (Nexus, the Pilot superuser, a demo workload) and the dev Nexus on loopback, fed by its
 * own socket. Returns the env each identity needs.
 *
 * @example
 * ```ts
 * const stack = await startDevStack();
 * const child = spawn("node", ["app.js"], { env: { ...process.env, ...stack.workload.env } });
 * await stack.close();
 * ```
 */
export async function startDevStack(options: DevStackOptions = {}): Promise<DevStack> {
  const td = options.trustDomain ?? "spike.ist";
  let roles: Readonly<Record<NexusRole, string>>;
  try {
    roles = roleIds(td);
  } catch (e) {
    throw new NexusDevError("invalid_options", `nexus-dev: trustDomain ${JSON.stringify(td)} is not a trust domain name`, { cause: e });
  }
  const workloadId = options.workloadId ?? `spiffe://${td}/demo/app`;
  if (!workloadId.startsWith(`spiffe://${td}/`)) {
    throw new NexusDevError("invalid_options", `nexus-dev: workloadId must be in the trust domain ${td}`);
  }
  options.signal?.throwIfAborted();

  const cleanup: Array<() => Promise<unknown>> = [];
  const closeAll = async (): Promise<void> => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
  };
  try {
    let dir = options.socketDir;
    if (!dir) {
      const made = await mkdtemp("/tmp/sts-");
      dir = made;
      cleanup.push(() => rm(made, { recursive: true, force: true }));
    }
    const ca = createTestCa({ trustDomain: td });
    const start = async (name: string, spiffeId: string): Promise<DevWorkloadApi> => {
      const api = await startDevWorkloadApi({
        ca,
        trustDomain: td,
        socketPath: join(dir, `${name}.sock`),
        identities: [{ spiffeId }],
        ...(options.svidTtlMs !== undefined ? { svidTtlMs: options.svidTtlMs } : {}),
      });
      cleanup.push(() => api.close());
      return api;
    };
    const nexusApi = await start("nexus", roles.nexus);
    const pilotApi = await start("pilot", roles.superuser);
    const workloadApi = await start("workload", workloadId);
    options.signal?.throwIfAborted();

    const source: WorkloadX509Source = await createX509Source({ address: nexusApi.address, timeoutMs: 10_000, signal: options.signal });
    cleanup.push(() => source.close());
    const nexus = await createDevNexus({
      source,
      trustRoot: td,
      store: options.store,
      port: options.port,
      host: options.host,
      maxSecretVersions: options.maxSecretVersions,
      log: options.log,
      signal: options.signal,
    });
    cleanup.push(() => nexus.close());

    const envFor = (api: DevWorkloadApi): DevStackEnv => {
      const env: Record<string, string> = { SPIFFE_ENDPOINT_SOCKET: api.address, SPIKE_NEXUS_API_URL: nexus.url };
      for (const role of ["nexus", "superuser", "lite-workload", "bootstrap", "keeper"] as const) env[ROLE_TRUST_ROOT_ENV[role]] = td;
      return Object.freeze(env) as DevStackEnv;
    };
    const identity = (spiffeId: string, api: DevWorkloadApi): DevStackIdentity => ({ spiffeId, workloadApi: api, env: envFor(api) });

    let closing: Promise<void> | undefined;
    return {
      trustDomain: td,
      ca,
      nexus,
      nexusUrl: nexus.url,
      nexusIdentity: identity(roles.nexus, nexusApi),
      pilot: identity(roles.superuser, pilotApi),
      workload: identity(workloadId, workloadApi),
      close() {
        closing ??= closeAll();
        return closing;
      },
    };
  } catch (e) {
    await closeAll();
    if (NexusDevError.is(e) || options.signal?.aborted) throw e;
    throw new NexusDevError("stack_failed", `nexus-dev: the dev stack did not start: ${(e as Error)?.message ?? String(e)}`, { cause: e });
  }
}
