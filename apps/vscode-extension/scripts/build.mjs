#!/usr/bin/env node
// Builds the extension: one esbuild run per output, both CommonJS for Node 20 (VS Code's extension host):
//   dist/extension.cjs  src/extension.ts, `vscode` external, the SDK and the language client bundled;
//   dist/server.cjs     src/server.ts, the policy language server and its dependencies bundled.
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
rmSync(join(root, "dist"), { recursive: true, force: true });

const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  sourcemap: false,
  minify: true,
  legalComments: "linked",
  logLevel: "warning",
  absWorkingDir: root,
};

await build({ ...common, entryPoints: ["src/extension.ts"], outfile: "dist/extension.cjs", external: ["vscode"] });
await build({ ...common, entryPoints: ["src/server.ts"], outfile: "dist/server.cjs" });
