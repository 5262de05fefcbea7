// The spike-ts quickstart: a pilot creates a policy for the demo workload, then the workload
// writes, reads, versions and lists its secrets, and meets a clear error outside its policy.
//
// Environment (scripts/quickstart sets it from the dev stack):
//   SPIFFE_ENDPOINT_SOCKET        the demo workload's Workload API socket
//   PILOT_SPIFFE_ENDPOINT_SOCKET  the pilot's Workload API socket (superuser identity)
//   SPIKE_NEXUS_API_URL           Nexus (alias SPIKE_NEXUS_URL); SPIKE_TRUST_ROOT_NEXUS its trust domain
import { createSpikeClient } from "@spike-ts/sdk";
import { describeError, escapeRegex } from "./lib/describe-error.js";

let step = 0;
function say(title: string): void {
  step += 1;
  console.log(`\n[${step}] ${title}`);
}
function detail(line: string): void {
  console.log(`    ${line}`);
}

async function main(): Promise<void> {
  const pilotSocket = process.env.PILOT_SPIFFE_ENDPOINT_SOCKET;
  if (!pilotSocket) {
    throw new Error("quickstart: set PILOT_SPIFFE_ENDPOINT_SOCKET to the pilot's Workload API socket");
  }

  say("Connect as the demo workload (SVID from SPIFFE_ENDPOINT_SOCKET)");
  await using workload = await createSpikeClient();
  detail(`workload SPIFFE ID: ${workload.spiffeId}`);
  detail(`nexus:              ${workload.nexusUrl}`);

  say("Connect as the pilot (superuser)");
  await using pilot = await createSpikeClient({ endpointSocket: pilotSocket });
  detail(`pilot SPIFFE ID:    ${pilot.spiffeId}`);

  say("As the pilot: create a policy granting the workload read and write on tenants/demo/.*");
  const spiffeIdPattern = `^${escapeRegex(workload.spiffeId)}$`;
  await pilot.createPolicy({
    name: "demo-workload",
    spiffeIdPattern,
    pathPattern: "^tenants/demo/.*$",
    permissions: ["read", "write"],
  });
  await pilot.createPolicy({
    name: "demo-workload-list",
    spiffeIdPattern,
    pathPattern: "^spike/system/secret$",
    permissions: ["list"],
  });
  const policy = await pilot.getPolicy("demo-workload");
  detail(`policy ${policy.name}: ${policy.spiffeIdPattern} may ${policy.permissions.join(", ")} on ${policy.pathPattern}`);
  detail("policy demo-workload-list: the same workload may list secret paths");

  const path = "tenants/demo/db/creds";
  say(`As the workload: put database credentials at ${path}`);
  await workload.putSecret(path, { username: "dbuser", password: "dbpass123" });
  // Nexus numbers the versions; read the one just written from metadata (it is 1 only on a fresh path).
  const stored = (await workload.getSecretMetadata(path)).currentVersion;
  detail(`stored version ${stored}`);

  say("Read them back");
  const creds = await workload.getSecret(path);
  detail(`Username: ${creds.get("username")}`);
  detail(`The secret object keeps values out of logs: ${JSON.stringify(creds)}`);

  say("Update the credentials (rotate the password)");
  await workload.putSecret(path, { username: "dbuser", password: "rotated-456" });
  const meta = await workload.getSecretMetadata(path);
  detail(`current version: ${meta.currentVersion}`);

  say(`Read version ${stored} and the current version`);
  const first = await workload.getSecret(path, { version: stored });
  const current = await workload.getSecret(path);
  detail(`version ${stored}: password ${first.get("password") === "dbpass123" ? "is the original" : "differs"} (${first.get("password")?.length} chars)`);
  detail(`current:   password ${current.get("password") === "rotated-456" ? "is the rotated one" : "differs"} (${current.get("password")?.length} chars)`);

  say("List the secret paths");
  for (const key of await workload.listSecretKeys()) detail(`- ${key}`);

  say("Try a path the policy does not grant: tenants/other/db/creds");
  try {
    await workload.getSecret("tenants/other/db/creds");
    throw new Error("quickstart: expected nexus to refuse tenants/other/db/creds");
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code !== "unauthorized") throw e;
    detail(`refused, as it should be: ${describeError(e)}`);
  }

  console.log("\nQuickstart complete.");
}

main().catch((e: unknown) => {
  console.error(`quickstart failed: ${describeError(e)}`);
  process.exitCode = 1;
});
