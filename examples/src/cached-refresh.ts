// Pattern 3: cached secrets with refresh. The cache serves reads from memory, re-checks the
// secret's version through metadata when the TTL runs out, and re-reads only when it changed.
//
// Env: EXAMPLE_TTL_MS (default 300000, the guide's 5 minutes), EXAMPLE_MAX_RUN_MS (default 60000).
// Prints each value change of tenants/demo/db/creds, exits after EXAMPLE_CHANGES changes (default 1).
import { createSpikeClient } from "@spike-ts/sdk";
import { describeError } from "./lib/describe-error.js";

const path = "tenants/demo/db/creds";

async function main(): Promise<void> {
  const ttlMs = Number(process.env.EXAMPLE_TTL_MS ?? 300_000);
  const maxRunMs = Number(process.env.EXAMPLE_MAX_RUN_MS ?? 60_000);
  const wanted = Number(process.env.EXAMPLE_CHANGES ?? 1);

  await using spike = await createSpikeClient();
  const secrets = spike.cached({ ttlMs });

  const first = await secrets.get(path);
  const meta = secrets.peek(path);
  console.log(`cached ${path} at version ${meta?.version}: username ${first.get("username")}`);

  let changes = 0;
  const done = new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`no change of ${path} within ${maxRunMs} ms`)), maxRunMs);
    secrets.onChange(path, (event) => {
      changes += 1;
      const now = secrets.peek(path);
      console.log(
        `refreshed ${path}: version ${event.oldVersion} -> ${event.newVersion}, password of ${now?.value.get("password")?.length} chars`,
      );
      if (changes >= wanted) {
        clearTimeout(deadline);
        resolve();
      }
    });
  });

  // The application keeps reading; hits are served from memory.
  const reader = setInterval(() => {
    secrets.get(path).catch((e: unknown) => console.log(`read failed: ${describeError(e)}`));
  }, Math.max(10, Math.floor(ttlMs / 4)));
  console.log("watching for changes");
  try {
    await done;
  } finally {
    clearInterval(reader);
  }
  const stats = secrets.stats();
  console.log(`cache stats: ${stats.hits} hits, ${stats.loads} loads, ${stats.versionChecks} version checks`);
}

main().catch((e: unknown) => {
  console.error(`cached-refresh failed: ${describeError(e)}`);
  process.exitCode = 1;
});
