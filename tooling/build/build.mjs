#!/usr/bin/env node
// Builds the package in the current directory:
// - every `exports` entry whose "default" points at dist/X.js is bundled by esbuild from
//   src/X.ts (ESM, Node 20, third-party and @spike-ts deps external); ESM entries share
//   chunks (dist/chunks/) so one class is one class across `.` and `./testing`;
// - every `bin` entry pointing at dist/bin/X.js is built from src/bin/X.ts likewise;
// - `tsc --emitDeclarationOnly` writes the .d.ts tree into dist/.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const cwd = process.cwd();
const pkg = JSON.parse(readFileSync(join(cwd, "package.json"), "utf8"));
const entries = new Map();

function addEntry(distPath) {
  const m = /^\.\/dist\/(.+)\.(c?js)$/.exec(distPath);
  if (!m) return;
  const src = `src/${m[1]}.ts`;
  if (!existsSync(join(cwd, src))) throw new Error(`build: ${pkg.name}: ${distPath} has no source ${src}`);
  entries.set(`${m[1]}.${m[2]}`, { src, out: m[1], format: m[2] === "cjs" ? "cjs" : "esm" });
}

for (const value of Object.values(pkg.exports ?? {})) {
  if (typeof value === "string") addEntry(value);
  else if (value && typeof value === "object") addEntry(value.default ?? value.import ?? "");
}
const bins = typeof pkg.bin === "string" ? { [pkg.name]: pkg.bin } : (pkg.bin ?? {});
for (const value of Object.values(bins)) addEntry(value);

rmSync(join(cwd, "dist"), { recursive: true, force: true });

// Library ESM entries (`.`, `./testing`, ...) are built together with code splitting, so code
// they share (classes used with instanceof, module state) exists once, not once per entry.
const shared = [...entries.values()].filter((e) => e.format === "esm" && !e.out.startsWith("bin/"));
if (shared.length > 0) {
  await build({
    entryPoints: Object.fromEntries(shared.map((e) => [e.out, e.src])),
    outdir: "dist",
    bundle: true,
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    packages: "external",
    platform: "node",
    target: "node20",
    format: "esm",
    sourcemap: true,
    keepNames: true,
    logLevel: "warning",
  });
}

for (const { src, out, format } of entries.values()) {
  if (shared.some((e) => e.out === out)) continue;
  await build({
    entryPoints: { [out]: src },
    outdir: "dist",
    outExtension: { ".js": format === "cjs" ? ".cjs" : ".js" },
    bundle: true,
    packages: "external",
    platform: "node",
    target: "node20",
    format,
    sourcemap: true,
    keepNames: true,
    logLevel: "warning",
    banner: out.startsWith("bin/") ? { js: "#!/usr/bin/env node" } : undefined,
  });
}

if (pkg.types !== false && !process.argv.includes("--no-types")) {
  const require = createRequire(import.meta.url);
  const tsc = require.resolve("typescript/bin/tsc");
  const project = existsSync(join(cwd, "tsconfig.build.json")) ? "tsconfig.build.json" : "tsconfig.json";
  execFileSync(process.execPath, [tsc, "-p", project, "--noEmit", "false", "--emitDeclarationOnly", "--declaration", "--outDir", "dist", "--rootDir", "src"], { stdio: "inherit", cwd });
}
