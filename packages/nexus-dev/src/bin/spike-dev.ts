// spike-dev: the whole dev stack (Workload API sockets + dev Nexus) in one process. Prints
// the env to export for each identity; Ctrl-C or SIGTERM stops it and removes the sockets.
import { parseArgs } from "node:util";
import { startDevStack, type DevStackIdentity } from "../dev-stack.js";
import { createFileStore } from "../file-store.js";
import { fail, parseListenAddress, positiveIntEnv, shellQuote, stderrLog, stopOnSignals } from "./cli-common.js";

const HELP = `usage: spike-dev [--listen ADDR] [--trust-domain TD] [--store-dir DIR] [--json] [--verbose]

Starts a local SPIKE dev stack: a test CA, Workload API sockets for Nexus, the Pilot
superuser and a demo workload, and the dev Nexus on loopback.
  --listen ADDR       Nexus listen address (default 127.0.0.1:8553; use :0 for any free port)
  --trust-domain TD   trust domain (default spike.ist)
  --store-dir DIR     keep Nexus state in DIR (durable file store)
  --json              print the env as one JSON line instead of export lines
  --verbose           log every Nexus request on stderr
env: SPIKE_NEXUS_MAX_SECRET_VERSIONS (10)`;

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        listen: { type: "string" },
        "trust-domain": { type: "string" },
        "store-dir": { type: "string" },
        json: { type: "boolean" },
        verbose: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }).values;
  } catch (e) {
    fail(`spike-dev: ${(e as Error).message}\n${HELP}`);
  }
  if (args.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  let listen;
  try {
    listen = parseListenAddress(args.listen ?? "127.0.0.1:8553", "127.0.0.1");
  } catch (e) {
    fail(`spike-dev: ${(e as Error).message}`);
  }
  // Signals during startup abort it; startDevStack then closes what it had started.
  const abort = new AbortController();
  const starting = startDevStack({
    trustDomain: args["trust-domain"],
    host: listen.host,
    port: listen.port,
    store: args["store-dir"] ? createFileStore({ directory: args["store-dir"] }) : undefined,
    maxSecretVersions: positiveIntEnv(process.env["SPIKE_NEXUS_MAX_SECRET_VERSIONS"], 10),
    log: stderrLog(args.verbose === true),
    signal: abort.signal,
  });
  stopOnSignals(async () => {
    abort.abort();
    const started = await starting.catch(() => undefined);
    await started?.close();
  });
  const stack = await starting;
  if (args.json) {
    process.stdout.write(
      `${JSON.stringify({ nexusUrl: stack.nexusUrl, trustDomain: stack.trustDomain, pilot: stack.pilot.env, workload: stack.workload.env, nexus: stack.nexusIdentity.env, ids: { pilot: stack.pilot.spiffeId, workload: stack.workload.spiffeId, nexus: stack.nexusIdentity.spiffeId } })}\n`,
    );
    return;
  }
  const block = (title: string, who: DevStackIdentity): string =>
    [`# ${title} (${who.spiffeId}):`, ...Object.entries(who.env).map(([k, v]) => `export ${k}=${shellQuote(v)}`), ""].join("\n");
  process.stdout.write(
    [
      `# spike-dev: dev Nexus on ${stack.nexusUrl}, trust domain ${stack.trustDomain}`,
      "",
      block("As the Pilot superuser", stack.pilot),
      block("As the demo workload (needs a policy)", stack.workload),
      "# Ctrl-C stops the stack and removes its sockets.",
      "",
    ].join("\n"),
  );
}

main().catch((e: unknown) => fail(`spike-dev: ${(e as Error)?.message ?? String(e)}`));
