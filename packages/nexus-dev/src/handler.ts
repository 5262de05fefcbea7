// Request handling of the dev Nexus on a plain node:http(s) request/response pair, in
// Nexus's order (spec §1.3, §1.5): method, route, then per endpoint parse, authorize,
// validate, operate. The TLS layer only supplies the caller's SPIFFE ID.
import { createHash } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import {
  authorizeOperation,
  findEndpoint,
  NEXUS_JSON_RESPONSE_HEADERS,
  type NexusOperation,
  policyViolations,
  STREAM_CONTENT_TYPE,
  type TrustRoots,
  validateKeyName,
  validatePolicyName,
  validateSecretPath,
} from "@spike-ts/nexus-model";
import { CIPHER_FORMAT_VERSION, NONCE_BYTES, type NexusCipher } from "./cipher.js";
import { formatGoTime, type GoFieldType, GoJsonError, type GoStruct, marshalGo, goMap, unmarshalGo } from "./go-json.js";
import type { NexusState } from "./nexus-state.js";

/** One line of the dev Nexus's server log: never carries secret values or request bodies. */
export interface NexusDevLogEntry {
  /** `info` for served requests, `warn` for refusals, `error` for internal failures. */
  readonly level: "info" | "warn" | "error";
  /** What happened, in lower case. */
  readonly message: string;
  /** The operation, when the route matched. */
  readonly operation?: NexusOperation;
  /** The caller's SPIFFE ID, when known. */
  readonly peerId?: string;
  /** The HTTP status sent. */
  readonly status?: number;
}

/** The request side the handler uses: node:http's `IncomingMessage` or node:http2's compat request. */
export interface NexusRequest {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly headers: IncomingHttpHeaders;
  on(event: "data", listener: (chunk: Buffer) => void): unknown;
  on(event: "end" | "aborted", listener: () => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  /** Drops the rest of the request (and the connection) after a refused body. */
  destroy?(): unknown;
}

/** The response side the handler uses: node:http's `ServerResponse` or node:http2's compat response. */
export interface NexusResponse {
  readonly headersSent: boolean;
  readonly statusCode: number;
  writeHead(status: number, headers: Record<string, string | number>): unknown;
  end(body?: string | Uint8Array): unknown;
  once?(event: "finish", listener: () => void): unknown;
}

/** What the request handler needs. */
export interface NexusHandlerOptions {
  readonly state: NexusState;
  readonly cipher: NexusCipher;
  readonly trustRoots: TrustRoots;
  /** The caller's SPIFFE ID from its verified client certificate, or `undefined`. */
  readonly peerIdOf: (req: NexusRequest) => string | undefined;
  readonly now: () => Date;
  /** `SPIKE_NEXUS_CRYPTO_MAX_CIPHERTEXT_SIZE` (default 65536). */
  readonly maxCiphertextBytes: number;
  /** Largest request body read, in bytes; a larger one is a body read failure (400, §2.1 c). */
  readonly maxRequestBytes: number;
  /** How long a request body may take to arrive, ms; a slower one is a body read failure. */
  readonly requestBodyTimeoutMs: number;
  readonly log?: (entry: NexusDevLogEntry) => void;
}

type ErrCode = "api_bad_request" | "access_unauthorized" | "api_not_found" | "api_internal_error";
const STATUS: Record<ErrCode, number> = { api_bad_request: 400, access_unauthorized: 401, api_not_found: 404, api_internal_error: 500 };

class BodyReadError extends Error {}

/** How the handler bounds request bodies (a deviation from Nexus, which reads any body whole). */
interface BodyLimits {
  readonly maxBytes: number;
  readonly timeoutMs: number;
}

/**
 * Reads the whole body, as Nexus does, but bounded: more than `maxBytes` (by `content-length`
 * or as it arrives) or a body still incomplete after `timeoutMs` is a read failure, which Nexus
 * answers like a broken connection (§2.1 c). What was buffered is dropped at once.
 */
function readBody(req: NexusRequest, limits: BodyLimits): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (e: BodyReadError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      chunks = [];
      reject(e);
    };
    const declared = req.headers["content-length"];
    if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > limits.maxBytes) {
      settled = true;
      reject(new BodyReadError("too large"));
      return;
    }
    // Node fires a timer beyond 2^31-1 ms after 1 ms: clamp, or every body would be "too slow".
    const timer = setTimeout(() => fail(new BodyReadError("too slow")), Math.min(limits.timeoutMs, 2 ** 31 - 1));
    req.on("data", (c: Buffer) => {
      if (settled) return;
      size += c.length;
      if (size > limits.maxBytes) fail(new BodyReadError("too large"));
      else chunks.push(c);
    });
    req.on("end", () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    });
    req.on("error", (e) => fail(new BodyReadError("body", { cause: e })));
    req.on("aborted", () => fail(new BodyReadError("aborted")));
  });
}

function sendJson(res: NexusResponse, status: number, body: unknown): void {
  const text = marshalGo(body);
  res.writeHead(status, { ...NEXUS_JSON_RESPONSE_HEADERS, "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** Go's http.Error: plain text, nosniff, a trailing newline (cipher streaming errors). */
function sendPlain(res: NexusResponse, status: number, text: string): void {
  const body = `${text}\n`;
  res.writeHead(status, {
    "content-type": "text/plain; charset=utf-8",
    "x-content-type-options": "nosniff",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

function sendOctets(res: NexusResponse, bytes: Uint8Array): void {
  res.writeHead(200, { "content-type": STREAM_CONTENT_TYPE, "content-length": bytes.length });
  res.end(bytes);
}

/** Go's `url.ParseQuery(...).Get("action")`: the first well-formed `action` pair wins. */
function actionOf(rawQuery: string): string {
  for (const pair of rawQuery.split("&")) {
    if (pair === "" || pair.includes(";")) continue;
    const eq = pair.indexOf("=");
    const k = eq < 0 ? pair : pair.slice(0, eq);
    const v = eq < 0 ? "" : pair.slice(eq + 1);
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(k.replace(/\+/g, " "));
      value = decodeURIComponent(v.replace(/\+/g, " "));
    } catch {
      continue;
    }
    if (key === "action") return value;
  }
  return "";
}

/** Splits a request target into Go's decoded `URL.Path` and the `action` value. */
export function routeOf(url: string | undefined): { path: string; action: string } | undefined {
  // Absolute form (`POST https://host/v1/...`, RFC 9112 §3.2.2): Go's ParseRequestURI keeps only
  // the path in URL.Path, which is what Nexus routes on.
  const target = (url ?? "/").replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/, "");
  const q = target.indexOf("?");
  const rawPath = q < 0 ? target : target.slice(0, q);
  const rawQuery = q < 0 ? "" : target.slice(q + 1);
  try {
    return { path: decodeURIComponent(rawPath), action: actionOf(rawQuery) };
  } catch {
    return undefined;
  }
}

const SCHEMAS = {
  "secret.put": { path: "string", values: "stringMap" },
  "secret.get": { path: "string", version: "int" },
  "secret.delete": { path: "string", versions: "intArray" },
  "secret.undelete": { path: "string", versions: "intArray" },
  "secret.list": {},
  "secret.metadata": { path: "string", version: "int" },
  "policy.put": { name: "string", spiffeidPattern: "string", pathPattern: "string", permissions: "stringArray" },
  "policy.get": { id: "string" },
  "policy.list": { spiffeidPattern: "string", pathPattern: "string" },
  "policy.delete": { id: "string" },
  "cipher.encrypt": { plaintext: "bytes", algorithm: "string" },
  "cipher.decrypt": { version: "uint8", nonce: "bytes", ciphertext: "bytes", algorithm: "string" },
  "bootstrap.verify": { nonce: "bytes", ciphertext: "bytes" },
} as const satisfies Partial<Record<NexusOperation, Record<string, GoFieldType>>>;

type Op = keyof typeof SCHEMAS;
type Input<O extends Op> = GoStruct<(typeof SCHEMAS)[O]>;

class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly note?: string,
  ) {}
}
const err = (code: ErrCode, note?: string): Reply => new Reply(STATUS[code], { err: code }, note);
const ok = (body: unknown = {}): Reply => new Reply(200, body);

/**
 * Makes the dev Nexus request listener for node:http or node:https.
 * @internal exported for the server and unit tests; not part of the package API.
 */
export function createNexusHandler(o: NexusHandlerOptions): (req: NexusRequest, res: NexusResponse) => void {
  const log = o.log ?? (() => undefined);
  const limits: BodyLimits = { maxBytes: o.maxRequestBytes, timeoutMs: o.requestBodyTimeoutMs };

  const authorize = (op: NexusOperation, peerId: string | undefined, path?: string): Reply | undefined => {
    if (peerId === undefined) return err("access_unauthorized", "no peer spiffe id");
    const d = authorizeOperation({ operation: op, peerId, path, policies: o.state.compiledPolicies(), trustRoots: o.trustRoots });
    return d.allowed ? undefined : err("access_unauthorized", d.reason);
  };

  const parse = <O extends Op>(op: O, body: Uint8Array): Input<O> | Reply => {
    try {
      return unmarshalGo(body, SCHEMAS[op]) as Input<O>;
    } catch (e) {
      if (e instanceof GoJsonError) return err("api_bad_request", e.message);
      throw e;
    }
  };

  /**
   * Parses the body, checks that the peer may run `op` (at the secret path, for operations that
   * name one), then the path or policy-name rule: the order Nexus answers in (400 parse, 401,
   * 400 rule).
   */
  const admit = <O extends Op>(op: O, body: Uint8Array, peerId: string | undefined): Input<O> | Reply => {
    const r = parse(op, body);
    if (r instanceof Reply) return r;
    const path = "path" in SCHEMAS[op] ? (r as { path: string }).path : undefined;
    const denied = authorize(op, peerId, path);
    if (denied) return denied;
    const bad =
      path !== undefined ? validateSecretPath(path) : "id" in SCHEMAS[op] ? validatePolicyName((r as { id: string }).id) : undefined;
    return bad ? err("api_bad_request", bad.message) : r;
  };

  async function jsonOperation(op: Op, body: Buffer, peerId: string | undefined): Promise<Reply> {
    const now = o.now();
    switch (op) {
      case "secret.put": {
        const r = admit(op, body, peerId);
        if (r instanceof Reply) return r;
        const bad = Object.keys(r.values ?? {}).map(validateKeyName).find((v) => v !== undefined);
        if (bad) return err("api_bad_request", bad.message);
        await o.state.putSecret(r.path, r.values ?? {}, now);
        return ok();
      }
      case "secret.get": {
        const r = admit(op, body, peerId);
        if (r instanceof Reply) return r;
        const v = o.state.readSecret(r.path, r.version);
        return v ? ok({ data: goMap(v.data) }) : err("api_not_found");
      }
      case "secret.delete":
      case "secret.undelete": {
        const r = admit(op, body, peerId);
        if (r instanceof Reply) return r;
        const done =
          op === "secret.delete"
            ? await o.state.deleteSecret(r.path, r.versions, now)
            : await o.state.undeleteSecret(r.path, r.versions, now);
        return done ? ok() : err("api_not_found");
      }
      case "secret.list": {
        const r = admit(op, body, peerId);
        if (r instanceof Reply) return r;
        return ok({ keys: o.state.listSecretPaths() });
      }
      case "secret.metadata": {
        const r = admit(op, body, peerId);
        if (r instanceof Reply) return r;
        const rec = o.state.readMetadata(r.path, r.version);
        if (!rec) return err("api_not_found");
        const versions: Record<string, unknown> = {};
        for (const [n, v] of rec.versions) {
          versions[String(n)] = {
            createdTime: formatGoTime(v.createdTime),
            version: n,
            deletedTime: v.deletedTime ? formatGoTime(v.deletedTime) : null,
          };
        }
        const m = rec.metadata;
        return ok({
          versions: goMap(versions),
          metadata: {
            currentVersion: m.currentVersion,
            oldestVersion: m.oldestVersion,
            createdTime: formatGoTime(m.createdTime),
            updatedTime: formatGoTime(m.updatedTime),
            maxVersions: m.maxVersions,
          },
        });
      }
      case "policy.put": {
        const r = admit(op, body, peerId);
        if (r instanceof Reply) return r;
        const spec = { name: r.name, spiffeIdPattern: r.spiffeidPattern, pathPattern: r.pathPattern, permissions: r.permissions ?? [] };
        const bad = policyViolations(spec)[0];
        // 400 for the input rules; 500 for an RE2 compile failure or the reserved-path
        // guard (QUIRK §1.5.7: the helpful text stays in the server log).
        if (bad) return err(bad.status === 500 ? "api_internal_error" : "api_bad_request", bad.message);
        await o.state.putPolicy(spec, now);
        return ok();
      }
      case "policy.get": {
        const r = admit(op, body, peerId);
        if (r instanceof Reply) return r;
        const p = o.state.getPolicy(r.id);
        // QUIRK/BUG? §1.5.8: a missing name is 500, not 404.
        if (!p) return err("api_internal_error", `policy ${JSON.stringify(r.id)} not found (nexus answers 500)`);
        return ok({
          id: "",
          name: p.name,
          spiffiedPattern: p.spiffeIdPattern, // sic: the response key of data.Policy (§1.5.8)
          pathPattern: p.pathPattern,
          permissions: p.permissions,
          createdAt: formatGoTime(p.createdAt),
          updatedAt: formatGoTime(p.updatedAt),
        });
      }
      case "policy.list": {
        const r = admit(op, body, peerId);
        if (r instanceof Reply) return r;
        let list = o.state.listPolicies();
        // Exact string filters; the SPIFFE one wins when both are given (§1.5.9).
        if (r.spiffeidPattern !== "") list = list.filter((p) => p.spiffeIdPattern === r.spiffeidPattern);
        else if (r.pathPattern !== "") list = list.filter((p) => p.pathPattern === r.pathPattern);
        return ok({ policies: list.map((p) => ({ id: "", name: p.name })) });
      }
      case "policy.delete": {
        const r = admit(op, body, peerId);
        if (r instanceof Reply) return r;
        // QUIRK/BUG? §1.5.10: a missing name is 500.
        return (await o.state.deletePolicy(r.id)) ? ok() : err("api_internal_error", `policy ${JSON.stringify(r.id)} not found (nexus answers 500)`);
      }
      case "cipher.encrypt": {
        const r = admit(op, body, peerId);
        if (r instanceof Reply) return r;
        const plaintext = r.plaintext ?? new Uint8Array(0);
        // QUIRK §1.5.11: the plaintext is checked against the ciphertext maximum.
        if (plaintext.length > o.maxCiphertextBytes) return err("api_bad_request", "plaintext too large");
        const { nonce, ciphertext } = o.cipher.seal(plaintext);
        return ok({ version: CIPHER_FORMAT_VERSION, nonce: Buffer.from(nonce).toString("base64"), ciphertext: Buffer.from(ciphertext).toString("base64") });
      }
      case "cipher.decrypt": {
        const r = admit(op, body, peerId);
        if (r instanceof Reply) return r;
        if (r.version !== CIPHER_FORMAT_VERSION) return err("api_bad_request", "unsupported cipher version");
        const nonce = r.nonce ?? new Uint8Array(0);
        const ciphertext = r.ciphertext ?? new Uint8Array(0);
        if (nonce.length !== NONCE_BYTES) return err("api_bad_request", "nonce must be 12 bytes");
        if (ciphertext.length > o.maxCiphertextBytes) return err("api_bad_request", "ciphertext too large");
        const plain = o.cipher.open(nonce, ciphertext);
        if (!plain) return err("api_internal_error", "decryption failed (json mode answers 500)");
        // An empty plaintext is a nil slice in Go, which encodes as null (§1.5.12).
        return ok({ plaintext: plain.length === 0 ? null : Buffer.from(plain).toString("base64") });
      }
      case "bootstrap.verify": {
        const r = admit(op, body, peerId);
        if (r instanceof Reply) return r;
        const nonce = r.nonce ?? new Uint8Array(0);
        const ciphertext = r.ciphertext ?? new Uint8Array(0);
        if (nonce.length !== NONCE_BYTES || ciphertext.length > o.maxCiphertextBytes) return err("api_bad_request", "bad nonce or ciphertext size");
        const plain = o.cipher.open(nonce, ciphertext);
        if (!plain) return err("api_internal_error", "verification decrypt failed");
        return ok({ hash: createHash("sha256").update(plain).digest("hex") });
      }
    }
  }

  /** Cipher streaming mode (§1.5.11-12): binary bodies, plain-text errors, JSON 401/400. */
  async function streaming(op: "cipher.encrypt" | "cipher.decrypt", req: NexusRequest, res: NexusResponse, peerId: string | undefined): Promise<Reply | undefined> {
    if (op === "cipher.encrypt") {
      const plaintext = await readBody(req, limits);
      const denied = authorize(op, peerId);
      if (denied) return denied;
      if (plaintext.length > o.maxCiphertextBytes) return err("api_bad_request", "plaintext too large");
      const { nonce, ciphertext } = o.cipher.seal(plaintext);
      sendOctets(res, Buffer.concat([Buffer.of(CIPHER_FORMAT_VERSION), nonce, ciphertext]));
      return undefined;
    }
    const denied = authorize(op, peerId);
    if (denied) return denied;
    const blob = await readBody(req, limits);
    if (blob.length < 1) return plain(res, "crypto_failed_to_read_version");
    if (blob[0] !== CIPHER_FORMAT_VERSION) return plain(res, "crypto_unsupported_version");
    if (blob.length < 1 + NONCE_BYTES) return plain(res, "crypto_failed_to_read_nonce");
    const nonce = blob.subarray(1, 1 + NONCE_BYTES);
    const ciphertext = blob.subarray(1 + NONCE_BYTES);
    const again = authorize(op, peerId);
    if (again) return again;
    if (ciphertext.length > o.maxCiphertextBytes) return err("api_bad_request", "ciphertext too large");
    const out = o.cipher.open(nonce, ciphertext);
    if (!out) return plain(res, "decryption failed");
    sendOctets(res, out);
    return undefined;
  }

  function plain(res: NexusResponse, text: string): undefined {
    sendPlain(res, 400, text);
    return undefined;
  }

  async function handle(req: NexusRequest, res: NexusResponse): Promise<void> {
    const peerId = o.peerIdOf(req);
    if (req.method !== "POST") {
      finish(res, err("api_bad_request", `method ${req.method ?? "?"} not allowed`), peerId);
      return;
    }
    const route = routeOf(req.url);
    const ep = route ? findEndpoint(route.path, route.action) : undefined;
    // Memory mode: recover and restore answer 400 before any authentication (§1.5.13-14).
    if (!ep || ep.operation === "operator.recover" || ep.operation === "operator.restore") {
      finish(res, err("api_bad_request", ep ? `${ep.operation} is not available in memory mode` : "no such route"), peerId);
      return;
    }
    const op = ep.operation as Op;
    let reply: Reply | undefined;
    try {
      if ((op === "cipher.encrypt" || op === "cipher.decrypt") && req.headers["content-type"] === STREAM_CONTENT_TYPE) {
        reply = await streaming(op, req, res, peerId);
      } else if (op === "cipher.decrypt") {
        // JSON decrypt authorizes before reading the body (§1.5.12).
        reply = authorize(op, peerId) ?? (await jsonOperation(op, await readBody(req, limits), peerId));
      } else {
        reply = await jsonOperation(op, await readBody(req, limits), peerId);
      }
    } catch (e) {
      if (e instanceof BodyReadError) {
        // spec §2.1 (c): the SDKError struct without JSON tags, no explicit Content-Type.
        if (!res.headersSent) {
          const body = JSON.stringify({ Code: "data_read_failure", Msg: "failed to read request body", Wrapped: null });
          res.writeHead(400, { "content-length": Buffer.byteLength(body) });
          res.end(body);
        }
        // A body cut short by the limits: stop the sender once the answer is out.
        const cut = e.message === "too large" || e.message === "too slow";
        if (cut) res.once?.("finish", () => req.destroy?.());
        const why = e.message === "too large" ? `larger than ${o.maxRequestBytes} bytes` : e.message === "too slow" ? `not complete within ${o.requestBodyTimeoutMs} ms` : "the connection broke";
        log({ level: "warn", message: `nexus-dev: could not read the request body (${why})`, operation: op, peerId, status: 400 });
        return;
      }
      log({ level: "error", message: `nexus-dev: ${op} failed: ${e instanceof Error ? e.message : String(e)}`, operation: op, peerId, status: 500 });
      reply = err("api_internal_error");
    }
    if (reply) finish(res, reply, peerId, op);
    else log({ level: "info", message: `nexus-dev: ${op} answered`, operation: op, peerId, status: res.statusCode });
  }

  function finish(res: NexusResponse, reply: Reply, peerId: string | undefined, op?: NexusOperation): void {
    if (!res.headersSent) sendJson(res, reply.status, reply.body);
    log({
      level: reply.status >= 500 ? "error" : reply.status >= 400 ? "warn" : "info",
      message: `nexus-dev: ${op ?? "request"} answered ${reply.status}${reply.note ? `: ${reply.note}` : ""}`,
      operation: op,
      peerId,
      status: reply.status,
    });
  }

  return (req, res) => {
    handle(req, res).catch((e: unknown) => {
      log({ level: "error", message: `nexus-dev: handler failed: ${e instanceof Error ? e.message : String(e)}` });
      if (!res.headersSent) sendJson(res, 500, { err: "api_internal_error" });
      else {
        const r = res as { destroy?: () => void; stream?: { destroy(): void } };
        if (r.destroy) r.destroy();
        else r.stream?.destroy();
      }
    });
  };
}
