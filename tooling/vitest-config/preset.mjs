// Shared vitest presets.
// - `@spike-ts/NAME` and `@spike-ts/NAME/SUB` resolve to the workspace sources
//   (packages|apps/NAME/src/index.ts, src/SUB/index.ts), so unit tests need no build.
// - Each run writes a JSON report to reports/<kind>.json, summed by scripts/summarize-reports.mjs.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

function sourceOf(name, sub) {
  for (const dir of ["packages", "apps"]) {
    const base = join(root, dir, name, "src");
    const file = sub ? join(base, sub, "index.ts") : join(base, "index.ts");
    if (existsSync(file)) return file;
    if (sub && existsSync(join(base, `${sub}.ts`))) return join(base, `${sub}.ts`);
  }
  return undefined;
}

const workspaceImport = /^@spike-ts\/([a-z0-9-]+)(?:\/([a-z0-9-]+))?$/;

/** A vite plugin that points @spike-ts/* imports at workspace sources. */
export function workspaceSources() {
  return {
    name: "spike-ts-workspace-sources",
    enforce: "pre",
    resolveId(id) {
      const m = workspaceImport.exec(id);
      if (!m) return null;
      return sourceOf(m[1], m[2]) ?? null;
    },
  };
}

/**
 * The preset for a package: `kind` is "unit" (src/**\/*.test.ts) or
 * "integration" (test/**\/*.integration.test.ts).
 */
export function spikeVitestConfig({ kind = "unit", testTimeout, ...rest } = {}) {
  const integration = kind === "integration";
  return defineConfig({
    plugins: [workspaceSources()],
    test: {
      include: integration ? ["test/**/*.integration.test.ts"] : ["src/**/*.test.ts", "test/**/*.unit.test.ts"],
      exclude: ["**/node_modules/**", "**/dist/**"],
      testTimeout: testTimeout ?? (integration ? 120_000 : 20_000),
      hookTimeout: integration ? 180_000 : 30_000,
      reporters: ["default", "json"],
      outputFile: { json: `reports/${kind}.json` },
      pool: "forks",
      passWithNoTests: false,
      typecheck: integration ? undefined : { enabled: false },
      ...rest,
    },
  });
}
