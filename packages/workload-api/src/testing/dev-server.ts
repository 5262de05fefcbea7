import { EventEmitter } from "node:events";
import { chmod, lstat, mkdtemp, rm, unlink } from "node:fs/promises";
import { Server, ServerCredentials, status as GrpcStatus } from "@grpc/grpc-js";
import type {
  Metadata,
  ServerUnaryCall,
  ServerWritableStream,
  ServiceDefinition,
  UntypedServiceImplementation,
  sendUnaryData,
} from "@grpc/grpc-js";
import { JwtBundle, JwtBundleSet, SpiffeId, TrustDomain, X509Bundle, parseAndValidateJwtSvid } from "@spike-ts/spiffe";
import { type IssuedSvid, type TestCa, createTestCa } from "@spike-ts/spiffe/testing";
import { timerDelay } from "../backoff.js";
import { SECURITY_HEADER } from "../metadata.js";
import type {
  JwtSvidRequestMessage,
  ValidateJwtSvidRequestMessage,
  X509SvidMessage,
  X509SvidResponseMessage,
} from "../proto/messages.js";
import { messages, workloadApiService } from "../proto/messages.js";
import { jsonToStruct } from "../proto/struct.js";

/** One identity (registration entry) the dev server hands to every caller. */
export interface DevIdentity {
  /** The SPIFFE ID of the entry; must be in the server's trust domain. */
  spiffeId: string;
  /** Workload API hint (`""` = none); later entries repeating a non-empty hint are dropped, as SPIRE does. */
  hint?: string;
  /** DNS SANs of the X.509-SVID (the first also becomes the CN). */
  dnsNames?: string[];
  /** Federated trust domains this entry gets bundles for (default: all configured federated bundles). */
  federatesWith?: string[];
}

/** Names of the RPCs, for hooks. */
export type DevRpc =
  | "FetchX509SVID"
  | "FetchX509Bundles"
  | "FetchJWTSVID"
  | "FetchJWTBundles"
  | "ValidateJWTSVID"
  | "FetchWITSVID"
  | "FetchWITBundles";

/** Streaming RPCs whose open streams hooks can reach. */
export type DevStreamRpc = "FetchX509SVID" | "FetchX509Bundles" | "FetchJWTBundles";

/** A malformed message the dev server can push on open streams. */
export type MalformedKind =
  /** bytes that are not a protobuf message */
  | "garbage-protobuf"
  /** `svids: []` (FetchX509SVID only) */
  | "empty-svids"
  /** `x509_svid` is not DER (FetchX509SVID only) */
  | "garbage-der"
  /** the private key does not match the certificate (FetchX509SVID only) */
  | "mismatched-key"
  /** empty per-SVID `bundle` (FetchX509SVID only) */
  | "empty-bundle"
  /** `spiffe_id` differs from the certificate's URI SAN (FetchX509SVID only) */
  | "id-mismatch"
  /** a bundle value that is not DER / not a JWK Set (bundle streams) */
  | "garbage-bundle";

/** Options of {@link startDevWorkloadApi}. */
export interface DevWorkloadApiOptions {
  /** Trust domain (default `example.org`, or the `ca`'s). */
  trustDomain?: string;
  /** Unix socket path (default `/tmp/sts-XXXXXX/agent.sock`, removed on close). A stale socket is removed. */
  socketPath?: string;
  /** The CA to sign with (default a new test CA). */
  ca?: TestCa;
  /** Identities handed to every caller, in this order (the first is the default SVID). `[]` = no identity. */
  identities: DevIdentity[];
  /** X.509-SVID lifetime (default 1 h, as SPIRE). */
  svidTtlMs?: number;
  /** JWT-SVID lifetime (default 5 min, as SPIRE). */
  jwtTtlMs?: number;
  /** Rotate SVIDs at half-life, jittered +-10 % like SPIRE (default true). */
  autoRotate?: boolean;
  /** Federated X.509 bundles, keyed by trust domain name. */
  federatedBundles?: Record<string, X509Bundle>;
  /** Federated JWT bundles, keyed by trust domain name. */
  federatedJwtBundles?: Record<string, JwtBundle>;
  /** Serve bundles to callers without identity (SPIRE's `allow_unauthenticated_verifiers`). */
  allowUnauthenticatedVerifiers?: boolean;
  /** Wait this long before the first message of each stream (SPIRE's "waiting for SVID"). */
  firstMessageDelayMs?: number;
  /** Also listen on TCP at 127.0.0.1 (an ephemeral port, kept across restarts); see `tcpAddress`. */
  tcp?: boolean;
  /** Clock (default: the CA's, else the system clock). */
  now?: () => Date;
  /** Random source for rotation jitter (default `Math.random`). */
  random?: () => number;
  /** How many of the latest calls `calls` keeps (default 1000), so a long-running agent does not grow without bound. */
  maxCallRecords?: number;
}

/** A status a hook makes calls fail with. */
export interface InjectedStatus {
  code: GrpcStatus;
  details?: string;
}

/** A call the server saw (for tests). */
export interface DevCallRecord {
  rpc: DevRpc;
  /** Values of the `workload.spiffe.io` header. */
  securityHeader: string[];
  /** `:authority` the client sent. */
  authority: string | undefined;
}

/** A running dev Workload API server (see {@link startDevWorkloadApi}). */
export interface DevWorkloadApi {
  /** `unix:///path/to/agent.sock`, ready for `SPIFFE_ENDPOINT_SOCKET`. */
  readonly address: string;
  /** The socket path. */
  readonly socketPath: string;
  /** `tcp://127.0.0.1:<port>` when started with `tcp: true`. */
  readonly tcpAddress: string | undefined;
  /** The CA currently signing SVIDs (changes on `rotateCa()`). */
  readonly ca: TestCa;
  /** The trust domain. */
  readonly trustDomain: TrustDomain;
  /** The own-trust-domain X.509 bundle served now (all CA roots still trusted). */
  readonly bundle: X509Bundle;
  /** The SVIDs served now (after hint de-duplication), in order. */
  readonly svids: readonly IssuedSvid[];
  /** How many times SVIDs were (re)issued. */
  readonly generation: number;
  /** The latest calls seen (at most `maxCallRecords`, oldest first). */
  readonly calls: readonly DevCallRecord[];
  /** Re-issues every SVID now and pushes the new state to open streams. */
  rotate(): void;
  /** SPIRE-style CA rotation in one step: `prepareCa()` then `activateCa()` (one update is pushed). */
  rotateCa(): void;
  /** SPIRE's "prepare": a next CA (X.509 root and JWT key) joins the bundles; SVIDs are still signed by the current one. */
  prepareCa(): void;
  /** SPIRE's "activate": the prepared CA (prepared now if none) signs new SVIDs and JWTs; the old one stays trusted. */
  activateCa(): void;
  /** Replaces the identities (pushes the new state; `[]` ends streams with PERMISSION_DENIED). */
  setIdentities(identities: DevIdentity[]): void;
  /** Replaces the federated X.509 bundles (pushes the new state). */
  setFederatedBundles(bundles: Record<string, X509Bundle>): void;
  /** Makes the next `count` calls of `rpc` (default every call until cleared) fail with `status`; returns a clear function. */
  injectStatus(rpc: DevRpc | "*", status: InjectedStatus, count?: number): () => void;
  /** Ends every open stream (of `rpc`, or all) with `status` now. */
  endStreams(status: InjectedStatus, rpc?: DevStreamRpc): number;
  /** Pushes a malformed message on every open stream of `rpc`; returns how many got it. */
  sendMalformed(kind: MalformedKind, rpc?: DevStreamRpc): number;
  /** Holds the first message of new streams until the returned function is called. */
  holdFirstMessages(): () => void;
  /** Number of open streams (of `rpc`, or all). */
  openStreams(rpc?: DevStreamRpc): number;
  /** Resolves once at least `count` streams of `rpc` are open. */
  waitForStreams(rpc: DevStreamRpc, count?: number, options?: { signal?: AbortSignal }): Promise<void>;
  /** Stops listening: ends streams with UNAVAILABLE and removes the socket (`start()` brings it back). */
  stop(): Promise<void>;
  /** Listens again on the same socket path after `stop()`. */
  start(): Promise<void>;
  /** `stop()` then `start()`, as an agent restart. */
  restart(): Promise<void>;
  /** Ends everything, removes the socket (and the temp dir it created). */
  close(): Promise<void>;
}

const HOUR = 3_600_000;

/** A pre-serialized message (lets hooks send bytes that are not a valid protobuf). */
class RawMessage {
  constructor(readonly bytes: Buffer) {}
}

interface OpenStream {
  rpc: DevStreamRpc;
  call: ServerWritableStream<unknown, unknown>;
  ready: boolean;
  last?: string;
}

function withRawSerializers(def: ServiceDefinition): ServiceDefinition {
  return Object.fromEntries(
    Object.entries(def).map(([name, m]) => {
      const original = m.responseSerialize;
      return [name, { ...m, responseSerialize: (v: object) => (v instanceof RawMessage ? v.bytes : original(v)) }];
    }),
  ) as ServiceDefinition;
}

const service = withRawSerializers(workloadApiService);

function fail(code: GrpcStatus, details: string): { code: GrpcStatus; details: string } {
  return { code, details };
}

function mergeJwks(cas: readonly TestCa[]): string {
  const keys: unknown[] = [];
  for (const ca of cas) keys.push(...((JSON.parse(ca.jwksJson()) as { keys?: unknown[] }).keys ?? []));
  return JSON.stringify({ keys });
}

/**
 * Starts a dev SPIFFE Workload API server on a unix socket that behaves like a SPIRE agent:
 * header enforcement (`INVALID_ARGUMENT security header missing from request`), `PERMISSION_DENIED
 * no identity issued`, full-state streams, SVID rotation at jittered half-life, CA rotation,
 * federated bundles, ES256 JWT-SVIDs cached per (ID, audiences) until half-life, JWT bundles,
 * ValidateJWTSVID, WIT RPCs `UNIMPLEMENTED`, any `:authority`, socket mode 0777.
 *
 * @example
 * ```ts
 * const agent = await startDevWorkloadApi({ identities: [{ spiffeId: "spiffe://example.org/api" }] });
 * const source = await createX509Source({ address: agent.address });
 * await source.close();
 * await agent.close();
 * ```
 */
export async function startDevWorkloadApi(options: DevWorkloadApiOptions): Promise<DevWorkloadApi> {
  if (!options || !Array.isArray(options.identities)) throw new TypeError("workload-api: startDevWorkloadApi needs { identities: [...] }");
  const clock = options.now ?? (options.ca ? () => (options.ca as TestCa).now() : () => new Date());
  const random = options.random ?? Math.random;
  const trustDomain = TrustDomain.parse(options.trustDomain ?? options.ca?.trustDomain.name ?? "example.org");
  if (options.ca && !options.ca.trustDomain.equals(trustDomain)) {
    throw new TypeError(`workload-api: dev server trust domain ${trustDomain.name} differs from the CA's ${options.ca.trustDomain.name}`);
  }
  const positive = (name: string, v: number | undefined, fallback: number) => {
    const n = v ?? fallback;
    if (typeof n !== "number" || !Number.isFinite(n) || n <= 0) throw new TypeError(`workload-api: dev server ${name} must be a positive number of ms, got ${String(v)}`);
    return n;
  };
  const svidTtlMs = positive("svidTtlMs", options.svidTtlMs, HOUR);
  const jwtTtlMs = positive("jwtTtlMs", options.jwtTtlMs, 5 * 60_000);
  if (options.firstMessageDelayMs !== undefined) positive("firstMessageDelayMs", options.firstMessageDelayMs, 1);
  const maxCallRecords = options.maxCallRecords ?? 1000;
  if (!Number.isSafeInteger(maxCallRecords) || maxCallRecords < 0) {
    throw new TypeError(`workload-api: dev server maxCallRecords must be a non-negative integer, got ${String(options.maxCallRecords)}`);
  }
  const autoRotate = options.autoRotate ?? true;
  // Everything is checked here, on the spot: a bad value found later, while building a
  // response, would throw inside a gRPC handler or half-way through a broadcast.
  const trustDomainName = (what: string, td: string): string => {
    try {
      return TrustDomain.parse(td).name;
    } catch (e) {
      throw new TypeError(`workload-api: dev server ${what} ${JSON.stringify(td)} is not a trust domain: ${(e as Error).message}`);
    }
  };
  const checkIdentities = (list: DevIdentity[]) => {
    if (!Array.isArray(list)) throw new TypeError("workload-api: dev server identities must be an array");
    for (const i of list) {
      const id = SpiffeId.parse(i.spiffeId);
      if (!id.memberOf(trustDomain)) throw new TypeError(`workload-api: dev identity ${i.spiffeId} is not in trust domain ${trustDomain.name}`);
      for (const td of i.federatesWith ?? []) trustDomainName(`federatesWith of ${i.spiffeId}`, td);
    }
  };
  const checkBundleKeys = (what: string, bundles: Record<string, unknown>) => {
    for (const td of Object.keys(bundles)) trustDomainName(`${what} key`, td);
  };
  checkIdentities(options.identities);
  checkBundleKeys("federatedBundles", options.federatedBundles ?? {});
  checkBundleKeys("federatedJwtBundles", options.federatedJwtBundles ?? {});

  let madeDir: string | undefined;
  let socketPath = options.socketPath;
  if (socketPath === undefined) {
    madeDir = await mkdtemp("/tmp/sts-");
    socketPath = `${madeDir}/agent.sock`;
  }
  if (!socketPath.startsWith("/")) throw new TypeError(`workload-api: dev server socketPath must be absolute, got ${socketPath}`);
  if (Buffer.byteLength(socketPath) > 107) throw new TypeError(`workload-api: dev server socketPath is longer than 107 bytes: ${socketPath}`);

  let cas: TestCa[] = [options.ca ?? createTestCa({ trustDomain: trustDomain.name, now: clock })];
  let identities = [...options.identities];
  let federated: Record<string, X509Bundle> = { ...(options.federatedBundles ?? {}) };
  const federatedJwt: Record<string, JwtBundle> = { ...(options.federatedJwtBundles ?? {}) };
  let issued: { identity: DevIdentity; svid: IssuedSvid }[] = [];
  let generation = 0;
  let rotationTimer: NodeJS.Timeout | undefined;
  const jwtCache = new Map<string, { token: string; refreshAt: number }>();
  const streams = new Set<OpenStream>();
  const calls: DevCallRecord[] = [];
  const delayTimers = new Set<NodeJS.Timeout>();
  const events = new EventEmitter();
  const injected: { rpc: DevRpc | "*"; status: InjectedStatus; left: number }[] = [];
  let holds = 0;
  const held: (() => void)[] = [];
  let server: Server | undefined;
  let tcpPort: number | undefined;
  let closed = false;

  let signing = cas[0] as TestCa;
  let prepared: TestCa | undefined;
  const currentCa = () => signing;
  const ownBundle = () => X509Bundle.fromAuthorities(trustDomain, cas.map((c) => c.rootDer));
  const ownJwks = () => mergeJwks(cas);

  /** Entries after SPIRE's hint de-duplication (older = earlier in the list wins). */
  function dedupedIdentities(): DevIdentity[] {
    const seen = new Set<string>();
    return identities.filter((i) => {
      const h = i.hint ?? "";
      if (h === "") return true;
      if (seen.has(h)) return false;
      seen.add(h);
      return true;
    });
  }

  function scheduleRotation(): void {
    if (rotationTimer) clearTimeout(rotationTimer);
    rotationTimer = undefined;
    if (!autoRotate || closed || issued.length === 0) return;
    // SPIRE renews when 45..55 % of the lifetime remains.
    const fraction = 0.5 + (random() - 0.5) * 0.1;
    rotationTimer = setTimeout(() => {
      rotationTimer = undefined;
      issueAll();
      broadcast();
    }, timerDelay(Math.max(1, Math.floor(svidTtlMs * fraction)))); // a huge TTL must not overflow into a 1 ms loop
  }

  const identityKey = (i: DevIdentity) => JSON.stringify([i.spiffeId, i.hint ?? "", i.dnsNames ?? []]);

  /** (Re)issues SVIDs; with `keep`, entries that did not change keep their current SVID (as SPIRE). */
  function issueAll(keep = false): void {
    const ca = currentCa();
    const existing = new Map(keep ? issued.map((i) => [identityKey(i.identity), i.svid] as const) : []);
    issued = dedupedIdentities().map((identity) => ({
      identity,
      svid:
        existing.get(identityKey(identity)) ??
        ca.issueSvid(identity.spiffeId, {
          ttlMs: svidTtlMs,
          hint: identity.hint ?? "",
          ...(identity.dnsNames ? { dnsSans: identity.dnsNames } : {}),
        }),
    }));
    generation++;
    if (!keep) jwtCache.clear();
    if (!keep || !rotationTimer) scheduleRotation();
  }

  function federatedFor(): Record<string, X509Bundle> {
    const wanted = new Set<string>();
    for (const { identity } of issued) for (const td of identity.federatesWith ?? Object.keys(federated)) wanted.add(TrustDomain.parse(td).name);
    const out: Record<string, X509Bundle> = {};
    for (const [td, b] of Object.entries(federated)) {
      const name = TrustDomain.parse(td).name;
      if (wanted.has(name)) out[name] = b;
    }
    return out;
  }

  function x509SvidResponse(): X509SvidResponseMessage {
    const bundle = Buffer.from(ownBundle().toDer());
    const svids: X509SvidMessage[] = issued.map(({ identity, svid }) => ({
      spiffe_id: SpiffeId.parse(identity.spiffeId).toString(),
      x509_svid: Buffer.from(svid.chainDer),
      x509_svid_key: Buffer.from(svid.keyDer),
      bundle,
      hint: identity.hint ?? "",
    }));
    const federated_bundles: Record<string, Buffer> = {};
    for (const [td, b] of Object.entries(federatedFor())) federated_bundles[`spiffe://${td}`] = Buffer.from(b.toDer());
    return { svids, crl: [], federated_bundles };
  }

  function x509BundlesResponse(): { crl: Buffer[]; bundles: Record<string, Buffer> } {
    const bundles: Record<string, Buffer> = { [trustDomain.idString()]: Buffer.from(ownBundle().toDer()) };
    if (issued.length > 0) for (const [td, b] of Object.entries(federatedFor())) bundles[`spiffe://${td}`] = Buffer.from(b.toDer());
    return { crl: [], bundles };
  }

  function jwtBundlesResponse(): { bundles: Record<string, Buffer> } {
    const bundles: Record<string, Buffer> = { [trustDomain.idString()]: Buffer.from(ownJwks()) };
    if (issued.length > 0) {
      for (const [td, b] of Object.entries(federatedJwt)) bundles[`spiffe://${TrustDomain.parse(td).name}`] = Buffer.from(b.toJwks());
    }
    return { bundles };
  }

  function payloadFor(rpc: DevStreamRpc): { value: object; key: string } {
    if (rpc === "FetchX509SVID") {
      const v = x509SvidResponse();
      return { value: v, key: messages.X509SVIDResponse.encode(v).toString("base64") };
    }
    if (rpc === "FetchX509Bundles") {
      const v = x509BundlesResponse();
      return { value: v, key: messages.X509BundlesResponse.encode(v).toString("base64") };
    }
    const v = jwtBundlesResponse();
    return { value: v, key: messages.JWTBundlesResponse.encode(v).toString("base64") };
  }

  function prepare(): void {
    if (prepared) return;
    prepared = createTestCa({ trustDomain: trustDomain.name, now: clock });
    cas = [...cas, prepared];
  }

  function activate(): void {
    prepare();
    signing = prepared as TestCa;
    prepared = undefined;
    issueAll();
  }

  const hasIdentity = () => issued.length > 0;
  const mayReadBundles = () => hasIdentity() || options.allowUnauthenticatedVerifiers === true;

  function endStream(s: OpenStream, st: InjectedStatus): void {
    streams.delete(s);
    s.call.emit("error", { code: st.code, details: st.details ?? "" });
  }

  function send(s: OpenStream): void {
    if (!s.ready || s.call.cancelled) return;
    const allowed = s.rpc === "FetchX509SVID" ? hasIdentity() : mayReadBundles();
    if (!allowed) {
      endStream(s, fail(GrpcStatus.PERMISSION_DENIED, "no identity issued"));
      return;
    }
    const { value, key } = payloadFor(s.rpc);
    // SPIRE de-duplicates bundle streams; FetchX509SVID re-sends are possible.
    if (s.rpc !== "FetchX509SVID" && key === s.last) return;
    s.last = key;
    s.call.write(value);
  }

  function broadcast(): void {
    for (const s of [...streams]) send(s);
  }

  function takeInjected(rpc: DevRpc): InjectedStatus | undefined {
    const i = injected.findIndex((x) => x.rpc === rpc || x.rpc === "*");
    if (i === -1) return undefined;
    const entry = injected[i] as (typeof injected)[number];
    entry.left--;
    if (entry.left <= 0) injected.splice(i, 1);
    return entry.status;
  }

  /** The SPIRE interceptor: exactly one `workload.spiffe.io: true`, before anything else. */
  function admit(rpc: DevRpc, call: { metadata: Metadata; getHost(): string }): InjectedStatus | undefined {
    const values = call.metadata.get(SECURITY_HEADER).map((v) => v.toString());
    const authority = call.getHost();
    calls.push({ rpc, securityHeader: values, authority });
    if (calls.length > maxCallRecords) calls.splice(0, calls.length - maxCallRecords);
    events.emit("call", rpc);
    if (values.length !== 1 || values[0] !== "true") return fail(GrpcStatus.INVALID_ARGUMENT, "security header missing from request");
    return takeInjected(rpc);
  }

  function streamHandler(rpc: DevStreamRpc) {
    return (call: ServerWritableStream<unknown, unknown>) => {
      const rejected = admit(rpc, call);
      if (rejected) {
        call.emit("error", rejected);
        return;
      }
      const allowed = rpc === "FetchX509SVID" ? hasIdentity() : mayReadBundles();
      if (!allowed) {
        call.emit("error", fail(GrpcStatus.PERMISSION_DENIED, "no identity issued"));
        return;
      }
      const s: OpenStream = { rpc, call, ready: false };
      streams.add(s);
      call.on("cancelled", () => {
        streams.delete(s);
        events.emit("streams");
      });
      call.on("close", () => {
        streams.delete(s);
      });
      events.emit("streams");
      const go = () => {
        if (!streams.has(s)) return;
        s.ready = true;
        send(s);
      };
      const afterDelay = () => {
        if (holds > 0) held.push(go);
        else go();
      };
      if (options.firstMessageDelayMs && options.firstMessageDelayMs > 0) {
        const t = setTimeout(() => {
          delayTimers.delete(t);
          afterDelay();
        }, timerDelay(options.firstMessageDelayMs));
        delayTimers.add(t);
        call.on("cancelled", () => {
          clearTimeout(t);
          delayTimers.delete(t);
        });
      } else afterDelay();
    };
  }

  function fetchJwtSvid(call: ServerUnaryCall<JwtSvidRequestMessage, unknown>, cb: sendUnaryData<unknown>): void {
    const rejected = admit("FetchJWTSVID", call);
    if (rejected) return cb(rejected as never, null);
    const audience = (call.request.audience ?? []).filter((a) => a !== "");
    if (audience.length === 0) return cb(fail(GrpcStatus.INVALID_ARGUMENT, "audience must be specified") as never, null);
    let wanted: string | undefined;
    if (call.request.spiffe_id) {
      try {
        wanted = SpiffeId.parse(call.request.spiffe_id).toString();
      } catch (e) {
        return cb(fail(GrpcStatus.INVALID_ARGUMENT, `invalid requested SPIFFE ID: ${(e as Error).message}`) as never, null);
      }
    }
    const entries = issued.filter(({ identity }) => wanted === undefined || SpiffeId.parse(identity.spiffeId).toString() === wanted);
    if (entries.length === 0) return cb(fail(GrpcStatus.PERMISSION_DENIED, "no identity issued") as never, null);
    const nowMs = clock().getTime();
    const sortedAud = [...audience].sort();
    const svids = entries.map(({ identity }) => {
      const id = SpiffeId.parse(identity.spiffeId).toString();
      const key = `${id}\n${sortedAud.join("\n")}`;
      let cached = jwtCache.get(key);
      if (!cached || nowMs >= cached.refreshAt) {
        const token = currentCa().issueJwtSvid(id, { audience, ttlMs: jwtTtlMs });
        cached = { token, refreshAt: nowMs + Math.floor(jwtTtlMs / 2) };
        jwtCache.set(key, cached);
      }
      return { spiffe_id: id, svid: cached.token, hint: identity.hint ?? "" };
    });
    cb(null, { svids });
  }

  function validateJwtSvid(call: ServerUnaryCall<ValidateJwtSvidRequestMessage, unknown>, cb: sendUnaryData<unknown>): void {
    const rejected = admit("ValidateJWTSVID", call);
    if (rejected) return cb(rejected as never, null);
    if (!call.request.audience) return cb(fail(GrpcStatus.INVALID_ARGUMENT, "audience must be specified") as never, null);
    if (!call.request.svid) return cb(fail(GrpcStatus.INVALID_ARGUMENT, "svid must be specified") as never, null);
    if (!mayReadBundles()) return cb(fail(GrpcStatus.PERMISSION_DENIED, "no identity issued") as never, null);
    const set = new JwtBundleSet(JwtBundle.parse(trustDomain, ownJwks()), ...Object.values(federatedJwt));
    let svid;
    try {
      svid = parseAndValidateJwtSvid(call.request.svid, set, [call.request.audience], { now: clock() });
    } catch (e) {
      return cb(fail(GrpcStatus.INVALID_ARGUMENT, (e as Error).message) as never, null);
    }
    const own = svid.id.memberOf(trustDomain);
    const claims: Record<string, unknown> = own ? { ...svid.claims } : { sub: svid.claims["sub"], exp: svid.claims["exp"] };
    claims["aud"] = [...svid.audience];
    cb(null, { spiffe_id: svid.id.toString(), claims: jsonToStruct(claims) });
  }

  function unimplemented(rpc: DevRpc, what: string) {
    return (call: ServerWritableStream<unknown, unknown>) => {
      const rejected = admit(rpc, call);
      call.emit("error", rejected ?? fail(GrpcStatus.UNIMPLEMENTED, `fetching ${what} is not implemented`));
    };
  }

  const implementation: UntypedServiceImplementation = {
    FetchX509SVID: streamHandler("FetchX509SVID"),
    FetchX509Bundles: streamHandler("FetchX509Bundles"),
    FetchJWTBundles: streamHandler("FetchJWTBundles"),
    FetchJWTSVID: fetchJwtSvid,
    ValidateJWTSVID: validateJwtSvid,
    FetchWITSVID: unimplemented("FetchWITSVID", "WIT-SVIDs"),
    FetchWITBundles: unimplemented("FetchWITBundles", "WIT bundles"),
  };

  async function removeStaleSocket(path: string): Promise<void> {
    let st;
    try {
      st = await lstat(path);
    } catch {
      return;
    }
    if (!st.isSocket()) throw new Error(`workload-api: dev server will not replace ${path}: it exists and is not a socket`);
    await unlink(path);
  }

  async function listen(): Promise<void> {
    const path = socketPath as string;
    await removeStaleSocket(path);
    const s = new Server();
    s.addService(service, implementation);
    await new Promise<void>((resolve, reject) => {
      s.bindAsync(`unix:${path}`, ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve()));
    });
    await chmod(path, 0o777);
    if (options.tcp) {
      tcpPort = await new Promise<number>((resolve, reject) => {
        s.bindAsync(`127.0.0.1:${tcpPort ?? 0}`, ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port)));
      });
    }
    server = s;
  }

  async function shutdown(st: InjectedStatus): Promise<void> {
    for (const t of delayTimers) clearTimeout(t);
    delayTimers.clear();
    for (const s of [...streams]) endStream(s, st);
    const s = server;
    server = undefined;
    if (!s) return;
    await new Promise<void>((resolve) => {
      // Streams were ended above (their status still has to reach the client, so no force);
      // whatever is still open after a grace period is cut.
      const force = setTimeout(() => {
        s.forceShutdown();
        resolve();
      }, 2_000);
      s.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
    await rm(socketPath as string, { force: true });
  }

  issueAll();
  await listen();

  const api: DevWorkloadApi = {
    address: `unix://${socketPath}`,
    socketPath,
    get tcpAddress() {
      return tcpPort === undefined ? undefined : `tcp://127.0.0.1:${tcpPort}`;
    },
    get ca() {
      return currentCa();
    },
    trustDomain,
    get bundle() {
      return ownBundle();
    },
    get svids() {
      return issued.map((i) => i.svid);
    },
    get generation() {
      return generation;
    },
    calls,
    rotate() {
      issueAll();
      broadcast();
    },
    rotateCa() {
      prepare();
      activate();
      broadcast();
    },
    prepareCa() {
      prepare();
      broadcast();
    },
    activateCa() {
      activate();
      broadcast();
    },
    setIdentities(list) {
      checkIdentities(list);
      identities = [...list];
      issueAll(true);
      broadcast();
    },
    setFederatedBundles(bundles) {
      checkBundleKeys("federatedBundles", bundles);
      federated = { ...bundles };
      broadcast();
    },
    injectStatus(rpc, st, count = Number.POSITIVE_INFINITY) {
      const entry = { rpc, status: st, left: count };
      injected.push(entry);
      return () => {
        const i = injected.indexOf(entry);
        if (i !== -1) injected.splice(i, 1);
      };
    },
    endStreams(st, rpc) {
      let n = 0;
      for (const s of [...streams]) {
        if (rpc && s.rpc !== rpc) continue;
        endStream(s, st);
        n++;
      }
      return n;
    },
    sendMalformed(kind, rpc = "FetchX509SVID") {
      let n = 0;
      for (const s of streams) {
        if (s.rpc !== rpc || !s.ready || s.call.cancelled) continue;
        s.call.write(malformed(kind, rpc));
        s.last = undefined;
        n++;
      }
      return n;
    },
    holdFirstMessages() {
      holds++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        holds--;
        if (holds === 0) for (const go of held.splice(0)) go();
      };
    },
    openStreams(rpc) {
      let n = 0;
      for (const s of streams) if (!rpc || s.rpc === rpc) n++;
      return n;
    },
    waitForStreams(rpc, count = 1, o = {}) {
      return new Promise<void>((resolve, reject) => {
        const done = () => {
          events.off("streams", check);
          events.off("closed", onClosed);
          o.signal?.removeEventListener("abort", onAbort);
        };
        const check = () => {
          if (api.openStreams(rpc) >= count) {
            done();
            resolve();
          }
        };
        const onAbort = () => {
          done();
          reject(o.signal?.reason ?? new Error("aborted"));
        };
        // Never hang: a closed server will not open streams any more.
        const onClosed = () => {
          done();
          reject(new Error(`workload-api: dev server closed while waiting for ${count} ${rpc} stream(s)`));
        };
        check();
        if (api.openStreams(rpc) >= count) return;
        if (closed) return onClosed();
        if (o.signal?.aborted) return onAbort();
        o.signal?.addEventListener("abort", onAbort, { once: true });
        events.on("streams", check);
        events.on("closed", onClosed);
      });
    },
    async stop() {
      await shutdown(fail(GrpcStatus.UNAVAILABLE, "agent is shutting down"));
    },
    async start() {
      if (closed) throw new Error("workload-api: dev server is closed");
      if (server) return;
      await listen();
    },
    async restart() {
      await api.stop();
      await api.start();
    },
    async close() {
      if (closed) return;
      closed = true;
      if (rotationTimer) clearTimeout(rotationTimer);
      rotationTimer = undefined;
      held.splice(0);
      await shutdown(fail(GrpcStatus.UNAVAILABLE, "agent is shutting down"));
      events.emit("closed");
      events.removeAllListeners();
      if (madeDir) await rm(madeDir, { recursive: true, force: true });
      else await rm(socketPath as string, { force: true }).catch(() => {});
    },
  };

  function malformed(kind: MalformedKind, rpc: DevStreamRpc): object {
    if (kind === "garbage-protobuf") return new RawMessage(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]));
    if (rpc !== "FetchX509SVID") {
      if (kind !== "garbage-bundle") throw new TypeError(`workload-api: malformed kind ${kind} applies to FetchX509SVID only`);
      if (rpc === "FetchJWTBundles") return { bundles: { [trustDomain.idString()]: Buffer.from("{not json") } };
      return { crl: [], bundles: { [trustDomain.idString()]: Buffer.from([0x30, 0x82, 0xff]) } };
    }
    const base = x509SvidResponse();
    const first = base.svids[0];
    if (kind === "empty-svids") return { ...base, svids: [] };
    if (!first) return { ...base, svids: [] };
    const rest = base.svids.slice(1);
    switch (kind) {
      case "garbage-der":
        return { ...base, svids: [{ ...first, x509_svid: Buffer.from([0x30, 0x03, 0x01, 0x02]) }, ...rest] };
      case "mismatched-key": {
        const other = currentCa().issueSvid(first.spiffe_id);
        return { ...base, svids: [{ ...first, x509_svid_key: Buffer.from(other.keyDer) }, ...rest] };
      }
      case "empty-bundle":
        return { ...base, svids: [{ ...first, bundle: Buffer.alloc(0) }, ...rest] };
      case "id-mismatch":
        return { ...base, svids: [{ ...first, spiffe_id: `${trustDomain.idString()}/someone-else` }, ...rest] };
      case "garbage-bundle":
        return { ...base, federated_bundles: { "spiffe://garbage.example": Buffer.from([0x30, 0x82, 0xff]) } };
      default:
        throw new TypeError(`workload-api: unknown malformed kind ${String(kind)}`);
    }
  }

  return api;
}
