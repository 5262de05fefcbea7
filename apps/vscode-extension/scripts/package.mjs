#!/usr/bin/env node
// Packages the extension with vsce from a staging copy, so the shipped package.json carries no
// workspace-only fields (`catalog:`/`workspace:` ranges, scripts, devDependencies) that the
// Marketplace would show and vsce cannot parse.
//   node scripts/package.mjs [--out FILE]   builds dist-vsix/<name>-<version>.vsix (or FILE)
//   node scripts/package.mjs --ls           prints the files the .vsix would hold (vsce ls)
// Run `pnpm build` first. Exports stagePackage() for the packaging test.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const COPIED = ["README.md", "CHANGELOG.md", "LICENSE", ".vscodeignore", "language-configuration.json", "dist", "media", "snippets"];

/** Copies what vsce reads into a fresh temporary folder and returns its path. */
export function stagePackage() {
  if (!existsSync(join(root, "dist", "extension.cjs")) || !existsSync(join(root, "dist", "server.cjs"))) {
    throw new Error("vscode-extension: dist/extension.cjs or dist/server.cjs is missing; run pnpm build first");
  }
  const stage = mkdtempSync(join(tmpdir(), "sts-vsix-"));
  for (const f of COPIED) if (existsSync(join(root, f))) cpSync(join(root, f), join(stage, f), { recursive: true });
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  delete manifest.devDependencies;
  delete manifest.scripts;
  manifest.dependencies = {};
  writeFileSync(join(stage, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return stage;
}

/** Runs vsce with `args` in `cwd`; returns its standard output. */
export function vsce(args, cwd) {
  const bin = join(root, "node_modules", "@vscode", "vsce", "vsce");
  return execFileSync(process.execPath, [bin, ...args], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const stage = stagePackage();
  try {
    if (process.argv.includes("--ls")) {
      process.stdout.write(vsce(["ls", "--no-dependencies"], stage));
    } else {
      const i = process.argv.indexOf("--out");
      const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
      const out = i > 0 ? resolve(process.argv[i + 1]) : join(root, "dist-vsix", `${manifest.name}-${manifest.version}.vsix`);
      mkdirSync(dirname(out), { recursive: true });
      process.stdout.write(vsce(["package", "--no-dependencies", "--out", out], stage));
    }
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}
