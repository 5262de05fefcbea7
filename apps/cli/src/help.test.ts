import { describe, expect, it } from "vitest";
import { COMMANDS, GROUPS } from "./commands.js";
import { renderHelp } from "./help.js";

describe("renderHelp", () => {
  it.each(COMMANDS.map((c) => [c.path.join(" "), c] as const))("documents 'spike %s' with usage, every flag and examples", (_name, spec) => {
    const text = renderHelp(spec.path);
    expect(text).toContain(`Usage:\n  spike ${spec.path.join(" ")}`);
    for (const [flag, f] of Object.entries(spec.flags)) {
      expect(text).toContain(`--${flag}`);
      if (f.short) expect(text).toContain(`-${f.short}, --${flag}`);
    }
    expect(text).toContain("--json");
    expect(spec.examples.length).toBeGreaterThan(0);
    for (const e of spec.examples) {
      expect(e).toContain(`spike ${spec.path.join(" ")}`);
      expect(text).toContain(`  ${e}\n`);
    }
  });

  it("lists each group's sub-commands", () => {
    expect(renderHelp(["secret"])).toMatch(/Commands:\n  put +store key=value pairs/);
    expect(renderHelp(["secret"])).toMatch(/\n  metadata +read a secret's versions/);
    for (const g of GROUPS) expect(renderHelp(g.path)).toContain(`spike ${g.path.join(" ")} <command> [flags]`);
  });

  it("puts the environment and exit codes in the root help", () => {
    const root = renderHelp([]);
    expect(root).toContain("SPIFFE_ENDPOINT_SOCKET");
    expect(root).toContain("  2  usage error: bad command, flag, argument, path or YAML; nothing was sent");
  });
});
