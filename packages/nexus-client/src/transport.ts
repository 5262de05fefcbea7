import type { EventEmitter } from "node:events";
import { NEXUS_ENDPOINTS, type NexusOperation } from "@spike-ts/nexus-model";
import type { Dispatcher } from "undici";
import { CallAbort, type InFlightCalls, type StopReason, unwatchCallerSignal, watchCallerSignal } from "./call-abort.js";
import { type NexusClientClock, waitBackoff } from "./clock.js";
import { type CallContext, errorForBodyCode, errorForStatus, serverCodeOf, serverCodeOfValue } from "./error-mapping.js";
import { NexusError } from "./errors.js";
import type { RouteCache } from "./routes.js";
import { backoffDelay, isMtlsError, networkCode, type ResolvedRetry, type TransportPhase, transportPhase } from "./retry.js";

/** Per-call options accepted by every client method. */
export interface CallOptions {
  /** Cancels the call; the promise rejects with `NexusError` code `aborted`. */
  readonly signal?: AbortSignal;
  /** Overrides the client's `timeoutMs` for this call (covers every attempt and backoff). */
  readonly timeoutMs?: number;
}

/** One request to send. @internal */
export interface CallSpec {
  readonly operation: NexusOperation;
  readonly target?: string;
  readonly body: string | Uint8Array;
  readonly contentType: "application/json" | "application/octet-stream";
}

/** A 200 answer. @internal */
export interface CallResult {
  readonly contentType: string;
  readonly bytes: Uint8Array;
  /** HTTP attempts it took. */
  readonly attempts: number;
  /** A JSON call's body, decoded and parsed once (see {@link parseJson}). */
  readonly parsed?: ParsedBody;
}

/** Everything the executor needs. @internal */
export interface TransportConfig {
  /** The base URL for the next request (validated; throws `invalid_input`). */
  readonly baseUrl: () => string;
  readonly dispatcher: Dispatcher;
  readonly retry: ResolvedRetry;
  readonly timeoutMs: number;
  readonly clock: NexusClientClock;
  readonly random: () => number;
  readonly callerId: () => string | undefined;
  /** The calls in flight; `close()` stops them and refuses new ones. */
  readonly calls: InFlightCalls;
  /** Each operation's origin and path under the current base URL. */
  readonly routes: RouteCache;
  /** The largest response body read; a longer one is cut off and fails with `bad_response`. */
  readonly maxResponseBytes: number;
}

/** The default of `maxResponseBytes`: 32 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

class ResponseTooLarge extends Error {}

/** The state of one bounded body read, kept on the body stream so the listeners are shared. */
interface BoundedRead {
  readonly limit: number;
  readonly resolve: (b: Buffer) => void;
  readonly reject: (e: unknown) => void;
  first: Buffer | undefined;
  chunks: Buffer[] | undefined;
  total: number;
}

const kRead = Symbol("nexus-client.boundedRead");
type BodyStream = Dispatcher.ResponseData["body"] & { [kRead]?: BoundedRead };

// Module-level listeners (no closures per response): the read's state lives on the stream.
function onBodyData(this: BodyStream, chunk: Buffer): void {
  const st = this[kRead];
  if (st === undefined) return;
  st.total += chunk.length;
  if (st.total > st.limit) {
    endRead(this);
    discardBody(this);
    st.reject(new ResponseTooLarge(`more than ${st.limit} bytes`));
    return;
  }
  if (st.first === undefined) st.first = chunk;
  else (st.chunks ??= [st.first]).push(chunk);
}

function onBodyEnd(this: BodyStream): void {
  const st = endRead(this);
  st?.resolve(st.chunks !== undefined ? Buffer.concat(st.chunks, st.total) : (st.first ?? Buffer.alloc(0)));
}

function onBodyError(this: BodyStream, e: Error): void {
  endRead(this)?.reject(e);
}

function onBodyClose(this: BodyStream): void {
  // Closed before "end" without an "error" (undici reports aborts as errors first).
  endRead(this)?.reject(new Error("nexus: the response body closed before it ended"));
}

// Destroying an unfinished undici body emits an AbortError; with no listener left that error would
// be uncaught and crash the process. Every body we give up on is destroyed through this.
function ignoreBodyError(): void {}
function discardBody(body: BodyStream): void {
  body.on("error", ignoreBodyError).destroy();
}

function endRead(body: BodyStream): BoundedRead | undefined {
  const st = body[kRead];
  body[kRead] = undefined;
  body.off("data", onBodyData).off("end", onBodyEnd).off("error", onBodyError).off("close", onBodyClose);
  return st;
}

/**
 * Reads a response body, refusing more than `limit` bytes without reading further. The result may
 * share memory with undici's chunks (or Node's buffer pool): copy it before handing it out.
 */
function readBounded(res: Dispatcher.ResponseData, limit: number): Promise<Buffer> {
  const declared = Number(headerValue(res.headers, "content-length"));
  const body = res.body as BodyStream;
  if (Number.isFinite(declared) && declared > limit) {
    discardBody(body);
    return Promise.reject(new ResponseTooLarge(`declared ${declared} bytes`));
  }
  return new Promise<Buffer>((resolve, reject) => {
    body[kRead] = { limit, resolve, reject, first: undefined, chunks: undefined, total: 0 };
    body.on("data", onBodyData).on("end", onBodyEnd).on("error", onBodyError).on("close", onBodyClose);
  });
}

const decoder = new TextDecoder();

/** The media type of a content-type header, lower case, without parameters. */
function mediaType(contentType: string): string {
  return (contentType.split(";")[0] ?? "").trim().toLowerCase();
}

function headerValue(h: Record<string, string | string[] | undefined>, name: string): string {
  const v = h[name];
  return (Array.isArray(v) ? v[0] : v) ?? "";
}

/** The request headers of each body kind, made once (undici only reads them). */
const REQUEST_HEADERS = {
  "application/json": Object.freeze({ "content-type": "application/json", accept: "application/json, application/octet-stream" }),
  "application/octet-stream": Object.freeze({ "content-type": "application/octet-stream", accept: "application/json, application/octet-stream" }),
} as const;

const NO_OPTIONS: CallOptions = Object.freeze({});

/** What a call's errors say about it. */
interface CallFacts {
  readonly spec: CallSpec;
  readonly cfg: TransportConfig;
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly signal: AbortSignal | undefined;
  /** `cfg.callerId()`, read once, on the first error. */
  callerId?: string | undefined;
  callerIdRead?: boolean;
}

function callerIdOf(f: CallFacts): string | undefined {
  if (f.callerIdRead !== true) {
    f.callerIdRead = true;
    try {
      f.callerId = f.cfg.callerId();
    } catch {
      f.callerId = undefined;
    }
  }
  return f.callerId;
}

function detailsOf(f: CallFacts, attempts: number) {
  return { operation: f.spec.operation, target: f.spec.target, callerId: callerIdOf(f), attempts };
}

function contextOf(f: CallFacts): CallContext {
  return { operation: f.spec.operation, target: f.spec.target, callerId: callerIdOf(f), baseUrl: f.baseUrl };
}

/** The error of a call stopped by its timeout, the caller's signal or `close()`. */
function stoppedError(f: CallFacts, why: StopReason | undefined, attempts: number, cause: unknown): NexusError {
  const op = f.spec.operation;
  if (why === "timeout") {
    return new NexusError("timeout", `nexus: ${op} timed out after ${f.timeoutMs} ms (${attempts} attempt${attempts === 1 ? "" : "s"}); raise timeoutMs or check that nexus at ${f.baseUrl} answers`, { ...detailsOf(f, attempts), cause });
  }
  if (why === "closed") return new NexusError("closed", `nexus: the client was closed during ${op}`, { ...detailsOf(f, attempts), cause });
  return new NexusError("aborted", `nexus: ${op} was aborted by the caller`, { ...detailsOf(f, attempts), cause: f.signal?.reason ?? cause });
}

/** A 200 JSON body, parsed once: the value, or why it did not parse. */
type ParsedBody = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

function parseBody(bytes: Uint8Array): ParsedBody {
  try {
    return { ok: true, value: JSON.parse(decoder.decode(bytes)) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Sends one call with timeout, abort and safe retries. @internal */
export async function execute(cfg: TransportConfig, spec: CallSpec, opts: CallOptions = NO_OPTIONS): Promise<CallResult> {
  const ep = NEXUS_ENDPOINTS[spec.operation];
  const baseUrl = cfg.baseUrl();
  const route = cfg.routes.get(baseUrl, spec.operation);
  const timeoutMs = opts.timeoutMs ?? cfg.timeoutMs;
  const signal = opts.signal;
  const facts: CallFacts = { spec, cfg, baseUrl, timeoutMs, signal };
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
    throw new NexusError("invalid_input", `nexus: timeoutMs must be a positive number of milliseconds, got ${String(timeoutMs)}`, detailsOf(facts, 0));
  }
  if (cfg.calls.closed) {
    throw new NexusError("closed", `nexus: the client is closed; create a new one to call ${spec.operation}`, detailsOf(facts, 0));
  }
  if (signal?.aborted) {
    throw new NexusError("aborted", `nexus: ${spec.operation} was aborted before it was sent`, { ...detailsOf(facts, 0), cause: signal.reason });
  }

  // One light abort handle per call (no AbortController, no listener on a shared emitter): the
  // timeout, the caller's signal and close() stop it; undici gets it as the request signal.
  const call = new CallAbort();
  if (signal !== undefined) watchCallerSignal(signal, call);
  cfg.calls.add(call);
  const timer = cfg.clock.setTimeout(call.onTimeout, timeoutMs);
  const deadline = cfg.clock.now() + timeoutMs;
  const headers = REQUEST_HEADERS[spec.contentType];

  let attempts = 0;
  try {
    for (;;) {
      attempts++;
      let retryable = false;
      let failure: NexusError;
      try {
        const res = await cfg.dispatcher.request({
          origin: route.origin,
          path: route.path,
          method: "POST",
          headers,
          body: spec.body,
          // undici takes an EventEmitter with aborted/reason as a signal (see CallAbort).
          signal: call as unknown as EventEmitter,
        });
        let bytes: Buffer;
        try {
          bytes = await readBounded(res, cfg.maxResponseBytes);
        } catch (e) {
          if (!(e instanceof ResponseTooLarge)) throw e;
          throw new NexusError(
            "bad_response",
            `nexus: ${spec.operation} got a response body of ${e.message} (http ${res.statusCode}) from ${baseUrl}; this client's maxResponseBytes is ${cfg.maxResponseBytes}; check that the base url points at nexus or raise maxResponseBytes`,
            { ...detailsOf(facts, attempts), status: res.statusCode },
          );
        }
        const contentType = headerValue(res.headers, "content-type");
        if (res.statusCode === 200) {
          const jsonType = contentType.startsWith("application/json");
          // A JSON call's body is decoded and parsed once, here; parseJson reads the result.
          let parsed: ParsedBody | undefined;
          if (jsonType || spec.contentType === "application/json") parsed = parseBody(bytes);
          if (jsonType && parsed?.ok === true) {
            const code = serverCodeOfValue(parsed.value);
            if (code !== undefined) throw errorForBodyCode(contextOf(facts), code, attempts);
          }
          // A streaming call must get raw bytes back: anything else (a proxy's login page, JSON)
          // is never handed out as ciphertext or plaintext. JSON calls are checked by parseJson.
          const want = "application/octet-stream";
          if (spec.contentType === want && mediaType(contentType) !== want) {
            throw new NexusError(
              "bad_response",
              `nexus: ${spec.operation} answered 200 with content-type ${JSON.stringify(contentType.slice(0, 80) || "(none)")}, expected ${want}; check that the base url points at nexus`,
              { ...detailsOf(facts, attempts), status: 200 },
            );
          }
          // Bytes handed out are a private copy: never a view of undici's or Node's pooled memory.
          return parsed === undefined ? { contentType, bytes: new Uint8Array(bytes), attempts } : { contentType, bytes, attempts, parsed };
        }
        const serverCode = serverCodeOf(contentType, decoder.decode(bytes));
        failure = errorForStatus(contextOf(facts), res.statusCode, serverCode, attempts);
        // Nexus's readiness gate answers 503 {"err":"state_not_ready"} before any handler runs, so
        // that answer is safe to retry for every operation. Any other 503 (a proxy in between, which
        // may have forwarded the request) is retried only for operations that change nothing.
        retryable =
          (res.statusCode === 503 && (serverCode === "state_not_ready" || ep.readOnly)) ||
          (ep.readOnly && (res.statusCode === 502 || res.statusCode === 504));
      } catch (e) {
        if (NexusError.is(e)) throw e;
        if (call.why !== undefined) throw stoppedError(facts, call.why, attempts, e);
        const phase = transportPhase(e);
        const code = networkCode(e);
        retryable = phase === "not-sent" || (phase === "maybe-sent" && ep.readOnly);
        failure = new NexusError(
          "transport",
          transportMessage(spec.operation, baseUrl, e, phase, code, ep.readOnly),
          { ...detailsOf(facts, attempts), cause: e },
        );
      }
      if (!retryable || attempts >= cfg.retry.maxAttempts) throw failure;
      const delay = backoffDelay(cfg.retry, attempts - 1, cfg.random);
      if (cfg.clock.now() + delay >= deadline) throw failure;
      try {
        await waitBackoff(cfg.clock, delay, call.signal);
      } catch (e) {
        throw stoppedError(facts, call.why, attempts, e);
      }
    }
  } finally {
    cfg.clock.clearTimeout(timer);
    if (signal !== undefined) unwatchCallerSignal(signal, call);
    cfg.calls.delete(call);
  }
}

/** The `host:port` a refused connection was aimed at, from the error or the base url. */
function refusedAddress(e: unknown, baseUrl: string): string {
  const { address, port } = (e ?? {}) as { address?: unknown; port?: unknown };
  if (typeof address === "string" && typeof port === "number") return address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
  try {
    const url = new URL(baseUrl);
    return url.port === "" ? `${url.hostname}:${url.protocol === "http:" ? 80 : 443}` : url.host;
  } catch {
    return baseUrl;
  }
}

/** The message of a `transport` NexusError: what failed, when, and what to do. @internal */
export function transportMessage(
  operation: NexusOperation,
  baseUrl: string,
  e: unknown,
  phase: TransportPhase,
  code: string | undefined,
  readOnly: boolean,
): string {
  if (code === "ECONNREFUSED") {
    return `nexus: ${operation} failed: no server listening at ${refusedAddress(e, baseUrl)} (ECONNREFUSED); check that nexus is running and that the base url (${baseUrl}, SPIKE_NEXUS_API_URL) points at it`;
  }
  const when = phase === "not-sent" ? "before the request was sent" : phase === "maybe-sent" ? "after the request may have been sent" : "while connecting";
  // The mTLS layer's messages say which server and what to do, and never carry secrets.
  if (isMtlsError(e)) {
    return `nexus: ${operation} failed ${when} to ${baseUrl}${code ? ` (${code})` : ""}: ${e.message}`;
  }
  const hint =
    phase === "config"
      ? "check the base url, the trust bundle and that the server presents a nexus spiffe id"
      : phase === "maybe-sent" && !readOnly
        ? `it was not retried because ${operation} changes state; check the result before repeating it`
        : "check that nexus is running and SPIKE_NEXUS_API_URL points at it";
  return `nexus: ${operation} failed ${when} to ${baseUrl}${code ? ` (${code})` : ""}; ${hint}`;
}

/** Parses a JSON 200 body or throws `bad_response`. @internal */
export function parseJson(spec: { operation: NexusOperation }, result: CallResult): Record<string, unknown> {
  const attempts = result.attempts;
  const parsed = result.parsed ?? parseBody(result.bytes);
  if (!parsed.ok) {
    const cause = parsed.error;
    throw new NexusError("bad_response", `nexus: ${spec.operation} answered 200 with a body that is not json; check that the base url points at nexus`, {
      operation: spec.operation,
      status: 200,
      attempts,
      cause: cause instanceof Error ? new Error(cause.message.replace(/".*"/g, "…")) : undefined,
    });
  }
  const v = parsed.value;
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new NexusError("bad_response", `nexus: ${spec.operation} answered 200 with json that is not an object`, { operation: spec.operation, status: 200, attempts });
  }
  return v as Record<string, unknown>;
}
