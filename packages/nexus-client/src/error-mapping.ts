import {
  CIPHER_PLAIN_TEXT_ERRORS,
  NEXUS_ENDPOINTS,
  type NexusOperation,
  ROLE_PATHS,
} from "@spike-ts/nexus-model";
import { NexusError, type NexusErrorCode } from "./errors.js";

/** What the mapper knows about the call. @internal */
export interface CallContext {
  readonly operation: NexusOperation;
  readonly target: string | undefined;
  readonly callerId: string | undefined;
  readonly baseUrl: string;
}

function subject(ctx: CallContext): string {
  if (ctx.target === undefined) return ctx.operation;
  return ctx.operation.startsWith("policy.") ? `${ctx.operation} of policy ${ctx.target}` : `${ctx.operation} on ${ctx.target}`;
}

function who(ctx: CallContext): string {
  return ctx.callerId === undefined ? "this caller" : ctx.callerId;
}

/** The fix for a 401, from the endpoint's permission table. */
function unauthorizedHint(ctx: CallContext): string {
  const ep = NEXUS_ENDPOINTS[ctx.operation];
  if (ep.auth.kind === "role") {
    return `only the ${ep.auth.role} role (spiffe://<trust domain>${ROLE_PATHS[ep.auth.role]}) may call it`;
  }
  const resource = ep.auth.resource === "request-path" ? (ctx.target ?? "the path") : ep.auth.resource;
  return `give ${who(ctx)} a policy granting ${ep.auth.permission} on ${resource}, or call as the pilot superuser (lite workloads may only encrypt and decrypt)`;
}

/** Pulls a server error code out of a response body, never the body itself. @internal */
export function serverCodeOf(contentType: string, text: string): string | undefined {
  if (contentType.startsWith("application/json") || text.startsWith("{")) {
    let v: unknown;
    try {
      v = JSON.parse(text) as unknown;
    } catch {
      return undefined; // not JSON
    }
    return serverCodeOfValue(v);
  }
  const trimmed = text.trim();
  return Object.hasOwn(CIPHER_PLAIN_TEXT_ERRORS, trimmed) ? trimmed : undefined;
}

/** The server error code (`err`, or `Code`) of a parsed JSON body, if it has one. @internal */
export function serverCodeOfValue(v: unknown): string | undefined {
  if (typeof v === "object" && v !== null) {
    const err = (v as { err?: unknown }).err;
    if (typeof err === "string" && /^[a-z_]{1,64}$/.test(err)) return err;
    const code = (v as { Code?: unknown }).Code;
    if (typeof code === "string" && /^[a-z_]{1,64}$/.test(code)) return code;
  }
  return undefined;
}

/** The error for a non-200 answer (or a 200 with `err` set). @internal */
export function errorForStatus(ctx: CallContext, status: number, serverCode: string | undefined, attempts: number): NexusError {
  const tag = `${status}${serverCode ? ` ${serverCode}` : ""}`;
  const base = { operation: ctx.operation, status, serverCode, target: ctx.target, callerId: ctx.callerId, attempts };
  let code: NexusErrorCode;
  let message: string;
  switch (status) {
    case 400:
      code = "bad_request";
      message = ctx.operation.startsWith("cipher.") && serverCode && serverCode !== "api_bad_request"
        ? `nexus: ${subject(ctx)} was refused (${tag}); the input is not a valid cipher blob or failed to decrypt with this nexus's key`
        : ctx.operation === "operator.recover" || ctx.operation === "operator.restore"
          ? `nexus: ${subject(ctx)} was refused (${tag}); a memory-backend nexus has no root key to recover or restore, and restore needs an index and a non-zero 32-byte shard`
          : `nexus: ${subject(ctx)} was refused as a bad request (${tag}); check the path, names and fields against the nexus rules (README: input rules)`;
      break;
    case 401:
      code = "unauthorized";
      message = `nexus: ${subject(ctx)} was refused for ${who(ctx)} (${tag}); ${unauthorizedHint(ctx)}`;
      break;
    case 404:
      code = "not_found";
      message = ctx.operation === "secret.undelete"
        ? `nexus: nothing to undelete for ${ctx.target ?? "this path"} (${tag}); the path is missing or the listed versions are not deleted; name the deleted version explicitly`
        : `nexus: ${subject(ctx)} found nothing (${tag}); the path, the version, or every version may be missing or deleted`;
      break;
    case 500:
      code = "internal";
      message = ctx.operation === "policy.put"
        ? `nexus: ${subject(ctx)} failed inside nexus (${tag}); usually a pattern that is not go re2 or a policy that touches a reserved spike/system path; see the nexus log`
        : `nexus: ${subject(ctx)} failed inside nexus (${tag}); see the nexus log`;
      break;
    case 503:
      code = "not_ready";
      message = `nexus: nexus is not ready for ${ctx.operation} (${tag}); it has no root key yet: wait for the keepers or run an operator restore`;
      break;
    default:
      code = "bad_response";
      message = `nexus: ${subject(ctx)} got an unexpected http status ${status} from ${ctx.baseUrl}; nexus only sends 200, 400, 401, 404, 500 and 503, so check for a proxy in between`;
  }
  return new NexusError(code, message, base);
}

/** The error for a 200 body with `err` set (dormant in Nexus today). @internal */
export function errorForBodyCode(ctx: CallContext, serverCode: string, attempts: number): NexusError {
  const status = ({ api_bad_request: 400, access_unauthorized: 401, api_not_found: 404, api_internal_error: 500, state_not_ready: 503 } as Record<string, number>)[serverCode];
  if (status !== undefined) return errorForStatus(ctx, status, serverCode, attempts);
  return new NexusError("internal", `nexus: ${subject(ctx)} answered 200 with error ${serverCode}; see the nexus log`, {
    operation: ctx.operation,
    status: 200,
    serverCode,
    target: ctx.target,
    callerId: ctx.callerId,
    attempts,
  });
}
