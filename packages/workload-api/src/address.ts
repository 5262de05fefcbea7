import { isIP } from "node:net";
import { WorkloadApiError } from "./errors.js";

/** A parsed Workload API endpoint address (`SPIFFE_ENDPOINT_SOCKET` syntax). */
export type WorkloadApiAddress =
  | {
      /** A unix domain socket. */
      readonly kind: "unix";
      /** Absolute socket path. */
      readonly path: string;
      /** The grpc-js target to dial, `unix:/abs/path`. */
      readonly target: string;
    }
  | {
      /** A TCP endpoint; only IP literals are allowed. */
      readonly kind: "tcp";
      /** The IP address, without brackets. */
      readonly host: string;
      /** TCP port, 1..65535. */
      readonly port: number;
      /** The grpc-js target to dial, `ipv4:1.2.3.4:5` or `ipv6:[::1]:5`. */
      readonly target: string;
    };

/** The environment variable the SPIFFE Workload Endpoint standard names. */
export const SPIFFE_ENDPOINT_SOCKET = "SPIFFE_ENDPOINT_SOCKET";

const ACCEPTED = "accepted forms: unix:///absolute/path.sock, unix:/absolute/path.sock, tcp://<ip>:<port>";
/** Linux `sockaddr_un.sun_path` holds 108 bytes including the terminating NUL. */
const MAX_UNIX_PATH_BYTES = 107;

function invalid(value: string, why: string): WorkloadApiError {
  return new WorkloadApiError(
    "address_invalid",
    `workload-api: workload endpoint socket address ${JSON.stringify(value)} is invalid: ${why}; ${ACCEPTED}`,
  );
}

function decodePath(value: string, raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw invalid(value, "the path has a broken percent-encoding");
  }
}

function parseUnix(value: string, rest: string): WorkloadApiAddress {
  if (rest.includes("?")) throw invalid(value, "unix socket URI must not include query values");
  if (rest.includes("#")) throw invalid(value, "unix socket URI must not include a fragment");
  let rawPath: string;
  if (rest.startsWith("//")) {
    const slash = rest.indexOf("/", 2);
    const authority = slash === -1 ? rest.slice(2) : rest.slice(2, slash);
    if (authority.includes("@")) throw invalid(value, "unix socket URI must not include user info");
    if (authority !== "") {
      throw invalid(value, `unix socket URI must not include an authority (${JSON.stringify(authority)}); use three slashes for an absolute path`);
    }
    rawPath = slash === -1 ? "" : rest.slice(slash);
  } else if (rest === "") {
    rawPath = "";
  } else if (rest.startsWith("/")) {
    rawPath = rest;
  } else {
    throw invalid(value, "unix socket URI must not be opaque (the path must be absolute)");
  }
  if (rawPath === "" ) throw invalid(value, "unix socket URI must include a path");
  const path = decodePath(value, rawPath);
  // Percent-encoding must not smuggle in bytes a raw URI cannot hold (a NUL would cut the path
  // the kernel sees short, so the client would dial a different socket than the one named).
  if (/[\u0000-\u001f\u007f]/.test(path)) throw invalid(value, "the decoded socket path holds a control character (e.g. %00)");
  const bytes = Buffer.byteLength(path);
  if (bytes > MAX_UNIX_PATH_BYTES) {
    throw invalid(value, `the socket path is ${bytes} bytes, unix socket paths must be at most ${MAX_UNIX_PATH_BYTES} bytes`);
  }
  return { kind: "unix", path, target: `unix:${path}` };
}

function parseTcp(value: string, rest: string): WorkloadApiAddress {
  if (!rest.startsWith("//")) throw invalid(value, "tcp socket URI must not be opaque");
  const body = rest.slice(2);
  const end = body.search(/[/?#]/);
  const authority = end === -1 ? body : body.slice(0, end);
  const tail = end === -1 ? "" : body.slice(end);
  if (authority.includes("@")) throw invalid(value, "tcp socket URI must not include user info");
  if (authority === "") throw invalid(value, "tcp socket URI must include a host");
  if (tail.startsWith("/")) throw invalid(value, "tcp socket URI must not include a path");
  if (tail.startsWith("?")) throw invalid(value, "tcp socket URI must not include query values");
  if (tail.startsWith("#")) throw invalid(value, "tcp socket URI must not include a fragment");
  let host: string;
  let port: string | undefined;
  if (authority.startsWith("[")) {
    const close = authority.indexOf("]");
    if (close === -1) throw invalid(value, "tcp socket URI host component must be an IP:port");
    host = authority.slice(1, close);
    const after = authority.slice(close + 1);
    if (after !== "" && !after.startsWith(":")) throw invalid(value, "tcp socket URI host component must be an IP:port");
    port = after === "" ? undefined : after.slice(1);
    if (isIP(host) !== 6) throw invalid(value, "tcp socket URI host component must be an IP:port");
  } else {
    const colon = authority.lastIndexOf(":");
    host = colon === -1 ? authority : authority.slice(0, colon);
    port = colon === -1 ? undefined : authority.slice(colon + 1);
    if (isIP(host) !== 4) throw invalid(value, "tcp socket URI host component must be an IP:port (DNS names are not allowed)");
  }
  if (port === undefined || port === "") throw invalid(value, "tcp socket URI host component must include a port");
  if (!/^[0-9]{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    throw invalid(value, `tcp port ${JSON.stringify(port)} must be a number from 1 to 65535`);
  }
  const n = Number(port);
  const v6 = host.includes(":");
  return { kind: "tcp", host, port: n, target: v6 ? `ipv6:[${host}]:${n}` : `ipv4:${host}:${n}` };
}

/**
 * Parses a Workload API endpoint address as `SPIFFE_ENDPOINT_SOCKET` defines it.
 *
 * Accepts `unix:///abs/path`, `unix:/abs/path` and `tcp://<ip>:<port>`; rejects relative paths,
 * authorities, user info, queries, fragments, DNS names, missing ports and other schemes with a
 * `WorkloadApiError` (`address_invalid`) that shows the value and the accepted forms.
 *
 * @example
 * ```ts
 * parseWorkloadApiAddress("unix:///tmp/spire-agent/public/api.sock").target;
 * // "unix:/tmp/spire-agent/public/api.sock"
 * ```
 */
export function parseWorkloadApiAddress(value: string): WorkloadApiAddress {
  if (typeof value !== "string") throw invalid(String(value), "the address must be a string");
  // Control characters, spaces and other bytes a URI can never hold raw.
  if (value === "" || /[\u0000-\u0020\u007f]/.test(value)) throw invalid(value, "it is not a valid URI");
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(value);
  if (!m) {
    if (value.startsWith("/")) {
      throw invalid(value, `a bare path has no scheme; write unix://${value}`);
    }
    throw invalid(value, 'the URI must have a "tcp" or "unix" scheme');
  }
  const scheme = (m[1] as string).toLowerCase();
  const rest = value.slice(m[0].length);
  if (scheme === "unix") return parseUnix(value, rest);
  if (scheme === "tcp") return parseTcp(value, rest);
  throw invalid(value, `the URI must have a "tcp" or "unix" scheme, not ${JSON.stringify(scheme)}`);
}

/**
 * Picks the address to use: the explicit option, else `SPIFFE_ENDPOINT_SOCKET` from `env`.
 *
 * Throws `address_missing` when neither is set, `address_invalid` when the value is malformed.
 */
export function resolveWorkloadApiAddress(
  address?: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): WorkloadApiAddress {
  const value = address ?? env[SPIFFE_ENDPOINT_SOCKET];
  if (value === undefined || value === "") {
    throw new WorkloadApiError(
      "address_missing",
      `workload-api: workload endpoint socket address is not configured; pass { address } or set ${SPIFFE_ENDPOINT_SOCKET} (e.g. unix:///tmp/spire-agent/public/api.sock)`,
    );
  }
  return parseWorkloadApiAddress(value);
}
