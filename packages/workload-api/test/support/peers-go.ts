/**
 * Drivers for our go-spiffe v2.9.0 programs (peers/go/cmd/*): run them against a
 * Workload API address and read the JSON lines they print (see peers/README.md).
 */
import { join } from "node:path";
import { runCommand, startPeerProcess, type PeerProcess } from "./peers.js";

/** One JSON line printed by a Go peer. */
export type GoPeerEvent = { event: string } & Record<string, unknown>;

/** Parses the JSON lines of a Go peer; throws on a line that is not JSON. */
export function parseGoPeerEvents(stdout: string): GoPeerEvent[] {
  return stdout
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => {
      try {
        return JSON.parse(l) as GoPeerEvent;
      } catch {
        throw new Error(`go peer printed a non-JSON line: ${l}`);
      }
    });
}

/** Reads the events of a finished Go peer run. */
function fetchResult(r: { code: number | string; stdout: string; stderr: string }): X509FetchResult {
  const events = parseGoPeerEvents(r.stdout);
  const all = (name: string) => events.filter((e) => e.event === name);
  return {
    code: r.code,
    events,
    stderr: r.stderr,
    all,
    one(name) {
      const found = all(name);
      if (found.length !== 1) throw new Error(`expected one "${name}" event, got ${found.length}:\n${r.stdout}\n${r.stderr}`);
      return found[0]!;
    },
  };
}

/** The result of one `x509-fetch` run. */
export interface X509FetchResult {
  readonly code: number | string;
  readonly events: GoPeerEvent[];
  readonly stderr: string;
  /** The events named `name`, in order. */
  all(name: string): GoPeerEvent[];
  /** The single event named `name`; throws (with the whole output) when absent. */
  one(name: string): GoPeerEvent;
}

/**
 * Runs `x509-fetch -addr <address> ...args` to completion. `args` are the flags of
 * peers/README.md (`-ops`, `-audience`, `-watch`, `-timeout`, ...).
 */
export async function runX509Fetch(binDir: string, address: string, args: string[], timeoutMs = 60_000): Promise<X509FetchResult> {
  const r = await runCommand(join(binDir, "x509-fetch"), ["-addr", address, ...args], { timeoutMs });
  return fetchResult(r);
}

/** A running `mtls-server`. */
export interface GoMtlsServer {
  readonly url: string;
  readonly port: number;
  /** The server's own SPIFFE ID (from its SVID). */
  readonly spiffeId: string;
  readonly process: PeerProcess;
  /** Events printed so far (`request`, `tls_error`, ...). */
  events(): GoPeerEvent[];
  close(): Promise<void>;
}

/**
 * Starts `mtls-server` on 127.0.0.1 (a free port) with its identity from the
 * Workload API at `address`; `authorize` is one of `{ id }`, `{ memberOf }`, `{ any: true }`.
 */
export async function startGoMtlsServer(
  binDir: string,
  address: string,
  authorize: { id: string } | { memberOf: string } | { any: true },
  timeoutMs = 30_000,
): Promise<GoMtlsServer> {
  const az =
    "id" in authorize ? ["-authorize-id", authorize.id] : "memberOf" in authorize ? ["-authorize-member-of", authorize.memberOf] : ["-authorize-any"];
  const proc = startPeerProcess("mtls-server", join(binDir, "mtls-server"), ["-addr", address, "-listen", "127.0.0.1:0", ...az]);
  let line: string;
  try {
    line = await proc.waitForLine((l) => l.includes('"event":"listening"') || l.includes('"event":"error"'), { timeoutMs, stream: "stdout" });
  } catch (err) {
    await proc.stop("SIGKILL");
    throw err;
  }
  const ready = JSON.parse(line) as GoPeerEvent;
  if (ready.event !== "listening") {
    await proc.stop("SIGKILL");
    throw new Error(`mtls-server failed to start: ${line}\n${proc.tail()}`);
  }
  return {
    url: String(ready.url),
    port: Number(ready.port),
    spiffeId: String(ready.spiffeId),
    process: proc,
    events: () => parseGoPeerEvents(proc.stdoutLines().join("\n")),
    close: () => proc.stop("SIGTERM"),
  };
}

/** Runs `mtls-client` once against `url`, expecting the server ID given by `expect`. */
export async function runGoMtlsClient(
  binDir: string,
  address: string,
  url: string,
  expect: { id: string } | { memberOf: string } | { any: true },
  extra: string[] = [],
  timeoutMs = 60_000,
): Promise<X509FetchResult> {
  const ex = "id" in expect ? ["-expect-id", expect.id] : "memberOf" in expect ? ["-expect-member-of", expect.memberOf] : ["-expect-any"];
  const r = await runCommand(join(binDir, "mtls-client"), ["-addr", address, "-url", url, ...ex, ...extra], { timeoutMs });
  return fetchResult(r);
}
