import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";

const script = join(import.meta.dirname, "..", "changesets.mjs");
let repo: string;
const git = (...args: string[]) => execFileSync("git", ["-c", "user.email=t@t", "-c", "user.name=t", ...args], { cwd: repo, stdio: "pipe" });
const write = (rel: string, text: string) => {
  mkdirSync(join(repo, rel, ".."), { recursive: true });
  writeFileSync(join(repo, rel), text);
};
const check = () => spawnSync(process.execPath, [script, "--root", repo], { encoding: "utf8" });

beforeEach(() => {
  repo = mkdtempSync(join(tmpdir(), "spike-cs-"));
  git("init", "-q", "-b", "main");
  write("packages/lib/package.json", JSON.stringify({ name: "@spike-ts/lib", version: "0.1.0" }));
  write("packages/lib/src/index.ts", "export const a = 1;\n");
  write("packages/tool/package.json", JSON.stringify({ name: "@spike-ts/tool", private: true }));
  write(".changeset/README.md", "# changesets\n");
  git("add", "-A");
  git("commit", "-q", "-m", "base");
});
afterEach(() => rmSync(repo, { recursive: true, force: true }));

it("fails, naming the package and how to fix it, when a published package's source changed without a changeset", () => {
  write("packages/lib/src/index.ts", "export const a = 2;\n");
  const r = check();
  expect(r.status).toBe(1);
  expect(r.stdout).toContain("FAIL @spike-ts/lib");
  expect(r.stdout).toContain("Run `pnpm changeset`, select @spike-ts/lib");
});

it("passes once a changeset names the package", () => {
  write("packages/lib/src/index.ts", "export const a = 2;\n");
  write(".changeset/lib-change.md", '---\n"@spike-ts/lib": patch\n---\n\nChanges a.\n');
  const r = check();
  expect(r.status).toBe(0);
  expect(r.stdout).toContain("ok   @spike-ts/lib");
});

it("ignores test files, private packages and untouched packages", () => {
  write("packages/lib/src/index.test.ts", "it('x', () => {});\n");
  write("packages/tool/src/x.ts", "export {};\n");
  const r = check();
  expect(r.status).toBe(0);
  expect(r.stdout).toContain("0 without a changeset");
  expect(r.stdout).not.toContain("@spike-ts/tool");
});
