import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const node = (script: string, ...args: string[]) =>
  execFileSync(process.execPath, [join(root, "scripts", script), ...args], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "sts-vsix-test-"));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the .vsix", () => {
  it("vsce ls lists only the files the extension needs", () => {
    const files = node("package.mjs", "--ls").trim().split("\n").sort();
    expect(files).toEqual([
      "LICENSE",
      "README.md",
      "dist/extension.cjs",
      "dist/extension.cjs.LEGAL.txt",
      "dist/server.cjs",
      "dist/server.cjs.LEGAL.txt",
      "language-configuration.json",
      "media/activity.svg",
      "media/icon.png",
      "package.json",
      "snippets/spike-policy.json",
    ]);
  });

  it("vsce package --no-dependencies builds a .vsix under 2 MB whose manifest has no workspace ranges", () => {
    const out = join(work, "spike-ts-vscode.vsix");
    node("package.mjs", "--out", out);
    const size = statSync(out).size;
    expect(size).toBeGreaterThan(50_000);
    expect(size).toBeLessThan(2 * 1024 * 1024);
    // the shipped package.json is the staged one: no devDependencies, scripts, catalog: or workspace: ranges
    const listing = execFileSync("unzip", ["-p", out, "extension/package.json"], { encoding: "utf8" });
    const shipped = JSON.parse(listing);
    expect(shipped.devDependencies).toBeUndefined();
    expect(shipped.scripts).toBeUndefined();
    expect(listing).not.toMatch(/catalog:|workspace:/);
    expect(shipped.main).toBe("./dist/extension.cjs");
  });
});
