// One conformance suite, several servers: a target names a Nexus URL and the env of two
// identities (the Pilot superuser and an ordinary workload); connect() turns it into callers
// that speak through @spike-ts/nexus-client and raw undici, both over @spike-ts/mtls-transport.
import { randomBytes } from "node:crypto";
import { createMtlsAgent } from "@spike-ts/mtls-transport";
import { createNexusClient, type NexusClient } from "@spike-ts/nexus-client";
import { hasRole, trustRootsFromEnv } from "@spike-ts/nexus-model";
import { authorizeIf } from "@spike-ts/spiffe";
import { createX509Source, type WorkloadX509Source } from "@spike-ts/workload-api";
import { type Dispatcher, request } from "undici";

/** The env of one identity: at least `SPIFFE_ENDPOINT_SOCKET`; `SPIKE_TRUST_ROOT_NEXUS` names the server's trust domain. */
export type IdentityEnv = Readonly<Record<string, string | undefined>>;

/** What a conformance run needs to know about a server. */
export interface ConformanceTarget {
  /** `SPIKE_NEXUS_API_URL` of the server under test. */
  readonly nexusUrl: string;
  /** The Pilot superuser's env. */
  readonly pilot: IdentityEnv;
  /** An ordinary workload's env (no role; governed by policies). */
  readonly workload: IdentityEnv;
  /** Whether the server runs SPIKE's `memory` backend (recover/restore answer 400). Default true. */
  readonly memoryBackend?: boolean;
}

/** A raw HTTP answer. */
export interface WireAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly bytes: Buffer;
  readonly text: string;
}

/** One identity, connected. */
export interface Caller {
  /** Its SPIFFE ID. */
  readonly id: string;
  /** A nexus-client (retries off, client-side checks on). */
  readonly client: NexusClient;
  /** A nexus-client that sends whatever it is given (client-side checks off). */
  readonly rawClient: NexusClient;
  /** POSTs (or `method`) raw bytes; `body` objects are JSON-encoded. */
  send(path: string, body?: unknown, options?: { method?: string; contentType?: string | null }): Promise<WireAnswer>;
}

/** A connected target plus a unique prefix for the paths and names a run creates. */
export interface ConformanceContext {
  readonly target: ConformanceTarget;
  readonly pilot: Caller;
  readonly workload: Caller;
  /** A per-run secret path prefix such as `conformance/3f9a1c/`. */
  readonly prefix: string;
  /** A per-run policy name prefix such as `ct-3f9a1c-`. */
  readonly names: string;
  /** Closes every source and agent. */
  close(): Promise<void>;
}

/** Escapes `s` for use inside an RE2 pattern. */
export function re2Escape(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");
}

async function connectOne(nexusUrl: string, env: IdentityEnv, closers: Array<() => Promise<unknown>>): Promise<Caller> {
  const address = env["SPIFFE_ENDPOINT_SOCKET"];
  if (!address) throw new Error("conformance: an identity env has no SPIFFE_ENDPOINT_SOCKET");
  const source: WorkloadX509Source = await createX509Source({ address, timeoutMs: 15_000 });
  closers.push(() => source.close());
  const roots = trustRootsFromEnv(env);
  const agent: Dispatcher = createMtlsAgent({
    source,
    authorize: authorizeIf((id) => hasRole(id.toString(), "nexus", roots), `a spike nexus id in ${roots.nexus.join(", ")}`),
  });
  closers.push(() => agent.close());
  const client = createNexusClient({ baseUrl: nexusUrl, dispatcher: agent, retry: false });
  const rawClient = createNexusClient({ baseUrl: nexusUrl, dispatcher: agent, retry: false, validateInput: false });
  closers.push(() => client.close(), () => rawClient.close());
  const base = nexusUrl.replace(/\/+$/, "");
  return {
    id: source.getX509Svid().id.toString(),
    client,
    rawClient,
    async send(path, body, options = {}) {
      const payload = body === undefined ? undefined : typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body);
      const headers: Record<string, string> = {};
      const type = options.contentType === undefined ? "application/json" : options.contentType;
      if (type !== null) headers["content-type"] = type;
      const res = await request(`${base}${path}`, { method: (options.method ?? "POST") as "POST", dispatcher: agent, body: payload, headers });
      const bytes = Buffer.from(await res.body.arrayBuffer());
      return { status: res.statusCode, headers: res.headers, bytes, text: bytes.toString("utf8") };
    },
  };
}

/** Connects both identities of `target`. */
export async function connectTarget(target: ConformanceTarget): Promise<ConformanceContext> {
  const closers: Array<() => Promise<unknown>> = [];
  const close = async (): Promise<void> => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
  };
  try {
    const pilot = await connectOne(target.nexusUrl, target.pilot, closers);
    const workload = await connectOne(target.nexusUrl, target.workload, closers);
    const run = randomBytes(4).toString("hex");
    return { target, pilot, workload, prefix: `conformance/${run}/`, names: `ct-${run}-`, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** The JSON and no-cache headers of every Nexus JSON response (spec §1.2). */
export const JSON_HEADERS = {
  "content-type": "application/json",
  "cache-control": "no-store, no-cache, must-revalidate, private",
  pragma: "no-cache",
  expires: "0",
} as const;
