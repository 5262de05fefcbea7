#!/usr/bin/env node
// Checks every published spike-ts package the way an npm user gets it.
// For each non-private package under packages/ and apps/ (already built):
//   1. `pnpm pack` it; the packed package.json must hold no `workspace:` or `catalog:` range;
//   2. publint and are-the-types-wrong (profile esm-only: the packages are ESM only) on the tarball;
// then, in one empty temporary project outside the workspace, `npm install` all tarballs (no links) and:
//   3. import every `exports` entry from ESM;
//   4. require() every entry from CommonJS (Node >= 20.19 loads ESM through require);
//   5. compile a consumer .ts file importing every entry with moduleResolution node16 and bundler.
// Writes reports/package-check.json (vitest's JSON shape) so scripts/summarize-reports.mjs counts it.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..");
const require = createRequire(import.meta.url);
const only = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const keep = process.argv.includes("--keep");

const results = [];
function check(name, fn) {
  try {
    fn();
    results.push({ name, ok: true });
    console.log(`  ok   ${name}`);
  } catch (err) {
    const detail = (err.stdout?.toString() ?? "") + (err.stderr?.toString() ?? "") || err.message;
    results.push({ name, ok: false, detail });
    console.log(`  FAIL ${name}\n${detail.split("\n").map((l) => `       ${l}`).join("\n")}`);
  }
}
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: "pipe", encoding: "utf8", ...opts });

const packages = ["packages", "apps"]
  .flatMap((d) => (existsSync(join(root, d)) ? readdirSync(join(root, d)).map((n) => join(root, d, n)) : []))
  .filter((dir) => existsSync(join(dir, "package.json")))
  .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) }))
  .filter(({ pkg }) => !pkg.private && (only.length === 0 || only.includes(pkg.name)));

const work = mkdtempSync(join(tmpdir(), "spike-pack-"));
const tarballs = join(work, "tarballs");
mkdirSync(tarballs);
const publintBin = join(here, "node_modules", ".bin", "publint");
const attwBin = join(here, "node_modules", ".bin", "attw");
const tscBin = require.resolve("typescript/bin/tsc");

console.log(`package-check: ${packages.length} published packages, work dir ${work}`);
const packed = [];
for (const { dir, pkg } of packages) {
  console.log(`${pkg.name}`);
  let tarball;
  check(`${pkg.name}: packs`, () => {
    if (!existsSync(join(dir, "dist"))) throw new Error(`no dist/: run pnpm build first`);
    const out = run("pnpm", ["pack", "--pack-destination", tarballs], { cwd: dir });
    tarball = out.trim().split("\n").pop().trim();
    if (!tarball.endsWith(".tgz") || !existsSync(tarball)) throw new Error(`pnpm pack printed no tarball: ${out}`);
    packed.push({ pkg, tarball });
  });
  if (!tarball) continue;
  check(`${pkg.name}: no workspace: or catalog: ranges in the packed manifest`, () => {
    const manifest = run("tar", ["-xOzf", tarball, "package/package.json"]);
    const leaked = manifest.split("\n").filter((l) => /"(workspace|catalog):/.test(l));
    if (leaked.length) throw new Error(`leaked ranges:\n${leaked.join("\n")}`);
  });
  check(`${pkg.name}: publint clean`, () => {
    const out = run(publintBin, [tarball, "--strict"]);
    if (/warning|error|suggestion/i.test(out) && !/All good/i.test(out)) throw Object.assign(new Error("publint"), { stdout: out });
  });
  check(`${pkg.name}: are-the-types-wrong clean (esm-only)`, () => {
    run(attwBin, [tarball, "--profile", "esm-only", "--format", "ascii"]);
  });
}

// One consumer project for all tarballs: internal dependencies resolve to the tarballs, not the registry.
const consumer = join(work, "consumer");
mkdirSync(consumer);
writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }, null, 2));
const entries = packed.flatMap(({ pkg }) =>
  Object.keys(pkg.exports ?? { ".": "" })
    .filter((k) => k !== "./package.json")
    .map((k) => (k === "." ? pkg.name : `${pkg.name}/${k.slice(2)}`)),
);
let installed = false;
check("all tarballs install with plain npm into an empty project", () => {
  const typesNode = JSON.parse(readFileSync(join(root, "node_modules", "@types", "node", "package.json"), "utf8")).version;
  run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...packed.map((p) => p.tarball), `@types/node@${typesNode}`], { cwd: consumer });
  for (const { pkg } of packed) {
    const real = join(consumer, "node_modules", ...pkg.name.split("/"));
    if (!existsSync(join(real, "package.json"))) throw new Error(`${pkg.name} missing after install`);
  }
  installed = true;
});
if (installed) {
  for (const spec of entries) {
    check(`${spec}: import() from ESM`, () => {
      writeFileSync(join(consumer, "esm-check.mjs"), `const m = await import(${JSON.stringify(spec)});\nif (Object.keys(m).length === 0) throw new Error("no exports");\nconsole.log(Object.keys(m).length);\n`);
      run(process.execPath, ["esm-check.mjs"], { cwd: consumer });
    });
    check(`${spec}: require() from CommonJS`, () => {
      writeFileSync(join(consumer, "cjs-check.cjs"), `const m = require(${JSON.stringify(spec)});\nif (Object.keys(m).length === 0) throw new Error("no exports");\n`);
      run(process.execPath, ["--no-warnings", "cjs-check.cjs"], { cwd: consumer });
    });
  }
  const source = entries.map((spec, i) => `import * as m${i} from ${JSON.stringify(spec)};\nexport const k${i}: string[] = Object.keys(m${i});`).join("\n");
  writeFileSync(join(consumer, "consumer.ts"), `${source}\n`);
  for (const [resolution, module] of [["node16", "node16"], ["bundler", "esnext"]]) {
    check(`TypeScript consumer compiles with moduleResolution ${resolution}`, () => {
      const tsconfig = {
        compilerOptions: { module, moduleResolution: resolution, target: "ES2022", strict: true, noEmit: true, skipLibCheck: false, types: ["node"] },
        files: ["consumer.ts"],
      };
      writeFileSync(join(consumer, `tsconfig.${resolution}.json`), JSON.stringify(tsconfig, null, 2));
      run(process.execPath, [tscBin, "-p", `tsconfig.${resolution}.json`], { cwd: consumer });
    });
  }
}

const failed = results.filter((r) => !r.ok);
mkdirSync(join(here, "reports"), { recursive: true });
writeFileSync(
  join(here, "reports", "package-check.json"),
  JSON.stringify({
    numPassedTests: results.length - failed.length,
    numFailedTests: failed.length,
    numPendingTests: 0,
    testResults: [{ name: "tooling/package-check", status: failed.length ? "failed" : "passed", assertionResults: results.map((r) => ({ fullName: r.name, status: r.ok ? "passed" : "failed" })) }],
  }),
);
if (!keep) rmSync(work, { recursive: true, force: true });
console.log(`package-check: ${results.length - failed.length} passed, ${failed.length} failed`);
process.exit(failed.length ? 1 : 0);
