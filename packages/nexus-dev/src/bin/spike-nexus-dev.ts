// spike-nexus-dev: the dev SPIKE Nexus as a process. Its SVID comes from the Workload API
// at SPIFFE_ENDPOINT_SOCKET; it prints `SPIKE_NEXUS_API_URL=<url>` on stdout when ready.
import { parseArgs } from "node:util";
import { ROLE_TRUST_ROOT_ENV, trustRootsFromEnv } from "@spike-ts/nexus-model";
import { createX509Source } from "@spike-ts/workload-api";
import { createDevNexus } from "../dev-nexus.js";
import { createFileStore } from "../file-store.js";
import { fail, parseListenAddress, positiveIntEnv, stderrLog, stopOnSignals } from "./cli-common.js";

const HELP = `usage: spike-nexus-dev [--listen ADDR] [--store-dir DIR] [--verbose]

A development SPIKE Nexus over mTLS (memory mode semantics).
  --listen ADDR     listen address (default $SPIKE_NEXUS_TLS_PORT or :8553; an empty host means 127.0.0.1)
  --store-dir DIR   keep state in DIR (durable file store) instead of memory
  --verbose         log every request on stderr
env: SPIFFE_ENDPOINT_SOCKET (required), SPIKE_TRUST_ROOT_* (default: the trust domain of the SVID),
     SPIKE_NEXUS_MAX_SECRET_VERSIONS (10), SPIKE_NEXUS_CRYPTO_MAX_CIPHERTEXT_SIZE (65536)`;

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: { listen: { type: "string" }, "store-dir": { type: "string" }, verbose: { type: "boolean" }, help: { type: "boolean", short: "h" } },
      strict: true,
    }).values;
  } catch (e) {
    fail(`spike-nexus-dev: ${(e as Error).message}\n${HELP}`);
  }
  if (args.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const env = process.env;
  if (!env["SPIFFE_ENDPOINT_SOCKET"]) fail("spike-nexus-dev: SPIFFE_ENDPOINT_SOCKET is not set; point it at a Workload API that hands out spiffe://<td>/spike/nexus");
  let listen;
  try {
    listen = parseListenAddress(args.listen ?? env["SPIKE_NEXUS_TLS_PORT"] ?? ":8553", "127.0.0.1");
  } catch (e) {
    fail(`spike-nexus-dev: ${(e as Error).message}`);
  }
  const anyTrustRootSet = Object.values(ROLE_TRUST_ROOT_ENV).some((name) => (env[name] ?? "") !== "");
  const source = await createX509Source({ timeoutMs: 30_000 });
  const nexus = await createDevNexus({
    source,
    host: listen.host,
    port: listen.port,
    trustRoot: anyTrustRootSet ? trustRootsFromEnv(env) : undefined,
    store: args["store-dir"] ? createFileStore({ directory: args["store-dir"] }) : undefined,
    maxSecretVersions: positiveIntEnv(env["SPIKE_NEXUS_MAX_SECRET_VERSIONS"], 10),
    maxCiphertextBytes: positiveIntEnv(env["SPIKE_NEXUS_CRYPTO_MAX_CIPHERTEXT_SIZE"], 65536),
    log: stderrLog(args.verbose === true),
  }).catch(async (e: unknown) => {
    await source.close();
    throw e;
  });
  stopOnSignals(async () => {
    await nexus.close();
    await source.close();
  });
  process.stdout.write(`SPIKE_NEXUS_API_URL=${nexus.url}\n`);
}

main().catch((e: unknown) => fail(`spike-nexus-dev: ${(e as Error)?.message ?? String(e)}`));
