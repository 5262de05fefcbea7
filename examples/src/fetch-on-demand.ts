// Pattern 2: fetch a secret when a request needs it. One client serves every request (an SVID
// and a connection pool are worth keeping); each request reads the current secret.
// Handles the requests named on the command line, e.g. `node dist/fetch-on-demand.js a b c`.
import { createSpikeClient } from "@spike-ts/sdk";
import type { SpikeClient } from "@spike-ts/sdk";
import { describeError } from "./lib/describe-error.js";

async function callExternalApi(request: string, key: string): Promise<string> {
  return `external api answered ${request} (authenticated with a ${key.length}-char key)`;
}

async function handleRequest(spike: SpikeClient, request: string): Promise<string> {
  // A deadline per request: the secret read gives up with the request.
  const secret = await spike.getSecret("tenants/demo/api/key", { signal: AbortSignal.timeout(10_000) });
  const key = secret.get("key");
  if (key === undefined) throw new Error("fetch-on-demand: tenants/demo/api/key has no key");
  return callExternalApi(request, key);
}

async function main(): Promise<void> {
  const requests = process.argv.slice(2);
  await using spike = await createSpikeClient();
  for (const request of requests.length > 0 ? requests : ["request-1"]) {
    try {
      console.log(await handleRequest(spike, request));
    } catch (e) {
      console.log(`request ${request} failed: ${describeError(e)}`);
      process.exitCode = 1;
    }
  }
}

main().catch((e: unknown) => {
  console.error(`fetch-on-demand failed: ${describeError(e)}`);
  process.exitCode = 1;
});
