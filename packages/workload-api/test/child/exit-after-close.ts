// Run as a child process: creates an agent, a client, both sources and a watch, closes them
// all, then returns without process.exit(). The parent asserts that the process exits by itself.
import { createJwtSource, createWorkloadApiClient, createX509Source } from "../../src/index.js";
import { startDevWorkloadApi } from "../../src/testing/index.js";

const agent = await startDevWorkloadApi({ identities: [{ spiffeId: "spiffe://example.org/exit" }], svidTtlMs: 60_000 });
const x509 = await createX509Source({ address: agent.address });
const jwt = await createJwtSource({ address: agent.address });
const client = createWorkloadApiClient({ address: agent.address });
client.watchX509Context({ onUpdate() {} });
await client.fetchJwtSvid({ audience: "x" });
await agent.stop(); // the watches now sit in backoff timers
await x509.close();
await jwt.close();
await client.close();
await agent.close();
console.log("closed");
