import { joinNexusUrl, NEXUS_ENDPOINTS, type NexusOperation } from "@spike-ts/nexus-model";
import type { Dispatcher } from "undici";
import { type NexusClientClock, waitBackoff } from "./clock.js";
import { type CallContext, errorForBodyCode, errorForStatus, serverCodeOf } from "./error-mapping.js";
import { NexusError } from "./errors.js";
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
  readonly closeSignal: AbortSignal;
  /** The largest response body read; a longer one is cut off and fails with `bad_response`. */
  readonly maxResponseBytes: number;
}

/** The default of `maxResponseBytes`: 32 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

class ResponseTooLarge extends Error {}

/** Reads a response body, refusing more than `limit` bytes without reading further. */
async function readBounded(res: Dispatcher.ResponseData, limit: number): Promise<Uint8Array> {
  const declared = Number(headerValue(res.headers, "content-length"));
  if (Number.isFinite(declared) && declared > limit) {
    res.body.destroy();
    throw new ResponseTooLarge(`declared ${declared} bytes`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res.body) {
    const b = chunk as Buffer;
    total += b.length;
    if (total > limit) {
      res.body.destroy();
      throw new ResponseTooLarge(`more than ${limit} bytes`);
    }
    chunks.push(b);
  }
  return new Uint8Array(Buffer.concat(chunks, total));
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

/** Sends one call with timeout, abort and safe retries. @internal */
export async function execute(cfg: TransportConfig, spec: CallSpec, opts: CallOptions = {}): Promise<CallResult> {
  const ep = NEXUS_ENDPOINTS[spec.operation];
  const baseUrl = cfg.baseUrl();
  const url = new URL(joinNexusUrl(baseUrl, ep.path, ep.action));
  let callerId: string | undefined;
  try {
    callerId = cfg.callerId();
  } catch {
    callerId = undefined;
  }
  const ctx: CallContext = { operation: spec.operation, target: spec.target, callerId, baseUrl };
  const details = (attempts: number) => ({ operation: spec.operation, target: spec.target, callerId, attempts });
  const timeoutMs = opts.timeoutMs ?? cfg.timeoutMs;
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
    throw new NexusError("invalid_input", `nexus: timeoutMs must be a positive number of milliseconds, got ${String(timeoutMs)}`, details(0));
  }
  if (cfg.closeSignal.aborted) {
    throw new NexusError("closed", `nexus: the client is closed; create a new one to call ${spec.operation}`, details(0));
  }
  if (opts.signal?.aborted) {
    throw new NexusError("aborted", `nexus: ${spec.operation} was aborted before it was sent`, { ...details(0), cause: opts.signal.reason });
  }

  const controller = new AbortController();
  let why: "timeout" | "aborted" | "closed" | undefined;
  const stop = (reason: "timeout" | "aborted" | "closed") => () => {
    why ??= reason;
    controller.abort(new Error(`nexus: ${reason}`));
  };
  const onUser = stop("aborted");
  const onClose = stop("closed");
  opts.signal?.addEventListener("abort", onUser, { once: true });
  cfg.closeSignal.addEventListener("abort", onClose, { once: true });
  const timer = cfg.clock.setTimeout(stop("timeout"), timeoutMs);
  const deadline = cfg.clock.now() + timeoutMs;

  let attempts = 0;
  const stopped = (cause: unknown): NexusError => {
    if (why === "timeout") {
      return new NexusError("timeout", `nexus: ${spec.operation} timed out after ${timeoutMs} ms (${attempts} attempt${attempts === 1 ? "" : "s"}); raise timeoutMs or check that nexus at ${baseUrl} answers`, { ...details(attempts), cause });
    }
    if (why === "closed") return new NexusError("closed", `nexus: the client was closed during ${spec.operation}`, { ...details(attempts), cause });
    return new NexusError("aborted", `nexus: ${spec.operation} was aborted by the caller`, { ...details(attempts), cause: opts.signal?.reason ?? cause });
  };

  try {
    for (;;) {
      attempts++;
      let retryable = false;
      let failure: NexusError;
      try {
        const res = await cfg.dispatcher.request({
          origin: url.origin,
          path: url.pathname + url.search,
          method: "POST",
          headers: { "content-type": spec.contentType, accept: "application/json, application/octet-stream" },
          body: spec.body,
          signal: controller.signal,
        });
        let bytes: Uint8Array;
        try {
          bytes = await readBounded(res, cfg.maxResponseBytes);
        } catch (e) {
          if (!(e instanceof ResponseTooLarge)) throw e;
          throw new NexusError(
            "bad_response",
            `nexus: ${spec.operation} got a response body of ${e.message} (http ${res.statusCode}) from ${baseUrl}; this client's maxResponseBytes is ${cfg.maxResponseBytes}; check that the base url points at nexus or raise maxResponseBytes`,
            { ...details(attempts), status: res.statusCode },
          );
        }
        const contentType = headerValue(res.headers, "content-type");
        if (res.statusCode === 200) {
          if (contentType.startsWith("application/json")) {
            const code = serverCodeOf(contentType, decoder.decode(bytes));
            if (code !== undefined) throw errorForBodyCode(ctx, code, attempts);
          }
          // A streaming call must get raw bytes back: anything else (a proxy's login page, JSON)
          // is never handed out as ciphertext or plaintext. JSON calls are checked by parseJson.
          const want = "application/octet-stream";
          if (spec.contentType === want && mediaType(contentType) !== want) {
            throw new NexusError(
              "bad_response",
              `nexus: ${spec.operation} answered 200 with content-type ${JSON.stringify(contentType.slice(0, 80) || "(none)")}, expected ${want}; check that the base url points at nexus`,
              { ...details(attempts), status: 200 },
            );
          }
          return { contentType, bytes, attempts };
        }
        const serverCode = serverCodeOf(contentType, decoder.decode(bytes));
        failure = errorForStatus(ctx, res.statusCode, serverCode, attempts);
        // Nexus's readiness gate answers 503 {"err":"state_not_ready"} before any handler runs, so
        // that answer is safe to retry for every operation. Any other 503 (a proxy in between, which
        // may have forwarded the request) is retried only for operations that change nothing.
        retryable =
          (res.statusCode === 503 && (serverCode === "state_not_ready" || ep.readOnly)) ||
          (ep.readOnly && (res.statusCode === 502 || res.statusCode === 504));
      } catch (e) {
        if (NexusError.is(e)) throw e;
        if (why !== undefined) throw stopped(e);
        const phase = transportPhase(e);
        const code = networkCode(e);
        retryable = phase === "not-sent" || (phase === "maybe-sent" && ep.readOnly);
        failure = new NexusError(
          "transport",
          transportMessage(spec.operation, baseUrl, e, phase, code, ep.readOnly),
          { ...details(attempts), cause: e },
        );
      }
      if (!retryable || attempts >= cfg.retry.maxAttempts) throw failure;
      const delay = backoffDelay(cfg.retry, attempts - 1, cfg.random);
      if (cfg.clock.now() + delay >= deadline) throw failure;
      try {
        await waitBackoff(cfg.clock, delay, controller.signal);
      } catch (e) {
        throw stopped(e);
      }
    }
  } finally {
    cfg.clock.clearTimeout(timer);
    opts.signal?.removeEventListener("abort", onUser);
    cfg.closeSignal.removeEventListener("abort", onClose);
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
  let v: unknown;
  try {
    v = JSON.parse(decoder.decode(result.bytes));
  } catch (cause) {
    throw new NexusError("bad_response", `nexus: ${spec.operation} answered 200 with a body that is not json; check that the base url points at nexus`, {
      operation: spec.operation,
      status: 200,
      attempts,
      cause: cause instanceof Error ? new Error(cause.message.replace(/".*"/g, "…")) : undefined,
    });
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new NexusError("bad_response", `nexus: ${spec.operation} answered 200 with json that is not an object`, { operation: spec.operation, status: 200, attempts });
  }
  return v as Record<string, unknown>;
}
