/**
 * Locating and running the real SPIFFE peers built by `scripts/peers/build`
 * (SPIRE server/agent and our go-spiffe programs), for the integration suites.
 *
 * Binaries are found through `SPIRE_BIN_DIR` / `GO_PEERS_BIN_DIR`, else through
 * `$SPIKE_TS_CACHE/peers.env` (default cache `~/.cache/spike-ts`). When a peer is
 * missing the suites fail loudly, naming scripts/peers/build, unless
 * `SPIKE_TS_ALLOW_MISSING_PEERS=1` is set (then they are skipped).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";

/** The cache directory `scripts/peers/build` writes to. */
export function peersCacheDir(): string {
  return process.env.SPIKE_TS_CACHE || join(homedir(), ".cache", "spike-ts");
}

function readPeersEnv(): Record<string, string> {
  const file = join(peersCacheDir(), "peers.env");
  const out: Record<string, string> = {};
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = /^export ([A-Z_]+)='([^']*)'$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

function binDir(envName: string, binaries: string[]): string | undefined {
  const candidates = [process.env[envName], readPeersEnv()[envName]];
  for (const dir of candidates) {
    if (dir && binaries.every((b) => existsSync(join(dir, b)))) return dir;
  }
  return undefined;
}

/** Where a peer is, or why it is not there. */
export type PeerLocation = { found: true; dir: string } | { found: false; reason: string };

/** Finds the SPIRE binaries (`spire-server`, `spire-agent`). */
export function locateSpire(): PeerLocation {
  const dir = binDir("SPIRE_BIN_DIR", ["spire-server", "spire-agent"]);
  if (dir) return { found: true, dir };
  const log = join(peersCacheDir(), "spire-build.log");
  const tail = existsSync(log) ? readFileSync(log, "utf8").trim().split("\n").slice(-15).join("\n") : "(no build log)";
  return {
    found: false,
    reason: `SPIRE binaries not found (SPIRE_BIN_DIR unset and no usable ${join(peersCacheDir(), "peers.env")}); run scripts/peers/build. Last lines of ${log}:\n${tail}`,
  };
}

/** Finds our go-spiffe programs (`x509-fetch`, `mtls-server`, `mtls-client`). */
export function locateGoPeers(): PeerLocation {
  const dir = binDir("GO_PEERS_BIN_DIR", ["x509-fetch", "mtls-server", "mtls-client"]);
  if (dir) return { found: true, dir };
  return {
    found: false,
    reason: `go-spiffe peer programs not found (GO_PEERS_BIN_DIR unset and no usable ${join(peersCacheDir(), "peers.env")}); run scripts/peers/build`,
  };
}

/**
 * Decides whether a suite runs: returns the directory, or undefined to skip.
 * Throws (failing the suite at collection) when the peer is required by the
 * environment variable `requireVar` (`"1"`) but missing.
 */
export function peerDirOrSkip(location: PeerLocation, requireVar: string): string | undefined {
  if (location.found) return location.dir;
  // Required by default (scripts/test-all builds the peers); a developer without Go may opt out
  // with SPIKE_TS_ALLOW_MISSING_PEERS=1. The historical CI_REQUIRE_* variables still force it.
  if (process.env.SPIKE_TS_ALLOW_MISSING_PEERS !== "1" || process.env[requireVar] === "1") {
    throw new Error(`${location.reason}: run scripts/peers/build (or set SPIKE_TS_ALLOW_MISSING_PEERS=1 to skip the ${requireVar.replace("CI_REQUIRE_", "").toLowerCase()} suite)`);
  }
  console.warn(`skipping: ${location.reason}`);
  return undefined;
}

/** A short temporary directory (`/tmp/sts-XXXXXX`) for unix sockets, removed by `rmTempDir`. */
export async function makeTempDir(): Promise<string> {
  return mkdtemp("/tmp/sts-");
}

/** Removes a directory made by `makeTempDir`. */
export async function rmTempDir(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}

/** Polls `check` until it returns a value other than undefined, or fails at the deadline. */
export async function pollUntil<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  options: { timeoutMs: number; intervalMs?: number; describe?: () => string },
): Promise<T> {
  const deadline = performance.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
    }
    if (performance.now() > deadline) {
      const extra = options.describe ? `\n${options.describe()}` : "";
      const last = lastError ? `\nlast error: ${String(lastError)}` : "";
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}${last}${extra}`);
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 100));
  }
}

/** A child process whose output is kept (last lines) and can be waited on. */
export interface PeerProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or signal name) when the process ends. */
  readonly exited: Promise<number | string>;
  /** Whether the process has ended. */
  hasExited(): boolean;
  /** stdout lines seen so far (all of them). */
  stdoutLines(): readonly string[];
  /** The last output lines (stdout and stderr interleaved), for failure messages. */
  tail(n?: number): string;
  /** Resolves with the first stdout/stderr line (past or future) matching `test`; rejects on exit or timeout. */
  waitForLine(test: (line: string) => boolean, options: { timeoutMs: number; stream?: "stdout" | "any" }): Promise<string>;
  /** Sends `signal` and waits for the exit (escalates to SIGKILL after `graceMs`). */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

/** Starts `command` with `args`; output is captured, never inherited. */
export function startPeerProcess(
  name: string,
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): PeerProcess {
  const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
  const all: string[] = [];
  const out: string[] = [];
  const listeners = new Set<(line: string, stream: "stdout" | "stderr") => void>();
  let done = false;
  const exited = new Promise<number | string>((resolve) => {
    child.on("error", (err) => {
      all.push(`[spawn error] ${err.message}`);
      done = true;
      resolve(`spawn error: ${err.message}`);
    });
    child.on("exit", (code, signal) => {
      done = true;
      resolve(code ?? signal ?? "unknown");
    });
  });
  const reader = (stream: "stdout" | "stderr") => {
    let rest = "";
    return (chunk: Buffer) => {
      const text = rest + chunk.toString("utf8");
      const lines = text.split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) {
        all.push(line);
        if (all.length > 2000) all.splice(0, all.length - 2000);
        if (stream === "stdout") out.push(line);
        for (const l of listeners) l(line, stream);
      }
    };
  };
  child.stdout!.on("data", reader("stdout"));
  child.stderr!.on("data", reader("stderr"));

  const proc: PeerProcess = {
    name,
    child,
    exited,
    hasExited: () => done,
    stdoutLines: () => out,
    tail: (n = 40) => all.slice(-n).join("\n"),
    waitForLine(test, { timeoutMs, stream = "any" }) {
      const past = (stream === "stdout" ? out : all).find(test);
      if (past !== undefined) return Promise.resolve(past);
      return new Promise<string>((resolve, reject) => {
        const cleanup = () => {
          listeners.delete(onLine);
          clearTimeout(timer);
        };
        const onLine = (line: string, s: "stdout" | "stderr") => {
          if (stream === "stdout" && s !== "stdout") return;
          if (test(line)) {
            cleanup();
            resolve(line);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${name}: timed out after ${timeoutMs} ms waiting for an output line\n${proc.tail()}`));
        }, timeoutMs);
        listeners.add(onLine);
        void exited.then((code) => {
          if (!listeners.has(onLine)) return;
          cleanup();
          reject(new Error(`${name} exited (${code}) before the expected output line\n${proc.tail()}`));
        });
      });
    },
    async stop(signal = "SIGTERM", graceMs = 5000) {
      if (done) return;
      child.kill(signal);
      const timer = setTimeout(() => {
        if (!done) child.kill("SIGKILL");
      }, graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  return proc;
}

/** Runs a command to completion and returns its exit code and output. */
export async function runCommand(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const child = spawn(command, args, { env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 30_000);
  const code = await new Promise<number | string>((resolve) => {
    child.on("error", (err) => resolve(`spawn error: ${err.message}`));
    child.on("close", (c, s) => resolve(c ?? s ?? "unknown"));
  });
  clearTimeout(timer);
  return { code, stdout, stderr };
}
