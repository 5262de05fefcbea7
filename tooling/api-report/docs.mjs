#!/usr/bin/env node
// Builds one TypeDoc site for every published package into docs/api/ (not committed).
// Run after `pnpm build` (workspace imports resolve through dist/ types). Fails on TypeDoc errors.
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
execFileSync(join(here, "node_modules", ".bin", "typedoc"), ["--options", join(here, "typedoc.json")], { cwd: here, stdio: "inherit" });
console.log("docs: TypeDoc site written to docs/api/index.html");
