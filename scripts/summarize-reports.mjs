#!/usr/bin/env node
// Sums every vitest JSON report (packages/*/reports/*.json, apps/*/reports/*.json) and
// every `go test -json` log under reports/ into one closing line:
//   N passed, N failed, N skipped
// Exits 1 when anything failed or when no test ran at all.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(process.argv[2] ?? ".");
const files = [];
for (const dir of ["packages", "apps", "tooling", "examples", "."]) {
  const base = join(root, dir);
  if (!existsSync(base)) continue;
  const pkgs = dir === "." || dir === "examples" ? [base] : readdirSync(base).map((n) => join(base, n));
  for (const p of pkgs) {
    const rep = join(p, "reports");
    if (!existsSync(rep)) continue;
    for (const f of readdirSync(rep)) if (f.endsWith(".json") || f.endsWith(".gojson")) files.push(join(rep, f));
  }
}

let passed = 0, failed = 0, skipped = 0;
const failures = [];
for (const f of files) {
  const text = readFileSync(f, "utf8");
  if (f.endsWith(".gojson")) {
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      let ev;
      try { ev = JSON.parse(line); } catch { continue; }
      if (!ev.Test) continue;
      if (ev.Action === "pass") passed++;
      else if (ev.Action === "fail") { failed++; failures.push(`${f}: ${ev.Test}`); }
      else if (ev.Action === "skip") skipped++;
    }
    continue;
  }
  const report = JSON.parse(text);
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  if (report.success === false && (report.numFailedTests ?? 0) === 0 && (report.numFailedTestSuites ?? 0) === 0) {
    failed++;
    failures.push(`${f}: the run failed outside any test (unhandled errors or a failed hook)`);
  }
  for (const suite of report.testResults ?? []) {
    for (const t of suite.assertionResults ?? []) if (t.status === "failed") failures.push(`${suite.name}: ${t.fullName}`);
    if (suite.status === "failed" && (suite.assertionResults ?? []).length === 0) { failed++; failures.push(`${suite.name}: suite failed to run (${(suite.message ?? "").split("\n")[0]})`); }
  }
}
if (failures.length) {
  console.log(`\nfailed tests (${failures.length}):`);
  for (const f of failures.slice(0, 100)) console.log(`  ${f}`);
}
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
