/**
 * A real SPIRE v1.13.3 deployment for integration tests: one spire-server and one
 * spire-agent on loopback, in a short temp dir, with join-token node attestation
 * (agent key on disk, so a killed agent comes back with its SVID) and the unix
 * workload attestor. Start-up is awaited with health checks under a deadline.
 */
import { writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { makeTempDir, pollUntil, rmTempDir, runCommand, startPeerProcess, type PeerProcess } from "./peers.js";

/** Options of `startSpire`. */
export interface SpireOptions {
  /** Directory holding `spire-server` and `spire-agent`. */
  readonly binDir: string;
  /** Trust domain (default `spike-ts.test`). */
  readonly trustDomain?: string;
  /** Deadline for each start-up wait, in ms (default 60 s). */
  readonly startTimeoutMs?: number;
}

/** A registration entry to create. */
export interface SpireEntry {
  readonly spiffeId: string;
  /** Selectors such as `unix:uid:0`. */
  readonly selectors: readonly string[];
  /** Parent ID (default: the agent's ID). */
  readonly parentId?: string;
  /** X509-SVID TTL in seconds (`-x509SVIDTTL`). */
  readonly x509SvidTtlSeconds?: number;
  /** JWT-SVID TTL in seconds (`-jwtSVIDTTL`). */
  readonly jwtSvidTtlSeconds?: number;
  readonly hint?: string;
}

/** A running SPIRE server + agent pair. */
export interface SpireDeployment {
  readonly trustDomain: string;
  readonly dir: string;
  /** The agent's Workload API socket path. */
  readonly agentSocketPath: string;
  /** `unix://` address of the agent's Workload API. */
  readonly workloadApiAddress: string;
  /** The agent's SPIFFE ID (`spiffe://<td>/spire/agent/join_token/<token>`). */
  readonly agentId: string;
  readonly server: PeerProcess;
  /** The current agent process (replaced by `restartAgent`). */
  agent(): PeerProcess;
  /** Creates an entry and returns its ID. */
  createEntry(entry: SpireEntry): Promise<string>;
  deleteEntry(id: string): Promise<void>;
  /** The trust bundle as the server shows it (PEM). */
  bundlePem(): Promise<string>;
  /** Kills the agent with `signal` (default SIGKILL) and waits for the exit. */
  killAgent(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the agent again (re-using its stored SVID) and waits until it is healthy. */
  restartAgent(): Promise<void>;
  /** The last log lines of both processes, for failure messages. */
  logs(): string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function serverConfig(o: { dir: string; port: number; td: string; socket: string }): string {
  return `server {
  bind_address = "127.0.0.1"
  bind_port = "${o.port}"
  socket_path = "${o.socket}"
  trust_domain = "${o.td}"
  data_dir = "${o.dir}/server"
  log_level = "DEBUG"
  default_x509_svid_ttl = "1h"
  ca_ttl = "24h"
}

plugins {
  DataStore "sql" {
    plugin_data {
      database_type = "sqlite3"
      connection_string = "${o.dir}/server/datastore.sqlite3"
    }
  }
  KeyManager "memory" {
    plugin_data {}
  }
  NodeAttestor "join_token" {
    plugin_data {}
  }
}
`;
}

function agentConfig(o: { dir: string; port: number; td: string; socket: string; bundle: string }): string {
  return `agent {
  data_dir = "${o.dir}/agent"
  log_level = "DEBUG"
  server_address = "127.0.0.1"
  server_port = "${o.port}"
  socket_path = "${o.socket}"
  trust_bundle_path = "${o.bundle}"
  trust_domain = "${o.td}"
}

plugins {
  NodeAttestor "join_token" {
    plugin_data {}
  }
  KeyManager "disk" {
    plugin_data {
      directory = "${o.dir}/agent"
    }
  }
  WorkloadAttestor "unix" {
    plugin_data {}
  }
}
`;
}

/** Starts spire-server, then spire-agent, and waits until both are healthy. */
export async function startSpire(options: SpireOptions): Promise<SpireDeployment> {
  const td = options.trustDomain ?? "spike-ts.test";
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const serverBin = join(options.binDir, "spire-server");
  const agentBin = join(options.binDir, "spire-agent");
  const dir = await makeTempDir();
  const serverSocket = join(dir, "s.sock");
  const agentSocket = join(dir, "a.sock");
  const processes: PeerProcess[] = [];
  let server: PeerProcess | undefined;
  let agent: PeerProcess | undefined;
  const logs = () =>
    [server && `--- spire-server (last lines)\n${server.tail(60)}`, agent && `--- spire-agent (last lines)\n${agent.tail(60)}`]
      .filter(Boolean)
      .join("\n");

  const cleanup = async () => {
    await Promise.all(processes.map((p) => p.stop("SIGTERM", 5000)));
    await rmTempDir(dir);
  };

  const cli = async (args: string[]) => {
    const r = await runCommand(serverBin, [...args, "-socketPath", serverSocket], { timeoutMs: 30_000 });
    if (r.code !== 0) {
      throw new Error(`spire-server ${args[0]} ${args[1] ?? ""} failed (${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
    }
    return r.stdout;
  };

  const waitHealthy = async (bin: string, socket: string, proc: PeerProcess, what: string) => {
    await pollUntil(
      `${what} to be healthy`,
      async () => {
        if (proc.hasExited()) throw new Error(`${what} exited: ${await proc.exited}`);
        const r = await runCommand(bin, ["healthcheck", "-socketPath", socket], { timeoutMs: 10_000 });
        return r.code === 0 ? true : undefined;
      },
      { timeoutMs, intervalMs: 250, describe: logs },
    ).catch(async (err: unknown) => {
      if (proc.hasExited()) throw new Error(`${what} exited (${await proc.exited}) during start-up\n${logs()}`, { cause: err });
      throw err;
    });
  };

  try {
    const port = await freePort();
    const serverConf = join(dir, "server.conf");
    await writeFile(serverConf, serverConfig({ dir, port, td, socket: serverSocket }));
    server = startPeerProcess("spire-server", serverBin, ["run", "-config", serverConf]);
    processes.push(server);
    await waitHealthy(serverBin, serverSocket, server, "spire-server");

    const bundlePath = join(dir, "bundle.pem");
    await writeFile(bundlePath, await cli(["bundle", "show"]));
    const tokenJson = JSON.parse(await cli(["token", "generate", "-ttl", "600", "-output", "json"])) as { value?: string };
    const token = tokenJson.value;
    if (!token) throw new Error(`spire-server token generate printed no token value`);
    const agentId = `spiffe://${td}/spire/agent/join_token/${token}`;

    const agentConf = join(dir, "agent.conf");
    await writeFile(agentConf, agentConfig({ dir, port, td, socket: agentSocket, bundle: bundlePath }));
    const launchAgent = (withToken: boolean) => {
      const p = startPeerProcess("spire-agent", agentBin, ["run", "-config", agentConf, ...(withToken ? ["-joinToken", token] : [])]);
      processes.push(p);
      agent = p;
      return p;
    };
    await waitHealthy(agentBin, agentSocket, launchAgent(true), "spire-agent");

    const deployment: SpireDeployment = {
      trustDomain: td,
      dir,
      agentSocketPath: agentSocket,
      workloadApiAddress: `unix://${agentSocket}`,
      agentId,
      server,
      agent: () => agent!,
      async createEntry(entry) {
        const args = ["entry", "create", "-parentID", entry.parentId ?? agentId, "-spiffeID", entry.spiffeId, "-output", "json"];
        for (const s of entry.selectors) args.push("-selector", s);
        if (entry.x509SvidTtlSeconds !== undefined) args.push("-x509SVIDTTL", String(entry.x509SvidTtlSeconds));
        if (entry.jwtSvidTtlSeconds !== undefined) args.push("-jwtSVIDTTL", String(entry.jwtSvidTtlSeconds));
        if (entry.hint !== undefined) args.push("-hint", entry.hint);
        const out = JSON.parse(await cli(args)) as { results?: Array<{ status?: { code?: number; message?: string }; entry?: { id?: string } }> };
        const r = out.results?.[0];
        if (!r || (r.status?.code ?? 0) !== 0 || !r.entry?.id) {
          throw new Error(`spire-server entry create failed: ${JSON.stringify(out)}`);
        }
        return r.entry.id;
      },
      async deleteEntry(id) {
        const out = JSON.parse(await cli(["entry", "delete", "-entryID", id, "-output", "json"])) as {
          results?: Array<{ status?: { code?: number; message?: string } }>;
        };
        const code = out.results?.[0]?.status?.code ?? 0;
        if (code !== 0) throw new Error(`spire-server entry delete failed: ${JSON.stringify(out)}`);
      },
      bundlePem: () => cli(["bundle", "show"]),
      async killAgent(signal = "SIGKILL") {
        await agent!.stop(signal, 5000);
      },
      async restartAgent() {
        if (!agent!.hasExited()) await agent!.stop("SIGTERM", 5000);
        await waitHealthy(agentBin, agentSocket, launchAgent(false), "spire-agent (restarted)");
      },
      logs,
      close: cleanup,
    };
    return deployment;
  } catch (err) {
    await cleanup();
    throw err;
  }
}
