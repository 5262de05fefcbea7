#!/usr/bin/env node
// Runs dependency-cruiser over every package's src/ with the layering rules.
// Workspace imports resolve through node_modules links to packages/*/dist, so run after a build.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..");
const bin = join(here, "node_modules", ".bin", "depcruise");
const targets = ["packages", "apps"]
  .flatMap((d) => (existsSync(join(root, d)) ? readdirSync(join(root, d)).map((n) => `${d}/${n}/src`) : []))
  .filter((p) => existsSync(join(root, p)));
if (targets.length === 0) {
  console.log("layering: no packages yet");
  process.exit(0);
}
try {
  execFileSync(bin, ["--config", join(here, "dependency-cruiser.cjs"), "--output-type", "err", ...targets], { cwd: root, stdio: "inherit" });
  console.log(`layering: ${targets.length} source trees follow the layering rules`);
} catch {
  console.error("layering: a package imports a sibling or a higher layer (see above); move shared code down a layer.");
  process.exit(1);
}
