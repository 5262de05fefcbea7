// Pattern 1: fetch every secret the service needs once, at startup, then run with them.
// Reads tenants/demo/db/creds and tenants/demo/api/key (SPIFFE_ENDPOINT_SOCKET, SPIKE_NEXUS_API_URL).
import { createSpikeClient } from "@spike-ts/sdk";
import { describeError } from "./lib/describe-error.js";

function connectDb(username: string, password: string): { describe(): string } {
  return { describe: () => `db connected as ${username} (password of ${password.length} chars)` };
}

function initApiClient(key: string): { describe(): string } {
  return { describe: () => `api client ready (key of ${key.length} chars)` };
}

async function main(): Promise<void> {
  await using spike = await createSpikeClient();

  const [dbCreds, apiKey] = await Promise.all([
    spike.getSecret("tenants/demo/db/creds"),
    spike.getSecret("tenants/demo/api/key"),
  ]);

  const username = dbCreds.get("username");
  const password = dbCreds.get("password");
  const key = apiKey.get("key");
  if (username === undefined || password === undefined || key === undefined) {
    throw new Error("fetch-at-startup: the secrets lack username/password/key");
  }
  const db = connectDb(username, password);
  const api = initApiClient(key);

  console.log(db.describe());
  console.log(api.describe());
  console.log(`serving with ${dbCreds} and ${apiKey}`);
}

main().catch((e: unknown) => {
  console.error(`fetch-at-startup failed: ${describeError(e)}`);
  process.exitCode = 1;
});
