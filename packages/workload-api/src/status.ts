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

/**
 * Says what is wrong at a unix socket path that refused a connection: missing (and whether its
 * directory exists), not a socket (a directory or regular file took its place), or a socket
 * nobody listens on (left behind by a stopped agent). `undefined` when nothing can be told.
 */
export function diagnoseSocketPath(path: string, details: string): string | undefined {
  if (/EACCES|EPERM/.test(details)) return `this user may not open ${path} (permission denied); check the socket's mode and its directories`;
  try {
    const st = lstatSync(path);
    if (st.isSocket()) return /ECONNREFUSED/.test(details) ? `${path} is a socket but nothing listens on it (left behind by a stopped agent?)` : undefined;
    const kind = st.isDirectory() ? "a directory" : st.isFile() ? "a regular file" : st.isSymbolicLink() ? "a symbolic link to something that is not a listening socket" : "not a socket";
    return `${path} exists but is ${kind}, not a socket; was the agent's socket replaced, or is the address wrong?`;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "ENOENT") return code === "EACCES" ? `this user may not look up ${path} (permission denied on a parent directory)` : undefined;
    try {
      lstatSync(dirname(path));
      return `there is no socket at ${path}; is the agent running and is the path right?`;
    } catch {
      return `there is no socket at ${path}: its directory ${dirname(path)} does not exist; is the agent running and is the path right?`;
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
  const said = details ? `${name} ${JSON.stringify(details)}` : name;
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
        return new WorkloadApiError(
          "unreachable",
          `workload-api: ${rpc} failed: no Workload API agent answers at ${target} (${said}); ${diagnosis ?? "is the agent running, is the address right, and may this user open the socket?"}`,
          opts,
        );
      }
      return new WorkloadApiError("unavailable", `workload-api: ${rpc} failed: the agent is unavailable: ${said}; retrying with backoff`, opts);
    default:
      return new WorkloadApiError("unavailable", `workload-api: ${rpc} failed: ${said}`, opts);
  }
}
