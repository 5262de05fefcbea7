import { Client, credentials, status as GrpcStatus } from "@grpc/grpc-js";
import type { ChannelOptions, ClientReadableStream, ServiceError, StatusObject } from "@grpc/grpc-js";
import type { JwtBundleSet, JwtSvid, X509BundleSet, X509Svid } from "@spike-ts/spiffe";
import { parseJwtSvidInsecure } from "@spike-ts/spiffe";
import { type WorkloadApiAddress, resolveWorkloadApiAddress } from "./address.js";
import { type BackoffStrategy, linearBackoff, timerDelay } from "./backoff.js";
import { WorkloadApiError } from "./errors.js";
import {
  type JwtSvidParams,
  audienceList,
  jwtBundlesFingerprint,
  parseJwtBundlesResponse,
  parseJwtSvidResponse,
  subjectString,
} from "./jwt.js";
import { securityMetadata } from "./metadata.js";
import { messages, paths } from "./proto/messages.js";
import { errorFromStatus } from "./status.js";
import { BundleParseCache, type X509Context, parseX509BundlesResponse, parseX509SvidResponse } from "./x509-context.js";

/** Options of {@link createWorkloadApiClient}. */
export interface WorkloadApiClientOptions {
  /** Endpoint address (`unix:///path`, `unix:/path`, `tcp://ip:port`); default `SPIFFE_ENDPOINT_SOCKET`. */
  address?: string;
  /** Retry policy of watches (default {@link linearBackoff}: 1 s steps up to 30 s). */
  backoff?: BackoffStrategy;
  /** Clock used to check JWT-SVID expiry (default: the system clock). */
  now?: () => Date;
  /** Extra grpc-js channel options. */
  channelOptions?: ChannelOptions;
  /** Environment to read `SPIFFE_ENDPOINT_SOCKET` from (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Options of every client call. */
export interface CallOptions {
  /** Cancels the call (or ends the watch). */
  signal?: AbortSignal;
}

/**
 * Callbacks of a watch. `onUpdate` gets the full new state after every message; `onError` every
 * failure (malformed message, stream ended, retry scheduled); `onStop` once when the watch ends
 * for good (`invalid_argument`, `aborted`, `closed`).
 */
export interface Watcher<T> {
  /** A new full state. */
  onUpdate(value: T): void;
  /** A failure; the watch keeps going unless `onStop` follows. */
  onError?(error: WorkloadApiError): void;
  /** The watch ended and will not retry. */
  onStop?(error: WorkloadApiError): void;
}

/** A SPIFFE Workload API client over one gRPC channel (see {@link createWorkloadApiClient}). */
export interface WorkloadApiClient {
  /** The parsed endpoint address. */
  readonly address: WorkloadApiAddress;
  /** First `FetchX509SVID` message: SVIDs, own and federated bundles. */
  fetchX509Context(options?: CallOptions): Promise<X509Context>;
  /** The default (first) X.509-SVID. */
  fetchX509Svid(options?: CallOptions): Promise<X509Svid>;
  /** All X.509-SVIDs (hint de-duplicated). */
  fetchX509Svids(options?: CallOptions): Promise<X509Svid[]>;
  /** Streams X.509 contexts with retry/backoff; returns a function that stops the watch. */
  watchX509Context(watcher: Watcher<X509Context>, options?: CallOptions): () => void;
  /** First `FetchX509Bundles` message. */
  fetchX509Bundles(options?: CallOptions): Promise<X509BundleSet>;
  /** Streams X.509 bundle sets; returns a stop function. */
  watchX509Bundles(watcher: Watcher<X509BundleSet>, options?: CallOptions): () => void;
  /** The first JWT-SVID for the audience (and subject, if given). */
  fetchJwtSvid(params: JwtSvidParams): Promise<JwtSvid>;
  /** All JWT-SVIDs for the audience. */
  fetchJwtSvids(params: JwtSvidParams): Promise<JwtSvid[]>;
  /** First `FetchJWTBundles` message. */
  fetchJwtBundles(options?: CallOptions): Promise<JwtBundleSet>;
  /** Streams JWT bundle sets (unchanged re-sends are skipped); returns a stop function. */
  watchJwtBundles(watcher: Watcher<JwtBundleSet>, options?: CallOptions): () => void;
  /** Asks the agent to validate `token` for `audience`; returns the token parsed locally. */
  validateJwtSvid(token: string, audience: string, options?: CallOptions): Promise<JwtSvid>;
  /** Cancels every call and watch, clears retry timers and closes the channel. */
  close(): Promise<void>;
}

const identity = (b: Buffer): Buffer => b;

function abortError(rpc: string, signal: AbortSignal): WorkloadApiError {
  return new WorkloadApiError("aborted", `workload-api: ${rpc} aborted by the caller`, { rpc, cause: signal.reason });
}

function closedError(rpc: string): WorkloadApiError {
  return new WorkloadApiError("closed", `workload-api: ${rpc} called on a closed client`, { rpc });
}

function callListener(fn: (() => void) | undefined, what = "a watcher callback"): void {
  if (!fn) return;
  try {
    fn();
  } catch (e) {
    process.emitWarning(`workload-api: ${what} threw: ${(e as Error)?.message ?? String(e)}`, "WorkloadApiWarning");
  }
}

type Rpc = "FetchX509SVID" | "FetchX509Bundles" | "FetchJWTBundles";

/**
 * Creates a Workload API client. The channel dials lazily, so creation succeeds before the
 * agent is up; the address is validated now (`address_missing` / `address_invalid`).
 *
 * @example
 * ```ts
 * const client = createWorkloadApiClient({ address: "unix:///tmp/spire-agent/public/api.sock" });
 * const { defaultSvid } = await client.fetchX509Context({ signal: AbortSignal.timeout(5_000) });
 * await client.close();
 * ```
 */
export function createWorkloadApiClient(options: WorkloadApiClientOptions = {}): WorkloadApiClient {
  const address = resolveWorkloadApiAddress(options.address, options.env);
  const strategy = options.backoff ?? linearBackoff();
  if (typeof strategy?.newBackoff !== "function") throw new TypeError("workload-api: backoff must have a newBackoff() method");
  const now = options.now ?? (() => new Date());
  const grpc = new Client(address.target, credentials.createInsecure(), {
    "grpc.enable_retries": 0,
    ...options.channelOptions,
  });
  let closed = false;
  const cancels = new Set<() => void>();

  function track(cancel: () => void): () => void {
    cancels.add(cancel);
    return () => cancels.delete(cancel);
  }

  function statusError(rpc: string, st: Pick<StatusObject, "code" | "details">, cause?: unknown): WorkloadApiError {
    return errorFromStatus(rpc, address.target, st, cause, address.kind === "unix" ? address.path : undefined);
  }

  function openStream(rpc: Rpc, request: Buffer): ClientReadableStream<Buffer> {
    const call = grpc.makeServerStreamRequest<Buffer, Buffer>(paths[rpc], identity, identity, request, securityMetadata());
    call.on("error", () => {
      // reported through the "status" event
    });
    return call;
  }

  function first<T>(rpc: Rpc, request: Buffer, parse: (b: Buffer) => T, signal?: AbortSignal): Promise<T> {
    if (closed) return Promise.reject(closedError(rpc));
    if (signal?.aborted) return Promise.reject(abortError(rpc, signal));
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const call = openStream(rpc, request);
      const finish = (settle: () => void) => {
        if (done) return;
        done = true;
        untrack();
        signal?.removeEventListener("abort", onAbort);
        call.cancel();
        settle();
      };
      const onAbort = () => finish(() => reject(abortError(rpc, signal as AbortSignal)));
      const untrack = track(() => finish(() => reject(closedError(rpc))));
      signal?.addEventListener("abort", onAbort, { once: true });
      call.on("data", (buf: Buffer) => {
        let value: T;
        try {
          value = parse(buf);
        } catch (e) {
          finish(() => reject(e));
          return;
        }
        finish(() => resolve(value));
      });
      call.on("status", (st: StatusObject) => {
        const err =
          st.code === GrpcStatus.OK
            ? new WorkloadApiError("unavailable", `workload-api: ${rpc} stream ended before the first message`, { rpc })
            : statusError(rpc, st);
        finish(() => reject(err));
      });
    });
  }

  function unary<T>(rpc: "FetchJWTSVID" | "ValidateJWTSVID", request: Buffer, parse: (b: Buffer) => T, signal?: AbortSignal): Promise<T> {
    if (closed) return Promise.reject(closedError(rpc));
    if (signal?.aborted) return Promise.reject(abortError(rpc, signal));
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const finish = (settle: () => void) => {
        if (done) return;
        done = true;
        untrack();
        signal?.removeEventListener("abort", onAbort);
        settle();
      };
      const call = grpc.makeUnaryRequest<Buffer, Buffer>(
        paths[rpc],
        identity,
        identity,
        request,
        securityMetadata(),
        {},
        (err: ServiceError | null, value?: Buffer) => {
          if (err) {
            finish(() => reject(statusError(rpc, err, err)));
            return;
          }
          try {
            const v = parse(value ?? Buffer.alloc(0));
            finish(() => resolve(v));
          } catch (e) {
            finish(() => reject(e));
          }
        },
      );
      const onAbort = () => {
        finish(() => reject(abortError(rpc, signal as AbortSignal)));
        call.cancel();
      };
      const untrack = track(() => {
        finish(() => reject(closedError(rpc)));
        call.cancel();
      });
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  function watch<T>(rpc: Rpc, request: Buffer, parse: (b: Buffer) => T | undefined, watcher: Watcher<T>, signal?: AbortSignal): () => void {
    if (typeof watcher?.onUpdate !== "function") throw new TypeError("workload-api: watcher.onUpdate must be a function");
    const backoff = strategy.newBackoff();
    if (typeof backoff?.next !== "function" || typeof backoff.reset !== "function") {
      throw new TypeError("workload-api: backoff.newBackoff() must return { next(): number; reset(): void }");
    }
    // A custom backoff runs inside gRPC callbacks: a throw there must not crash the process.
    const resetBackoff = () => callListener(() => backoff.reset(), "backoff.reset()");
    const nextDelay = (): number => {
      let d: unknown;
      callListener(() => {
        d = backoff.next();
      }, "backoff.next()");
      return timerDelay(d);
    };
    let stopped = false;
    let call: ClientReadableStream<Buffer> | undefined;
    let timer: NodeJS.Timeout | undefined;
    const stopWith = (err: WorkloadApiError) => {
      if (stopped) return;
      stopped = true;
      untrack();
      signal?.removeEventListener("abort", onAbort);
      if (timer) clearTimeout(timer);
      timer = undefined;
      const c = call;
      call = undefined;
      c?.cancel();
      callListener(watcher.onStop && (() => watcher.onStop?.(err)));
    };
    const onAbort = () => stopWith(abortError(rpc, signal as AbortSignal));
    const untrack = track(() => stopWith(closedError(rpc)));
    const open = () => {
      timer = undefined;
      if (stopped) return;
      const c = openStream(rpc, request);
      call = c;
      c.on("data", (buf: Buffer) => {
        if (stopped || call !== c) return;
        resetBackoff();
        let value: T | undefined;
        try {
          value = parse(buf);
        } catch (e) {
          const err = WorkloadApiError.is(e) ? e : new WorkloadApiError("malformed_response", `workload-api: malformed ${rpc} response`, { rpc, cause: e });
          callListener(watcher.onError && (() => watcher.onError?.(err)));
          return;
        }
        if (value !== undefined) {
          const v = value;
          callListener(() => watcher.onUpdate(v));
        }
      });
      c.on("status", (st: StatusObject) => {
        if (stopped || call !== c) return;
        call = undefined;
        const err =
          st.code === GrpcStatus.OK
            ? new WorkloadApiError("unavailable", `workload-api: ${rpc} stream ended by the agent; reconnecting`, { rpc, grpcCode: st.code })
            : statusError(rpc, st);
        callListener(watcher.onError && (() => watcher.onError?.(err)));
        if (st.code === GrpcStatus.INVALID_ARGUMENT || st.code === GrpcStatus.CANCELLED) {
          stopWith(err);
          return;
        }
        if (stopped) return;
        timer = setTimeout(open, nextDelay());
      });
    };
    if (closed) {
      queueMicrotask(() => stopWith(closedError(rpc)));
      return () => {};
    }
    if (signal?.aborted) {
      queueMicrotask(onAbort);
      return () => {};
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    open();
    return () => stopWith(new WorkloadApiError("aborted", `workload-api: ${rpc} watch stopped`, { rpc }));
  }

  const x509Req = messages.X509SVIDRequest.encode({});
  const x509BundlesReq = messages.X509BundlesRequest.encode({});
  const jwtBundlesReq = messages.JWTBundlesRequest.encode({});
  const parseCtx = (b: Buffer) => parseX509SvidResponse(decode("FetchX509SVID", () => messages.X509SVIDResponse.decode(b)));
  const parseBundles = (b: Buffer) => parseX509BundlesResponse(decode("FetchX509Bundles", () => messages.X509BundlesResponse.decode(b)));
  const parseJwtBundles = (b: Buffer) => parseJwtBundlesResponse(decode("FetchJWTBundles", () => messages.JWTBundlesResponse.decode(b)));

  function fetchJwtSvids(params: JwtSvidParams): Promise<JwtSvid[]> {
    let audience: string[];
    let subject: string;
    try {
      audience = audienceList(params);
      subject = subjectString(params.subject);
    } catch (e) {
      return Promise.reject(e);
    }
    const req = messages.JWTSVIDRequest.encode({ audience, spiffe_id: subject });
    return unary(
      "FetchJWTSVID",
      req,
      (b) => {
        const svids = parseJwtSvidResponse(decode("FetchJWTSVID", () => messages.JWTSVIDResponse.decode(b)), audience, now);
        // The agent filters by subject; never hand out a token for another identity than asked.
        const other = subject === "" ? undefined : svids.find((s) => s.id.toString() !== subject);
        if (other) {
          throw new WorkloadApiError(
            "malformed_response",
            `workload-api: malformed FetchJWTSVID response: asked for ${subject} but the agent sent a JWT-SVID for ${other.id.toString()}; the token is not used`,
            { rpc: "FetchJWTSVID" },
          );
        }
        return svids;
      },
      params.signal,
    );
  }

  return {
    address,
    fetchX509Context: (o) => first("FetchX509SVID", x509Req, parseCtx, o?.signal),
    fetchX509Svid: async (o) => (await first("FetchX509SVID", x509Req, parseCtx, o?.signal)).defaultSvid,
    fetchX509Svids: async (o) => [...(await first("FetchX509SVID", x509Req, parseCtx, o?.signal)).svids],
    watchX509Context(w, o) {
      const cache = new BundleParseCache();
      const parse = (b: Buffer) => parseX509SvidResponse(decode("FetchX509SVID", () => messages.X509SVIDResponse.decode(b)), cache);
      return watch("FetchX509SVID", x509Req, parse, w, o?.signal);
    },
    fetchX509Bundles: (o) => first("FetchX509Bundles", x509BundlesReq, parseBundles, o?.signal),
    watchX509Bundles(w, o) {
      const cache = new BundleParseCache();
      const parse = (b: Buffer) => parseX509BundlesResponse(decode("FetchX509Bundles", () => messages.X509BundlesResponse.decode(b)), cache);
      return watch("FetchX509Bundles", x509BundlesReq, parse, w, o?.signal);
    },
    fetchJwtSvids,
    fetchJwtSvid: async (p) => (await fetchJwtSvids(p))[0] as JwtSvid,
    fetchJwtBundles: (o) => first("FetchJWTBundles", jwtBundlesReq, parseJwtBundles, o?.signal),
    watchJwtBundles(w, o) {
      let last: string | undefined;
      const parse = (b: Buffer) => {
        const msg = decode("FetchJWTBundles", () => messages.JWTBundlesResponse.decode(b));
        const set = parseJwtBundlesResponse(msg);
        const fp = jwtBundlesFingerprint(msg);
        if (fp === last) return undefined;
        last = fp;
        return set;
      };
      return watch("FetchJWTBundles", jwtBundlesReq, parse, w, o?.signal);
    },
    validateJwtSvid(token, audience, o) {
      if (typeof token !== "string" || token === "") {
        return Promise.reject(new WorkloadApiError("invalid_argument", "workload-api: validateJwtSvid needs a token"));
      }
      if (typeof audience !== "string" || audience === "") {
        return Promise.reject(new WorkloadApiError("invalid_argument", "workload-api: validateJwtSvid needs an audience"));
      }
      const req = messages.ValidateJWTSVIDRequest.encode({ audience, svid: token });
      return unary(
        "ValidateJWTSVID",
        req,
        (b) => {
          decode("ValidateJWTSVID", () => messages.ValidateJWTSVIDResponse.decode(b));
          try {
            return parseJwtSvidInsecure(token, [audience], { now: now() });
          } catch (e) {
            throw new WorkloadApiError("malformed_response", `workload-api: the agent accepted a token that does not parse locally: ${(e as Error).message}`, { rpc: "ValidateJWTSVID", cause: e });
          }
        },
        o?.signal,
      );
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const cancel of [...cancels]) cancel();
      cancels.clear();
      grpc.close();
    },
  };
}

function decode<T>(rpc: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw new WorkloadApiError("malformed_response", `workload-api: malformed ${rpc} response: the protobuf message does not decode (${(e as Error).message}); the previous state is kept`, { rpc, cause: e });
  }
}
