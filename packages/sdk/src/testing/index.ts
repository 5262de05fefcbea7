/**
 * Test helpers for code that uses `@spike-ts/sdk`: `startDevStack()` starts a dev Workload API
 * and a dev Nexus on local sockets and gives the environment for each identity. It needs
 * `@spike-ts/nexus-dev` (an optional peer dependency): `npm install -D @spike-ts/nexus-dev`.
 */
export { startDevStack } from "./start-dev-stack.js";
export type { DevStack, DevStackEnv, DevStackIdentity, DevStackOptions } from "@spike-ts/nexus-dev";
