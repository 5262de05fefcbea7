#!/usr/bin/env node
// Records the public API of every published package with API Extractor, one report per
// `exports` entry, in api/<package>[-<subpath>].api.md at the repository root.
//   node tooling/api-report/report.mjs           check: fails when a report is missing or differs
//   node tooling/api-report/report.mjs --update  rewrites the reports (review the diff, commit it)
// Run after `pnpm build` (it reads dist/*.d.ts). Writes reports/api-report.json for the summary.
import { Extractor, ExtractorConfig } from "@microsoft/api-extractor";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..");
const update = process.argv.includes("--update");
const reportFolder = join(root, "api");
const temp = mkdtempSync(join(tmpdir(), "spike-api-"));
mkdirSync(reportFolder, { recursive: true });

const packages = ["packages", "apps"]
  .flatMap((d) => (existsSync(join(root, d)) ? readdirSync(join(root, d)).map((n) => join(root, d, n)) : []))
  .filter((dir) => existsSync(join(dir, "package.json")))
  .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) }))
  .filter(({ pkg }) => !pkg.private);

const results = [];
const expected = new Set();
for (const { dir, pkg } of packages) {
  for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
    if (subpath === "./package.json" || typeof target !== "object" || !target.types) continue;
    const name = pkg.name.replace(/^@spike-ts\//, "") + (subpath === "." ? "" : `-${subpath.slice(2).replaceAll("/", "-")}`);
    expected.add(`${name}.api.md`);
    const label = subpath === "." ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
    const entry = join(dir, target.types);
    if (!existsSync(entry)) {
      results.push({ name: `${label}: API report`, ok: false, detail: `${target.types} missing: run pnpm build` });
      continue;
    }
    const config = ExtractorConfig.prepare({
      configObject: {
        projectFolder: dir,
        mainEntryPointFilePath: entry,
        bundledPackages: [],
        compiler: {
          overrideTsconfig: {
            compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", strict: true, skipLibCheck: true, types: ["node"], lib: ["ES2023"] },
            files: [entry],
          },
        },
        apiReport: { enabled: true, reportFolder, reportTempFolder: temp, reportFileName: name },
        docModel: { enabled: false },
        dtsRollup: { enabled: false },
        tsdocMetadata: { enabled: false },
        messages: {
          // The report is about the shape of the public API; documentation coverage is TypeDoc's
          // job (pnpm docs), so extractor hints (undocumented members, links) stay quiet here.
          compilerMessageReporting: { default: { logLevel: "warning" } },
          extractorMessageReporting: { default: { logLevel: "none" } },
          tsdocMessageReporting: { default: { logLevel: "none" } },
        },
      },
      configObjectFullPath: undefined,
      packageJsonFullPath: join(dir, "package.json"),
    });
    const messages = [];
    const result = Extractor.invoke(config, {
      localBuild: update,
      showVerboseMessages: false,
      messageCallback: (m) => {
        if (m.logLevel === "warning" || m.logLevel === "error") messages.push(m.text);
        m.handled = true;
      },
    });
    const ok = result.succeeded && (update || !result.apiReportChanged);
    const detail = result.apiReportChanged && !update
      ? `the public API differs from api/${name}.api.md: run \`node tooling/api-report/report.mjs --update\`, review the diff and commit it`
      : messages.join("\n");
    results.push({ name: `${label}: API report ${update ? "written" : "matches"}`, ok, detail });
    console.log(`  ${ok ? "ok  " : "FAIL"} ${label}${ok ? "" : `\n       ${detail}`}`);
  }
}
for (const file of readdirSync(reportFolder)) {
  if (file.endsWith(".api.md") && !expected.has(file)) {
    if (update) rmSync(join(reportFolder, file));
    else results.push({ name: `api/${file}: belongs to an export`, ok: false, detail: "stale report: run --update" });
  }
}
rmSync(temp, { recursive: true, force: true });
const failed = results.filter((r) => !r.ok);
mkdirSync(join(here, "reports"), { recursive: true });
writeFileSync(
  join(here, "reports", "api-report.json"),
  JSON.stringify({
    numPassedTests: results.length - failed.length,
    numFailedTests: failed.length,
    numPendingTests: 0,
    testResults: [{ name: "tooling/api-report", status: failed.length ? "failed" : "passed", assertionResults: results.map((r) => ({ fullName: r.name, status: r.ok ? "passed" : "failed" })) }],
  }),
);
console.log(`api-report: ${results.length - failed.length} passed, ${failed.length} failed`);
process.exit(failed.length ? 1 : 0);
