import { lstatSync } from "node:fs";
import { dirname } from "node:path";
import { status as GrpcStatus } from "@grpc/grpc-js";
import type { StatusObject } from "@grpc/grpc-js";
import { WorkloadApiError } from "./errors.js";

const names: Record<number, string> = Object.fromEntries(
  Object.entries(GrpcStatus)
    .filter(([, v]) => typeof v === "number")
    .map(([k, v]) => [v as number, k]),
);

/** The name of a gRPC status code, e.g. `UNAVAILABLE`. */
export function grpcStatusName(code: number): string {
  return names[code] ?? `code ${code}`;
}

const connectFailure = /ENOENT|ECONNREFUSED|EACCES|ENOTSOCK|ECONNRESET|No connection established|Failed to connect|connect E/i;

/** The errno code inside a grpc-js transport message (`connect ENOENT /p` -> `ENOENT`), if any. */
export function transportErrno(details: string): string | undefined {
  return /\b(E[A-Z]{3,})\b/.exec(details)?.[1];
}

/**
 * Strips grpc-js transport framing from a status detail ("No connection established. Last
 * error: Error: ...", a trailing empty "Resolution note:"), leaving the reason itself.
 */
export function cleanTransportDetails(details: string): string {
  return details
    .replace(/^\s*(?:(?:No connection established|Failed to connect)[^:]*?\.\s*)?Last error:\s*/i, "")
    .replace(/^(Error:\s*)+/, "")
    .replace(/\.?\s*Resolution note:\s*$/i, "")
    .trim();
}

/**
 * Says what is wrong at a unix socket path that refused a connection, in our words with the
 * errno in brackets: missing (and whether its directory exists), not a socket (a directory or
 * regular file took its place), a socket nobody listens on (left behind by a stopped agent), or
 * a permission problem. `undefined` when nothing can be told.
 */
export function diagnoseSocketPath(path: string, details: string): string | undefined {
  const errno = transportErrno(details);
  if (errno === "EACCES" || errno === "EPERM") return `permission denied opening ${path} (${errno}); check the socket's mode and its directories`;
  try {
    const st = lstatSync(path);
    if (st.isSocket()) return errno === "ECONNREFUSED" ? `${path} is a socket but nothing listens on it (ECONNREFUSED); left behind by a stopped agent?` : undefined;
    const kind = st.isDirectory() ? "a directory" : st.isFile() ? "a regular file" : st.isSymbolicLink() ? "a symbolic link to something that is not a listening socket" : "not a socket";
    return `${path} exists but is ${kind}, not a socket${errno ? ` (${errno})` : ""}; was the agent's socket replaced, or is the address wrong?`;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "ENOENT") return code === "EACCES" ? `this user may not look up ${path} (EACCES on a parent directory)` : undefined;
    try {
      lstatSync(dirname(path));
      return `no socket at ${path} (ENOENT); is the agent running and is the path right?`;
    } catch {
      return `no socket at ${path} (ENOENT): its directory ${dirname(path)} does not exist; is the agent running and is the path right?`;
    }
  }
}

/**
 * Translates a gRPC status from a Workload API call into a {@link WorkloadApiError} whose
 * message says which layer failed and what to do.
 */
export function errorFromStatus(
  rpc: string,
  target: string,
  st: Pick<StatusObject, "code" | "details">,
  cause?: unknown,
  socketPath?: string,
): WorkloadApiError {
  const name = grpcStatusName(st.code);
  const details = (st.details ?? "").slice(0, 300);
  const reason = cleanTransportDetails(details);
  const said = reason ? `${name} ${JSON.stringify(reason)}` : name;
  const opts = { grpcCode: st.code, rpc, cause };
  switch (st.code) {
    case GrpcStatus.INVALID_ARGUMENT:
      return new WorkloadApiError(
        "invalid_argument",
        `workload-api: ${rpc} refused by the agent: ${said}; the request is invalid (this is not retried)`,
        opts,
      );
    case GrpcStatus.PERMISSION_DENIED:
      return new WorkloadApiError(
        "no_identity",
        `workload-api: ${rpc} refused by the agent: ${said}; no identity is issued to this workload, check that a registration entry's selectors match this process (entries can take a few seconds to reach the agent)`,
        opts,
      );
    case GrpcStatus.UNIMPLEMENTED:
      return new WorkloadApiError("unimplemented", `workload-api: ${rpc} is not implemented by the agent: ${said}`, opts);
    case GrpcStatus.CANCELLED:
      return new WorkloadApiError("aborted", `workload-api: ${rpc} was cancelled: ${said}`, opts);
    case GrpcStatus.DEADLINE_EXCEEDED:
      return new WorkloadApiError("timeout", `workload-api: ${rpc} timed out: ${said}`, opts);
    case GrpcStatus.UNAVAILABLE:
      if (connectFailure.test(details)) {
        const diagnosis = socketPath === undefined ? undefined : diagnoseSocketPath(socketPath, details);
        const errno = transportErrno(details);
        const fallback = `${errno === undefined ? "the connection failed" : `connect ${errno}`}; is the agent running, is the address right, and may this user open the socket?`;
        return new WorkloadApiError("unreachable", `workload-api: ${rpc} failed: no Workload API agent answers at ${target}: ${diagnosis ?? fallback}`, opts);
      }
      return new WorkloadApiError("unavailable", `workload-api: ${rpc} failed: the agent is unavailable: ${said}; retrying with backoff`, opts);
    default:
      return new WorkloadApiError("unavailable", `workload-api: ${rpc} failed: ${said}`, opts);
  }
}
