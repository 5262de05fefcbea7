import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { once } from "node:events";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, "..", "..", "..");
const NEEDED = ["mtls-server", "mtls-client"];

function complete(dir: string | undefined): dir is string {
  return !!dir && NEEDED.every((n) => existsSync(join(dir, n)));
}

/**
 * Finds the go-spiffe peer binaries: `$GO_PEERS_BIN_DIR`, then the `peers.env` written by
 * `scripts/peers/build`, then the newest build in the cache; builds them with `go build` into
 * the cache when none is found (needs Go and the module proxy).
 */
export function locateGoPeers(): string {
  const fromEnv = process.env.GO_PEERS_BIN_DIR;
  if (complete(fromEnv)) return fromEnv;
  const cache = process.env.SPIKE_TS_CACHE ?? join(homedir(), ".cache", "spike-ts");
  const envFile = join(cache, "peers.env");
  if (existsSync(envFile)) {
    const m = /GO_PEERS_BIN_DIR='([^']+)'/.exec(readFileSync(envFile, "utf8"));
    if (complete(m?.[1])) return m[1];
  }
  const builds = join(cache, "go-peers");
  if (existsSync(builds)) {
    const dirs = readdirSync(builds)
      .map((d) => join(builds, d, "bin"))
      .filter((d) => complete(d) && existsSync(join(d, ".complete")))
      .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
    if (dirs[0]) return dirs[0];
  }
  const out = join(cache, "mtls-transport-go-peers", "bin");
  if (complete(out)) return out;
  try {
    execFileSync("go", ["build", "-trimpath", "-o", `${out}/`, "./cmd/mtls-server", "./cmd/mtls-client"], {
      cwd: join(repoRoot, "peers", "go"),
      env: { ...process.env, GOFLAGS: "-buildvcs=false", GOTOOLCHAIN: "local" },
      stdio: "pipe",
    });
  } catch (error) {
    throw new Error(
      "go-spiffe peers not found and could not be built: run scripts/peers/build or set GO_PEERS_BIN_DIR " +
        `(${(error as Error).message})`,
    );
  }
  return out;
}

/** One JSON line printed by a peer program. */
export type PeerEvent = { readonly event: string } & Record<string, unknown>;

/** A running peer program and the events it printed so far. */
export interface PeerProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly events: PeerEvent[];
  /** Resolves with the first event named `name` (rejects if the program exits first). */
  waitFor(name: string): Promise<PeerEvent>;
  /** Resolves with the exit code once the program has exited. */
  exited(): Promise<number | null>;
  /** Stops the program (SIGTERM) and waits for it. */
  stop(): Promise<void>;
}

export function runPeer(bin: string, program: string, args: string[]): PeerProcess {
  const child = spawn(join(bin, program), args, { stdio: ["pipe", "pipe", "pipe"] });
  const events: PeerEvent[] = [];
  const waiters: Array<{ name: string; resolve: (e: PeerEvent) => void }> = [];
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  createInterface({ input: child.stdout }).on("line", (line) => {
    let event: PeerEvent;
    try {
      event = JSON.parse(line) as PeerEvent;
    } catch {
      return;
    }
    events.push(event);
    for (const w of waiters.splice(0)) {
      if (w.name === event.event) w.resolve(event);
      else waiters.push(w);
    }
  });
  const exit = new Promise<number | null>((resolveExit) => {
    child.once("exit", (code) => resolveExit(code));
  });
  return {
    child,
    events,
    waitFor(name) {
      const seen = events.find((e) => e.event === name);
      if (seen) return Promise.resolve(seen);
      return new Promise<PeerEvent>((resolveEvent, reject) => {
        waiters.push({ name, resolve: resolveEvent });
        void exit.then((code) =>
          reject(new Error(`${program} exited (${code}) before "${name}": ${JSON.stringify(events)} ${stderr}`)),
        );
      });
    },
    exited: () => exit,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await once(child, "exit");
      }
    },
  };
}
