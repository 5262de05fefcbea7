import { createSecureServer, type Http2SecureServer } from "node:http2";
import type { AddressInfo, Socket } from "node:net";
import { createMtlsServerOptions, type MtlsServerOptions } from "@spike-ts/mtls-transport";
import { hasRole, NexusModelError, type TrustRoots, trustRootsFor } from "@spike-ts/nexus-model";
import { authorizeAny, type X509Source } from "@spike-ts/spiffe";
import { createNexusCipher } from "./cipher.js";
import { NexusDevError } from "./errors.js";
import { createNexusHandler, type NexusDevLogEntry } from "./handler.js";
import { NexusState } from "./nexus-state.js";
import { createMemoryStore, type NexusStore } from "./store.js";

/** Options of {@link createDevNexus}. */
export interface DevNexusOptions {
  /** The server's X.509 source: its SVID must be a SPIKE Nexus ID (`spiffe://<td>/spike/nexus[/...]`). */
  readonly source: X509Source;
  /**
   * Which trust domains the caller roles (Pilot superuser, recover, restore, lite workload,
   * bootstrap) and the server's own Nexus ID belong to: one trust domain for all roles, or a
   * full {@link TrustRoots} (e.g. `trustRootsFromEnv(process.env)` from `@spike-ts/nexus-model`).
   * Default: the trust domain of the source's SVID.
   */
  readonly trustRoot?: string | TrustRoots;
  /** Where state lives (default: a fresh {@link createMemoryStore}). The server closes it on `close()`. */
  readonly store?: NexusStore;
  /** TCP port (default 0: any free port; real Nexus uses 8553). */
  readonly port?: number;
  /** Address to bind (default `127.0.0.1`). */
  readonly host?: string;
  /** `SPIKE_NEXUS_MAX_SECRET_VERSIONS` (default 10). */
  readonly maxSecretVersions?: number;
  /** `SPIKE_NEXUS_CRYPTO_MAX_CIPHERTEXT_SIZE` (default 65536). */
  readonly maxCiphertextBytes?: number;
  /**
   * Largest request body the server reads, in bytes (default 64 MiB). Real Nexus reads any body
   * whole; the dev server bounds its memory and answers a larger body like a broken read (400,
   * `{"Code":"data_read_failure",...}`, spec §2.1 c), then drops the connection.
   */
  readonly maxRequestBytes?: number;
  /** How long a request body may take to arrive, ms (default 60000); a slower one is answered like a larger one. */
  readonly requestBodyTimeoutMs?: number;
  /** The 32-byte cipher key (default: random per process, as Nexus's memory mode). */
  readonly cipherKey?: Uint8Array;
  /** Clock for secret and policy timestamps (default: system time). */
  readonly now?: () => Date;
  /** Receives one entry per request and per failure; entries never carry secret values. */
  readonly log?: (entry: NexusDevLogEntry) => void;
  /** Aborts startup. */
  readonly signal?: AbortSignal;
}

/** A running dev Nexus. */
export interface DevNexus {
  /** The base URL to use as `SPIKE_NEXUS_API_URL`, e.g. `https://127.0.0.1:8553`. */
  readonly url: string;
  /** The bound port. */
  readonly port: number;
  /** The server's own SPIFFE ID. */
  readonly spiffeId: string;
  /** The trust roots used for caller roles. */
  readonly trustRoots: TrustRoots;
  /** Stops listening, closes open connections and the store. The source stays open (it is yours). */
  close(): Promise<void>;
}

function positiveInt(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isSafeInteger(v) || v <= 0) throw new NexusDevError("invalid_options", `nexus-dev: ${name} must be a positive integer`);
  return v;
}

function resolveTrustRoots(option: string | TrustRoots | undefined, ownTd: string): TrustRoots {
  try {
    if (option === undefined) return trustRootsFor(ownTd);
    if (typeof option === "string") return trustRootsFor(option);
    return option;
  } catch (e) {
    const msg = NexusModelError.is(e) ? e.message : String(e);
    throw new NexusDevError("invalid_options", `nexus-dev: trustRoot is not usable: ${msg}`, { cause: e });
  }
}

/**
 * Starts a development SPIKE Nexus over mTLS that answers like the real one in `memory`
 * mode: same routes, guard order, error bodies, headers, versioning and policy semantics
 * (spec `nexus-api.md`). Every client must present an SVID that chains to the source's
 * bundles; caller roles and policies then decide, as in Nexus.
 *
 * @example
 * ```ts
 * const source = await createX509Source({ address: "unix:///tmp/nexus.sock" });
 * const nexus = await createDevNexus({ source, port: 8553 });
 * console.log(`export SPIKE_NEXUS_API_URL=${nexus.url}`);
 * await nexus.close();
 * ```
 */
export async function createDevNexus(options: DevNexusOptions): Promise<DevNexus> {
  if (options === null || typeof options !== "object" || !options.source) {
    throw new NexusDevError("invalid_options", "nexus-dev: createDevNexus needs { source }, an X509Source for the spiffe://<td>/spike/nexus identity");
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new NexusDevError("invalid_options", "nexus-dev: port must be an integer from 0 to 65535");
  const host = options.host ?? "127.0.0.1";
  const maxVersions = positiveInt("maxSecretVersions", options.maxSecretVersions, 10);
  const maxCiphertextBytes = positiveInt("maxCiphertextBytes", options.maxCiphertextBytes, 65536);
  const maxRequestBytes = positiveInt("maxRequestBytes", options.maxRequestBytes, 64 * 1024 * 1024);
  const requestBodyTimeoutMs = positiveInt("requestBodyTimeoutMs", options.requestBodyTimeoutMs, 60_000);
  const now = options.now ?? (() => new Date());
  options.signal?.throwIfAborted();

  let svidId: string;
  try {
    svidId = options.source.getX509Svid().id.toString();
  } catch (e) {
    throw new NexusDevError("invalid_options", "nexus-dev: the source has no usable svid; start the workload api first", { cause: e });
  }
  const ownTd = new URL(svidId).host;
  const trustRoots = resolveTrustRoots(options.trustRoot, ownTd);
  if (!hasRole(svidId, "nexus", trustRoots)) {
    throw new NexusDevError(
      "not_nexus_identity",
      `nexus-dev: the server svid ${svidId} is not a spike nexus id; give it spiffe://<td>/spike/nexus with <td> in the nexus trust roots (${trustRoots.nexus.join(", ")})`,
    );
  }

  let cipher;
  try {
    cipher = createNexusCipher(options.cipherKey);
  } catch (e) {
    throw new NexusDevError("invalid_options", "nexus-dev: cipherKey must be 32 bytes", { cause: e });
  }

  const store = options.store ?? createMemoryStore();
  const loaded = await store.load({ signal: options.signal });
  let mtls: MtlsServerOptions;
  try {
    mtls = createMtlsServerOptions({ source: options.source, authorize: authorizeAny(), now: options.now });
  } catch (e) {
    await store.close();
    throw new NexusDevError("invalid_options", `nexus-dev: cannot build tls server options: ${(e as Error).message}`, { cause: e });
  }
  const state = new NexusState(store, loaded, maxVersions);
  const handler = createNexusHandler({
    state,
    cipher,
    trustRoots,
    now,
    maxCiphertextBytes,
    maxRequestBytes,
    requestBodyTimeoutMs,
    log: options.log,
    peerIdOf: (req) => {
      try {
        return mtls.peerIdOf(req as Parameters<MtlsServerOptions["peerIdOf"]>[0]).toString();
      } catch {
        return undefined;
      }
    },
  });
  // HTTP/2 with HTTP/1.1 fallback, as Go's TLS server (spec §1.2); the Go SDK speaks HTTP/1.1.
  const server: Http2SecureServer = mtls.attach(createSecureServer({ ...mtls, allowHTTP1: true }, handler));
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  server.on("tlsClientError", (e) => options.log?.({ level: "warn", message: `nexus-dev: tls handshake refused: ${e.message}` }));

  try {
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => reject(options.signal?.reason);
      options.signal?.addEventListener("abort", onAbort, { once: true });
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        options.signal?.removeEventListener("abort", onAbort);
        resolve();
      });
    });
  } catch (e) {
    server.close();
    await mtls.close();
    await store.close();
    if (options.signal?.aborted) throw e;
    throw new NexusDevError("listen_failed", `nexus-dev: cannot listen on ${host}:${port} (${(e as NodeJS.ErrnoException).code ?? "error"}); pick another port`, { cause: e });
  }

  const bound = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `https://${urlHost}:${bound}`,
    port: bound,
    spiffeId: svidId,
    trustRoots,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((r) => server.close(() => r()));
        for (const socket of sockets) socket.destroy();
        await closed;
        await state.drain();
        await mtls.close();
        await store.close();
      })();
      return closing;
    },
  };
}
