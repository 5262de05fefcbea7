// Runs the spike-ts dev stack (dev Workload API sockets + dev Nexus on 127.0.0.1) for scripts:
// writes the environment of the demo workload and the pilot to the file named by argv[2]
// (shell `export` lines), then runs until SIGTERM or SIGINT and closes everything.
import { rename, rm, writeFile } from "node:fs/promises";
import { startDevStack } from "@spike-ts/sdk/testing";

function quote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

async function main(): Promise<void> {
  const envFile = process.argv[2];
  if (!envFile) throw new Error("dev-stack: usage: node dist/dev-stack.js <env-file>");
  const stack = await startDevStack();
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await stack.close();
    await rm(envFile, { force: true });
    console.error("dev-stack: stopped");
  };
  process.once("SIGTERM", () => void stop());
  process.once("SIGINT", () => void stop());

  const lines = [
    ...Object.entries(stack.workload.env).map(([k, v]) => `export ${k}=${quote(v)}`),
    `export PILOT_SPIFFE_ENDPOINT_SOCKET=${quote(stack.pilot.env.SPIFFE_ENDPOINT_SOCKET)}`,
    `export DEV_STACK_WORKLOAD_ID=${quote(stack.workload.spiffeId)}`,
    `export DEV_STACK_PILOT_ID=${quote(stack.pilot.spiffeId)}`,
  ];
  // Write then rename, so a reader never sees half a file.
  await writeFile(`${envFile}.tmp`, `${lines.join("\n")}\n`, { mode: 0o600 });
  await rename(`${envFile}.tmp`, envFile);
  console.error(`dev-stack: nexus at ${stack.nexusUrl}, workload ${stack.workload.spiffeId}, pilot ${stack.pilot.spiffeId}`);
}

main().catch((e: unknown) => {
  console.error(`dev-stack failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
