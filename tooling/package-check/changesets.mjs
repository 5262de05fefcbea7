#!/usr/bin/env node
// Fails when a published package changed since the base and no pending changeset names it.
//   node tooling/package-check/changesets.mjs [--base REV] [--root DIR]
// The base is --base, else $CHANGESET_BASE, else `git merge-base HEAD origin/main`, else the
// root commit. "Changed" means a file under the package's src/ or bin/ (tests aside), or its package.json.
// Pending changesets are the .changeset/*.md files (README.md aside); their front matter names
// the packages. Writes reports/changesets.json (vitest JSON shape) for the summary.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const argRoot = process.argv.indexOf("--root");
const root = argRoot > 0 ? resolve(process.argv[argRoot + 1]) : resolve(here, "..", "..");
const reportDir = argRoot > 0 ? join(root, "reports") : join(here, "reports");
const git = (...args) => execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
const tryGit = (...args) => { try { return git(...args); } catch { return ""; } };

const argBase = process.argv.indexOf("--base");
const base =
  (argBase > 0 ? process.argv[argBase + 1] : "") ||
  process.env.CHANGESET_BASE ||
  tryGit("merge-base", "HEAD", "origin/main") ||
  tryGit("rev-list", "--max-parents=0", "HEAD").split("\n").pop();

/** Package names named in the front matter of every pending changeset. */
function namedPackages() {
  const dir = join(root, ".changeset");
  const named = new Set();
  if (!existsSync(dir)) return named;
  for (const file of readdirSync(dir)) {
    if (!file.endsWith(".md") || file === "README.md") continue;
    const text = readFileSync(join(dir, file), "utf8");
    const front = /^---\n([\s\S]*?)\n---/.exec(text);
    if (!front) continue;
    for (const line of front[1].split("\n")) {
      const m = /^\s*["']?([^"':]+)["']?\s*:\s*(major|minor|patch)\s*$/.exec(line);
      if (m) named.add(m[1].trim());
    }
  }
  return named;
}

const changed = base
  ? [...new Set([...tryGit("diff", "--name-only", base).split("\n"), ...tryGit("ls-files", "--others", "--exclude-standard").split("\n")].filter(Boolean))]
  : [];
const named = namedPackages();
const results = [];
for (const dir of ["packages", "apps"].flatMap((d) => (existsSync(join(root, d)) ? readdirSync(join(root, d)).map((n) => join(root, d, n)) : []))) {
  const manifest = join(dir, "package.json");
  if (!existsSync(manifest)) continue;
  const pkg = JSON.parse(readFileSync(manifest, "utf8"));
  if (pkg.private) continue;
  const rel = relative(root, dir);
  const touched = changed.filter((f) => (f === `${rel}/package.json` || f.startsWith(`${rel}/src/`) || f.startsWith(`${rel}/bin/`)) && !/\.test(-d)?\.ts$/.test(f));
  if (touched.length === 0) continue;
  const ok = named.has(pkg.name);
  results.push({
    name: `${pkg.name}: changed since ${base.slice(0, 12)} and named by a changeset`,
    ok,
    detail: ok ? "" : `${touched.length} file(s) changed (${touched.slice(0, 3).join(", ")}${touched.length > 3 ? ", ..." : ""}) but no .changeset/*.md names ${pkg.name}. Run \`pnpm changeset\`, select ${pkg.name}, describe the change in one sentence, and commit the new file; test files do not count, a refactor takes a patch changeset.`,
  });
}
for (const r of results) console.log(`  ${r.ok ? "ok  " : "FAIL"} ${r.name}${r.ok ? "" : `\n       ${r.detail}`}`);
const failed = results.filter((r) => !r.ok);
mkdirSync(reportDir, { recursive: true });
writeFileSync(
  join(reportDir, "changesets.json"),
  JSON.stringify({
    numPassedTests: results.length - failed.length,
    numFailedTests: failed.length,
    numPendingTests: 0,
    testResults: [{ name: "tooling/changesets", status: failed.length ? "failed" : "passed", assertionResults: results.map((r) => ({ fullName: r.name, status: r.ok ? "passed" : "failed" })) }],
  }),
);
console.log(`changesets: ${results.length} changed published packages checked against base ${base || "(none)"}, ${failed.length} without a changeset`);
process.exit(failed.length ? 1 : 0);
