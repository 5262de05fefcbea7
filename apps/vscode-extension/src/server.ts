// Entry of dist/server.cjs: the SPIKE policy language server over stdio, started by the extension's language client.
import { startPolicyLanguageServer } from "@spike-ts/policy-language-server/node";

startPolicyLanguageServer();
