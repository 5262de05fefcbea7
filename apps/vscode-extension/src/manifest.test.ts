import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const view = readFileSync(join(root, "src", "secrets-view.ts"), "utf8");
const extension = readFileSync(join(root, "src", "extension.ts"), "utf8");

describe("package.json manifest", () => {
  it("has what the Marketplace and Open VSX need", () => {
    for (const key of ["name", "displayName", "description", "version", "publisher", "license", "icon", "repository", "categories", "engines", "main", "activationEvents"]) {
      expect(manifest, key).toHaveProperty(key);
    }
    expect(manifest.engines.vscode).toBe("^1.91.0");
    expect(manifest.main).toBe("./dist/extension.cjs");
    expect(readFileSync(join(root, manifest.icon)).subarray(1, 4).toString("latin1")).toBe("PNG");
  });

  it("declares every command with a spike.<area>.<verb> id, and registers each one in extension.ts", () => {
    const ids: string[] = manifest.contributes.commands.map((c: { command: string }) => c.command);
    expect(ids.sort()).toEqual(["spike.secrets.compareWithPrevious", "spike.secrets.openVersion", "spike.secrets.refresh"]);
    for (const id of ids) {
      expect(id).toMatch(/^spike\.[a-z]+\.[a-zA-Z]+$/);
      expect(extension).toContain(`registerCommand("${id}"`);
    }
    const menus = Object.values(manifest.contributes.menus).flat() as Array<{ command: string }>;
    for (const m of menus) expect(ids).toContain(m.command);
  });

  it("uses in menu when-clauses only contextValues that the tree nodes set", () => {
    const set = [...view.matchAll(/"(spike\.[a-zA-Z.]+)"/g)].map((m) => m[1]);
    expect(set).toEqual(expect.arrayContaining(["spike.version", "spike.version.hasPrevious", "spike.secret", "spike.folder"]));
    const whens = (Object.values(manifest.contributes.menus).flat() as Array<{ when: string }>).map((m) => m.when).join(" ");
    for (const m of whens.matchAll(/viewItem == ([\w.]+)/g)) expect(set).toContain(m[1]);
  });

  it("keeps settings under spike.* and the language for *.policy.yaml", () => {
    expect(Object.keys(manifest.contributes.configuration.properties).sort()).toEqual(["spike.nexusUrl", "spike.trustRoot", "spike.workloadApiSocket"]);
    expect(manifest.contributes.languages[0]).toMatchObject({ id: "spike-policy", filenamePatterns: expect.arrayContaining(["*.policy.yaml"]) });
    const snippets = JSON.parse(readFileSync(join(root, manifest.contributes.snippets[0].path), "utf8"));
    expect(Object.keys(snippets)).toHaveLength(3);
  });
});
