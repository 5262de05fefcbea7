import { childrenOf, findCommand, GLOBAL_FLAGS } from "./args.js";
import type { FlagSpec } from "./command-spec.js";
import { COMMANDS, GROUPS } from "./commands.js";

function flagLines(flags: Readonly<Record<string, FlagSpec>>): string[] {
  const rows = Object.entries(flags)
    .filter(([, f]) => !f.hidden)
    .map(([name, f]) => {
      const left = `${f.short ? `-${f.short}, ` : "    "}--${name}${f.type === "string" ? ` <${f.valueName ?? "value"}>` : ""}`;
      return [left, f.description] as const;
    });
  const width = Math.max(...rows.map(([l]) => l.length));
  return rows.map(([l, d]) => `  ${l.padEnd(width)}  ${d}`);
}

const ENVIRONMENT = [
  "Environment:",
  "  SPIFFE_ENDPOINT_SOCKET       Workload API address (default unix:///tmp/spire-agent/public/api.sock)",
  "  SPIKE_NEXUS_API_URL          Nexus URL (alias SPIKE_NEXUS_URL; default https://localhost:8553)",
  "  SPIKE_TRUST_ROOT_NEXUS       trust domains accepted for the Nexus server ID (default spike.ist)",
  "  SPIKE_TRUST_ROOT_PILOT       trust domains of the Pilot superuser ID (default spike.ist)",
  "  SPIKE_SPIFFE_SOURCE_TIMEOUT  how long to wait for the SVID, a Go duration (default 30s)",
];

const EXIT_CODES = ["Exit codes:", "  0  success", "  1  the operation failed (Nexus, Workload API, not found, ...)", "  2  usage error: bad command, flag, argument, path or YAML; nothing was sent"];

/**
 * The help text for `spike`, a group (`secret`, `policy`, ...) or a command, with usage,
 * flags and examples. `words` that name nothing give the root help.
 */
export function renderHelp(words: readonly string[]): string {
  const spec = findCommand(words);
  if (spec) {
    const lines = [
      `${spec.summary[0]?.toUpperCase() ?? ""}${spec.summary.slice(1)}.`,
      "",
      "Usage:",
      `  spike ${spec.path.join(" ")}${spec.args ? ` ${spec.args}` : ""} [flags]`,
      ...(spec.details ? ["", ...spec.details] : []),
      "",
      "Flags:",
      ...flagLines({ ...spec.flags, ...GLOBAL_FLAGS }),
      "",
      "Examples:",
      ...spec.examples.map((e) => `  ${e}`),
      "",
    ];
    return lines.join("\n");
  }
  const group = GROUPS.find((g) => g.path.length === words.length && g.path.every((w, i) => words[i] === w));
  const path = group ? group.path : [];
  const children = childrenOf(path);
  const rows = children.map((child) => {
    const sub = [...path, child];
    const leaf = findCommand(sub);
    const g = GROUPS.find((x) => x.path.length === sub.length && x.path.every((w, i) => sub[i] === w));
    return [child, leaf?.summary ?? g?.summary ?? ""] as const;
  });
  const width = Math.max(...rows.map(([c]) => c.length));
  const examples = COMMANDS.filter((c) => path.every((w, i) => c.path[i] === w))
    .slice(0, path.length === 0 ? 6 : 4)
    .map((c) => `  ${c.examples[0] ?? ""}`);
  const lines = [
    path.length === 0
      ? "spike: the SPIKE Pilot command line for secrets, policies and the cipher, over SPIFFE mTLS."
      : `spike ${path.join(" ")}: ${group?.summary ?? ""}.`,
    "",
    "Usage:",
    `  spike ${path.length ? `${path.join(" ")} ` : ""}<command> [flags]`,
    "",
    "Commands:",
    ...rows.map(([c, s]) => `  ${c.padEnd(width)}  ${s}`),
    "",
    "Flags:",
    ...flagLines(GLOBAL_FLAGS),
    "",
    "Examples:",
    ...examples,
    "",
    ...(path.length === 0 ? [...ENVIRONMENT, "", ...EXIT_CODES, ""] : []),
    `Run 'spike ${path.length ? `${path.join(" ")} ` : ""}<command> --help' for a command's flags and examples.`,
    "",
  ];
  return lines.join("\n");
}
