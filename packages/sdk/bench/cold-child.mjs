// Cold-start probe, spawned by run.ts: node start -> createSpikeClient() -> first secret.
// Prints one JSON line with the times it measured (ms since process start, via performance.now()).
import { createSpikeClient } from "@spike-ts/sdk";

const imported = performance.now();
const before = performance.now();
const spike = await createSpikeClient();
const ready = performance.now();
const secret = await spike.getSecret(process.env.BENCH_PATH ?? "bench/cold");
const first = performance.now();
await spike.close();
console.log(
  JSON.stringify({
    importedMs: imported,
    clientReadyMs: ready - before,
    createToFirstSecretMs: first - before,
    processToFirstSecretMs: first,
    keys: secret.size,
  }),
);
