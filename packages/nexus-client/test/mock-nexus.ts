import { type Dispatcher, MockAgent } from "undici";

/** One request the mock saw. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  /** The body as text (JSON calls) ... */
  readonly text: string;
  /** ... and as bytes (streaming calls). */
  readonly bytes: Uint8Array;
}

type Reply =
  | { status: number; json: unknown; headers?: Record<string, string> }
  | { status: number; text: string; contentType: string }
  | { status: number; bytes: Uint8Array }
  | { error: Error }
  | { hang: true };

function bodyBytes(body: unknown): Uint8Array {
  if (body === undefined || body === null) return new Uint8Array();
  if (typeof body === "string") return new TextEncoder().encode(body);
  if (body instanceof Uint8Array) return body;
  throw new Error(`mock nexus: unexpected body type ${typeof body}`);
}

function flatHeaders(h: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (h && typeof h === "object") for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = String(v);
  return out;
}

/** A MockAgent that records every request and answers from a queue, like a Nexus would. */
export function mockNexus(origin = "https://nexus.test") {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const pool = agent.get(origin);
  const seen: SeenRequest[] = [];
  const hanging: Array<() => void> = [];

  function record(opts: { method: string; path: string; headers?: unknown; body?: unknown }) {
    const bytes = bodyBytes(opts.body);
    seen.push({ method: opts.method, path: opts.path, headers: flatHeaders(opts.headers), bytes, text: new TextDecoder().decode(bytes) });
  }
  // Record every request at the dispatcher, before the mock answers it.
  const dispatcher: Dispatcher = agent.compose((dispatch) => (opts, handler) => {
    record(opts as never);
    return dispatch(opts, handler);
  });

  /** Queues one answer for the next request to `path` (path + query, e.g. /v1/store/secrets?action=get). */
  function on(path: string, reply: Reply) {
    const scope = pool.intercept({ method: () => true, path });
    if ("error" in reply) {
      scope.replyWithError(reply.error);
      return;
    }
    if ("hang" in reply) {
      scope.reply(200, () => new Promise<string>((resolve) => hanging.push(() => resolve("{}"))));
      return;
    }
    scope.reply(() => {
      if ("json" in reply) {
        return {
          statusCode: reply.status,
          data: JSON.stringify(reply.json),
          responseOptions: { headers: { "content-type": "application/json", "cache-control": "no-store, no-cache, must-revalidate, private", ...reply.headers } },
        };
      }
      if ("text" in reply) return { statusCode: reply.status, data: reply.text, responseOptions: { headers: { "content-type": reply.contentType } } };
      return { statusCode: reply.status, data: Buffer.from(reply.bytes), responseOptions: { headers: { "content-type": "application/octet-stream" } } };
    });
  }

  return {
    /** The dispatcher to hand to the client (records, then answers). */
    agent: dispatcher,
    mock: agent,
    seen,
    on,
    /** The JSON bodies sent, parsed. */
    bodies: () => seen.map((s) => JSON.parse(s.text) as unknown),
    async close() {
      for (const h of hanging.splice(0)) h();
      await agent.close();
    },
  };
}

/** An error shaped like the ones undici and node:net raise. */
export function netError(code: string, message = code): Error {
  return Object.assign(new Error(message), { code });
}

/** The mock Nexus a test talks to (see {@link mockNexus}). */
export type MockNexus = ReturnType<typeof mockNexus>;
