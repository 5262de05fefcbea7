/**
 * Test helpers for code that uses `@spike-ts/sdk`: `startDevStack()` starts a dev Workload API
 * and a dev Nexus on local sockets and gives the environment for each identity.
 */
export { startDevStack } from "@spike-ts/nexus-dev";
export type { DevStack, DevStackEnv, DevStackIdentity, DevStackOptions } from "@spike-ts/nexus-dev";
