import type { SecureVersion } from "node:tls";
import type { Authorizer, X509Source, X509Svid } from "@spike-ts/spiffe";
import { Agent, Dispatcher } from "undici";
import { systemNow } from "./clock.js";
import { createMtlsConnector } from "./connector.js";
import { MtlsError } from "./errors.js";
import { sameLeaf } from "./local-svid.js";
import { validateSourceAndAuthorizer } from "./validate.js";

/** Socket options of {@link createMtlsAgent}; TLS material and checks are not configurable. */
export interface MtlsConnectOptions {
  /** Milliseconds for TCP connect plus TLS handshake (default 10 000; 0 disables). */
  readonly timeout?: number;
  /** TCP keep-alive (default true). */
  readonly keepAlive?: boolean;
  /** TCP keep-alive initial delay in milliseconds (default 60 000). */
  readonly keepAliveInitialDelay?: number;
}

/**
 * Options of {@link createMtlsAgent}: the SPIFFE pieces plus undici `Agent` options
 * (pool sizes, keep-alive timeouts, `allowH2`, ...), except `connect` TLS settings and `factory`.
 */
export type MtlsAgentOptions = Omit<Agent.Options, "connect" | "factory"> & {
  /** Current SVID (presented as client certificate) and bundles, read at every handshake. */
  readonly source: X509Source;
  /** Decides which server SPIFFE IDs are acceptable, e.g. `authorizeId(nexusId)`. */
  readonly authorize: Authorizer;
  /** Clock for certificate validity checks (default: system time). */
  readonly now?: () => Date;
  /** Socket options. */
  readonly connect?: MtlsConnectOptions;
  /** Fail with `client_auth_not_requested` when a server does not request our certificate (default true). */
  readonly requireClientAuth?: boolean;
  /** Lowest TLS version (default `TLSv1.2`). */
  readonly minVersion?: SecureVersion;
  /** Highest TLS version (default: Node's, `TLSv1.3`). */
  readonly maxVersion?: SecureVersion;
  /**
   * When the source's SVID changes, send new requests over new connections (new SVID) and let
   * the old connections finish their requests and close (default true). When false, pooled
   * connections keep their old certificate until they close by themselves.
   */
  readonly drainOnRotation?: boolean;
};

/** The longest delay a Node timer holds. */
const MAX_TIMER_MS = 2_147_483_647;

const CONNECT_KEYS = new Set(["timeout", "keepAlive", "keepAliveInitialDelay"]);
const FORWARDED_EVENTS = ["connect", "disconnect", "connectionError", "drain"] as const;

function validateConnect(connect: unknown): MtlsConnectOptions {
  if (connect === undefined) return {};
  if (connect === null || typeof connect !== "object" || Array.isArray(connect)) {
    throw new MtlsError(
      "invalid_options",
      "mtls: createMtlsAgent options.connect must be an object with timeout, keepAlive or keepAliveInitialDelay (the connector is ours)",
    );
  }
  for (const key of Object.keys(connect)) {
    if (!CONNECT_KEYS.has(key)) {
      throw new MtlsError(
        "invalid_options",
        `mtls: createMtlsAgent options.connect.${key} is not supported: tls material and peer checks come from the source and authorizer`,
      );
    }
  }
  const c = connect as MtlsConnectOptions;
  if (c.timeout !== undefined && (!Number.isFinite(c.timeout) || c.timeout < 0)) {
    throw new MtlsError("invalid_options", "mtls: createMtlsAgent options.connect.timeout must be a number >= 0");
  }
  return c;
}

class MtlsAgent extends Dispatcher {
  readonly #source: X509Source;
  readonly #makeAgent: () => Agent;
  /** Pools retired by a rotation, each with the promise of its one graceful `close()`. */
  readonly #draining = new Map<Agent, Promise<void>>();
  readonly #unsubscribe: () => void;
  #current: Agent;
  #lastSvid: X509Svid | undefined;
  #closed = false;
  #ending: Promise<void> | undefined;

  constructor(source: X509Source, makeAgent: () => Agent, drainOnRotation: boolean) {
    super();
    this.#source = source;
    this.#makeAgent = makeAgent;
    this.#current = this.#wrap(makeAgent());
    this.#lastSvid = this.#peekSvid();
    this.#unsubscribe = drainOnRotation ? source.onUpdate(() => this.#onUpdate()) : () => {};
  }

  /** `true` after `close()` or `destroy()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  #peekSvid(): X509Svid | undefined {
    try {
      return this.#source.getX509Svid();
    } catch {
      return undefined;
    }
  }

  #wrap(agent: Agent): Agent {
    for (const event of FORWARDED_EVENTS) {
      (agent as unknown as NodeJS.EventEmitter).on(event, (...args: unknown[]) => {
        (this as unknown as NodeJS.EventEmitter).emit(event, ...args);
      });
    }
    return agent;
  }

  #onUpdate(): void {
    if (this.#closed) return;
    const svid = this.#peekSvid();
    if (svid === undefined || sameLeaf(svid, this.#lastSvid)) return;
    this.#lastSvid = svid;
    const old = this.#current;
    this.#current = this.#wrap(this.#makeAgent());
    // close() lets queued and running requests finish, then closes the old connections. It is
    // called exactly once per pool: our own close() waits on this promise instead of closing the
    // pool again (undici rejects a second close() of a pool that already finished closing).
    const drained = old.close().then(
      () => {
        this.#draining.delete(old);
      },
      () => {
        this.#draining.delete(old);
      },
    );
    this.#draining.set(old, drained);
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    return this.#current.dispatch(options, handler);
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    if (!this.#closed) {
      this.#closed = true;
      this.#unsubscribe();
    }
    this.#ending ??= Promise.all([this.#current.close(), ...this.#draining.values()]).then(() => {});
    const done = this.#ending;
    if (callback) {
      done.then(callback, callback);
      return;
    }
    return done;
  }

  override destroy(err: Error | null, callback: () => void): void;
  override destroy(callback: () => void): void;
  override destroy(err: Error | null): Promise<void>;
  override destroy(): Promise<void>;
  override destroy(a?: Error | null | (() => void), b?: () => void): Promise<void> | void {
    const callback = typeof a === "function" ? a : b;
    const err = typeof a === "function" ? null : (a ?? null);
    if (!this.#closed) {
      this.#closed = true;
      this.#unsubscribe();
    }
    // undici's destroy() is idempotent (a pool that already closed answers at once); the retired
    // pools' graceful close() promises settle once their destroy has run.
    const pools = [this.#current, ...this.#draining.keys()];
    const drains = [...this.#draining.values()];
    const destroyed = Promise.all([...pools.map((x) => x.destroy(err)), ...drains]).then(() => {});
    const done = this.#ending ? this.#ending.then(() => destroyed, () => destroyed) : destroyed;
    this.#ending = done;
    if (callback) {
      done.then(callback, callback);
      return;
    }
    return done;
  }
}

/**
 * Creates an undici `Dispatcher` that speaks mTLS with X509-SVIDs: every new connection presents
 * the source's current SVID as client certificate and verifies the server the SPIFFE way (chain
 * built to the bundle of the server's trust domain, looked up in the source at handshake time,
 * then `authorize`; no hostname check). Sessions are never resumed, so every connection is fully
 * verified. Failures reach `dispatcher.request()` as {@link MtlsError}.
 *
 * @example
 * ```ts
 * const dispatcher = createMtlsAgent({
 *   source: await createX509Source(),
 *   authorize: authorizeId("spiffe://example.org/spike/nexus"),
 * });
 * const res = await dispatcher.request({ origin: "https://127.0.0.1:8553", path: "/v1/store/secrets", method: "GET" });
 * await dispatcher.close();
 * ```
 */
export function createMtlsAgent(options: MtlsAgentOptions): Dispatcher {
  if (options === null || typeof options !== "object") {
    throw new MtlsError("invalid_options", "mtls: createMtlsAgent needs an options object with source and authorize");
  }
  const {
    source,
    authorize,
    now,
    connect,
    requireClientAuth,
    minVersion,
    maxVersion,
    drainOnRotation,
    ...agentOptions
  } = options;
  validateSourceAndAuthorizer("createMtlsAgent", source, authorize, now);
  if ("factory" in agentOptions) {
    throw new MtlsError("invalid_options", "mtls: createMtlsAgent does not accept options.factory (the pools are ours)");
  }
  const socket = validateConnect(connect);
  const connector = createMtlsConnector({
    source,
    authorize,
    now: now ?? systemNow,
    allowH2: agentOptions.allowH2 === true,
    // Node fires a timer of more than 2^31-1 ms after 1 ms, failing every connect at once: clamp.
    timeoutMs: Math.min(socket.timeout ?? 10_000, MAX_TIMER_MS),
    keepAlive: socket.keepAlive ?? true,
    keepAliveInitialDelayMs: socket.keepAliveInitialDelay ?? 60_000,
    requireClientAuth: requireClientAuth ?? true,
    minVersion: minVersion ?? "TLSv1.2",
    maxVersion,
  });
  return new MtlsAgent(source, () => new Agent({ ...agentOptions, connect: connector }), drainOnRotation ?? true);
}
