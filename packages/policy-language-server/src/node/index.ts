export { startPolicyLanguageServer } from "./server.js";
export type { PolicyLanguageServer, PolicyLanguageServerOptions } from "./server.js";
