// Bundles every program in src/*.ts into dist/*.js (ESM, Node 20; @spike-ts and third-party deps
// stay external and resolve through node_modules to their built dist/).
import { build } from "esbuild";
import { readdirSync, rmSync } from "node:fs";

const programs = readdirSync("src").filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));
rmSync("dist", { recursive: true, force: true });
await build({
  entryPoints: programs.map((f) => `src/${f}`),
  outdir: "dist",
  bundle: true,
  packages: "external",
  platform: "node",
  target: "node20",
  format: "esm",
  sourcemap: true,
  logLevel: "warning",
});
console.log(`examples: built ${programs.length} programs into dist/`);
