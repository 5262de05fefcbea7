#!/usr/bin/env node
// `pnpm size`: per published package, the unpacked size of its tarball and its runtime
// dependencies (direct and, installed, transitive), and the bundled size (esbuild, minified,
// everything inlined but Node builtins) of the SDK. Enforces the budgets:
//   - @spike-ts/spiffe depends on nothing but its ASN.1/X.509 library (@peculiar/asn1-*).
// (The extension's .vsix budget, < 2 MB, is asserted by apps/vscode-extension's own tests.)
// Run after `pnpm build`. Writes reports/size.json (vitest JSON shape) for the summary.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..");
const packages = ["packages", "apps"]
  .flatMap((d) => (existsSync(join(root, d)) ? readdirSync(join(root, d)).map((n) => join(root, d, n)) : []))
  .filter((dir) => existsSync(join(dir, "package.json")))
  .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) }))
  .filter(({ pkg }) => !pkg.private);

const budgets = {
  "@spike-ts/spiffe": (deps) => deps.every((d) => d.startsWith("@peculiar/asn1-")) || `runtime dependencies beyond @peculiar/asn1-*: ${deps.join(", ")}`,
};

/** Counts the installed transitive runtime dependencies of a package through pnpm. */
function transitive(dir) {
  try {
    const out = execFileSync("pnpm", ["list", "--prod", "--depth", "Infinity", "--json"], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    const seen = new Set();
    const walk = (deps) => {
      for (const [name, info] of Object.entries(deps ?? {})) {
        const key = `${name}@${info.version}`;
        if (seen.has(key)) continue;
        seen.add(key);
        walk(info.dependencies);
      }
    };
    for (const p of JSON.parse(out)) walk(p.dependencies);
    return seen.size;
  } catch {
    return NaN;
  }
}

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const results = [];
const rows = [];
for (const { dir, pkg } of packages) {
  let unpacked = NaN;
  try {
    const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    unpacked = JSON.parse(out)[0].unpackedSize;
  } catch {}
  const deps = Object.keys(pkg.dependencies ?? {});
  rows.push([pkg.name, Number.isNaN(unpacked) ? "?" : kib(unpacked), String(deps.length), String(transitive(dir))]);
  const budget = budgets[pkg.name];
  if (budget) {
    const verdict = budget(deps);
    results.push({ name: `${pkg.name}: dependency budget`, ok: verdict === true, detail: verdict });
  }
}

const bundles = [];
for (const [name, entry] of [["@spike-ts/sdk (bundled)", "packages/sdk/dist/index.js"], ["@spike-ts/spiffe (bundled)", "packages/spiffe/dist/index.js"]]) {
  const file = join(root, entry);
  if (!existsSync(file)) {
    results.push({ name: `${name}: bundles`, ok: false, detail: `${entry} missing: run pnpm build` });
    continue;
  }
  try {
    const out = await build({ entryPoints: [file], bundle: true, minify: true, platform: "node", format: "esm", target: "node20", write: false, logLevel: "silent" });
    const code = out.outputFiles[0].contents;
    bundles.push([name, kib(code.length), kib(gzipSync(code).length)]);
    results.push({ name: `${name}: bundles`, ok: true });
  } catch (err) {
    results.push({ name: `${name}: bundles`, ok: false, detail: err.message });
  }
}

// The extension is bundled by its own build (dist/extension.cjs, dist/server.cjs): report them as they ship.
for (const rel of ["apps/vscode-extension/dist/extension.cjs", "apps/vscode-extension/dist/server.cjs"]) {
  const file = join(root, rel);
  if (!existsSync(file)) continue;
  const code = readFileSync(file);
  bundles.push([`vscode extension ${rel.split("/").pop()}`, kib(code.length), kib(gzipSync(code).length)]);
}

const pad = (row, widths) => row.map((c, i) => c.padEnd(widths[i])).join("  ");
const table = (head, body) => {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  console.log(pad(head, widths));
  for (const r of body) console.log(pad(r, widths));
};
table(["package", "unpacked", "runtime deps", "installed transitive"], rows);
console.log("");
table(["bundle", "minified", "gzip"], bundles);
for (const r of results.filter((r) => !r.ok)) console.log(`FAIL ${r.name}: ${r.detail}`);

const failed = results.filter((r) => !r.ok);
mkdirSync(join(here, "reports"), { recursive: true });
writeFileSync(
  join(here, "reports", "size.json"),
  JSON.stringify({
    numPassedTests: results.length - failed.length,
    numFailedTests: failed.length,
    numPendingTests: 0,
    testResults: [{ name: "tooling/size", status: failed.length ? "failed" : "passed", assertionResults: results.map((r) => ({ fullName: r.name, status: r.ok ? "passed" : "failed" })) }],
  }),
);
process.exit(failed.length ? 1 : 0);
