import { parseArgs } from "node:util";
import type { CommandSpec, FlagSpec } from "./command-spec.js";
import { COMMANDS, GROUPS } from "./commands.js";
import { usage } from "./errors.js";
import { closestWord } from "./suggest.js";

/** The flags every command takes. */
export const GLOBAL_FLAGS: Readonly<Record<string, FlagSpec>> = {
  json: { type: "boolean", description: "print a JSON document for scripts (errors too, on stderr)" },
  help: { type: "boolean", short: "h", description: "show help for the command" },
};

/** What the command line asks for. */
export type ParsedCommandLine =
  | {
      /** Print help for `path` (a group, a command, or the root). */
      readonly kind: "help";
      /** The command words the help is for. */
      readonly path: readonly string[];
      /** Whether `--json` was given. */
      readonly json: boolean;
    }
  | {
      /** Run a command. */
      readonly kind: "run";
      /** The command. */
      readonly spec: CommandSpec;
      /** Flag values by long name (strings and booleans as given). */
      readonly flags: Readonly<Record<string, string | boolean | undefined>>;
      /** Positional arguments after the command words. */
      readonly args: readonly string[];
      /** Whether `--json` was given. */
      readonly json: boolean;
    };

function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((w, i) => w === b[i]);
}

function isPrefix(words: readonly string[]): boolean {
  return COMMANDS.some((c) => words.length <= c.path.length && words.every((w, i) => c.path[i] === w));
}

/** The leaf command with exactly these words, if any. */
export function findCommand(words: readonly string[]): CommandSpec | undefined {
  return COMMANDS.find((c) => same(c.path, words));
}

/** Whether `words` names a group (or the root, for no words). */
export function isGroup(words: readonly string[]): boolean {
  return words.length === 0 || GROUPS.some((g) => same(g.path, words));
}

/** The sub-command words that can follow `words`. */
export function childrenOf(words: readonly string[]): string[] {
  const out = new Set<string>();
  for (const c of COMMANDS) {
    if (c.path.length > words.length && words.every((w, i) => c.path[i] === w)) out.add(c.path[words.length] as string);
  }
  return [...out];
}

function helpHint(words: readonly string[]): string {
  return `run 'spike ${[...words, "--help"].join(" ")}' to see the usage`;
}

function checkFlagTokens(words: readonly string[], rest: readonly string[], flags: Readonly<Record<string, FlagSpec>>): void {
  const shorts = new Map<string, string>();
  for (const [name, f] of Object.entries(flags)) if (f.short) shorts.set(f.short, name);
  for (let i = 0; i < rest.length; i++) {
    const t = rest[i] as string;
    if (t === "--") return;
    if (t.startsWith("--")) {
      // Only the name before '=' is ever quoted: the value may be a secret typed in the wrong place.
      const name = t.slice(2).split("=")[0] as string;
      const spec = flags[name];
      if (!spec) throw usage(`unknown flag --${name} for 'spike ${words.join(" ")}'`, helpHint(words));
      if (spec.type === "string" && !t.includes("=")) i++;
    } else if (t.startsWith("-") && t.length > 1) {
      const letter = t[1] as string;
      const name = shorts.get(letter);
      if (!name) throw usage(`unknown flag -${letter} for 'spike ${words.join(" ")}'`, helpHint(words));
      if ((flags[name] as FlagSpec).type === "string" && t.length === 2) i++;
    }
  }
}

/**
 * Parses `spike` arguments (without `node` and the script) into a command and its flags.
 * Throws `CliError` `usage` for an unknown command or flag, a missing flag value or a wrong
 * number of arguments. Flag values are never quoted in messages.
 */
export function parseCommandLine(argv: readonly string[]): ParsedCommandLine {
  const words: string[] = [];
  let i = 0;
  let json = false;
  let help = false;
  for (; i < argv.length; i++) {
    const t = argv[i] as string;
    if (t === "--json") {
      json = true;
      continue;
    }
    if (t === "--help" || t === "-h") {
      help = true;
      continue;
    }
    if (words.length === 0 && t === "--version") {
      words.push("version");
      continue;
    }
    if (t.startsWith("-")) break;
    if (words.length === 0 && t === "help") {
      help = true;
      continue;
    }
    if (findCommand(words) || !isPrefix([...words, t])) break;
    words.push(t);
  }
  const rest = argv.slice(i);
  const spec = findCommand(words);
  if (!spec) {
    const next = rest[0];
    if (help && (next === undefined || next.startsWith("-"))) return { kind: "help", path: words, json };
    if (next !== undefined && !next.startsWith("-")) {
      const where = words.length === 0 ? "spike" : `spike ${words.join(" ")}`;
      const children = childrenOf(words);
      const guess = closestWord(next, children);
      throw usage(
        `unknown command '${next}' for '${where}'; ${guess === undefined ? "" : `did you mean ${guess}? `}expected one of: ${children.join(", ")}`,
        helpHint(words),
      );
    }
    if (words.length === 0 && rest.length === 0) return { kind: "help", path: [], json };
    if (next !== undefined) throw usage(`unknown flag ${next.split("=")[0] as string} for '${["spike", ...words].join(" ")}'`, helpHint(words));
    throw usage(`'spike ${words.join(" ")}' needs a sub-command: ${childrenOf(words).join(", ")}`, helpHint(words));
  }
  const flags = { ...spec.flags, ...GLOBAL_FLAGS };
  checkFlagTokens(spec.path, rest, flags);
  let parsed: { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...rest],
      options: Object.fromEntries(
        Object.entries(flags).map(([name, f]) => [name, f.short ? { type: f.type, short: f.short } : { type: f.type }]),
      ),
      strict: true,
      allowPositionals: true,
    });
  } catch (e) {
    const code = (e as { code?: string }).code ?? "";
    const message = code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" ? (e as Error).message.replace(/\.$/, "").toLowerCase() : "the flags could not be parsed";
    throw usage(`${message} ('spike ${spec.path.join(" ")}')`, helpHint(spec.path));
  }
  const values: Record<string, string | boolean | undefined> = {};
  for (const [k, v] of Object.entries(parsed.values)) values[k] = Array.isArray(v) ? v[v.length - 1] : v;
  if (values["json"] === true) json = true;
  if (values["help"] === true || help) return { kind: "help", path: spec.path, json };
  const [min, max] = spec.positionals;
  const n = parsed.positionals.length;
  if (n < min || n > max) {
    const want = max === 0 ? "no arguments" : min === max ? `${min} argument${min === 1 ? "" : "s"}` : max === Infinity ? `at least ${min} arguments` : `${min} to ${max} arguments`;
    throw usage(`'spike ${spec.path.join(" ")}' takes ${want}${spec.args ? ` (${spec.args})` : ""}, got ${n}`, helpHint(spec.path));
  }
  delete values["json"];
  delete values["help"];
  return { kind: "run", spec, flags: values, args: parsed.positionals, json };
}

/** Output formats of data commands. */
export type OutputFormat = "human" | "json" | "yaml";

/**
 * Resolves Pilot's `--format`/`-f` value (`human`/`h`/`plain`/`p`/empty, `json`/`j`,
 * `yaml`/`y`, any case) together with `--json`. Throws `CliError` `usage` for anything else
 * or for `--json` with a non-JSON format.
 */
export function resolveFormat(value: string | boolean | undefined, json: boolean): OutputFormat {
  let f: OutputFormat = "human";
  if (typeof value === "string") {
    const v = value.trim().toLowerCase();
    if (v === "" || v === "human" || v === "h" || v === "plain" || v === "p") f = "human";
    else if (v === "json" || v === "j") f = "json";
    else if (v === "yaml" || v === "y") f = "yaml";
    else throw usage(`--format must be human, json or yaml (or h, plain, p, j, y), got ${JSON.stringify(value)}`);
  }
  if (json) {
    if (typeof value === "string" && f !== "json") throw usage(`--json conflicts with --format ${value}; give one of them`);
    return "json";
  }
  return f;
}

/**
 * Parses a non-negative integer flag such as `--version 2` (`0` means current). Throws
 * `CliError` `usage` naming the flag.
 */
export function parseVersion(value: string | boolean | undefined, flag: string): number | undefined {
  if (value === undefined || typeof value === "boolean") return undefined;
  const v = value.trim();
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw usage(`--${flag} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return Number(v);
}

/**
 * Parses Pilot's `--versions` comma list (`"1,2"`, `"0"` for current). Empty items are
 * refused; duplicates are kept once, in order. Throws `CliError` `usage`.
 */
export function parseVersionList(value: string | boolean | undefined, flag = "versions"): number[] {
  if (value === undefined || typeof value === "boolean") return [0];
  const items = value.split(",").map((s) => s.trim());
  const out: number[] = [];
  for (const item of items) {
    if (!/^\d+$/.test(item) || !Number.isSafeInteger(Number(item))) {
      throw usage(`--${flag} must be a comma list of non-negative integers such as 1,2, got ${JSON.stringify(value)}`);
    }
    const n = Number(item);
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

/**
 * Splits `key=value` arguments at the first `=`. Throws `CliError` `usage` for an argument
 * without `=` or with an empty key, naming its position and never its text (it may be a
 * secret typed in the wrong place). A key given twice keeps the last value.
 */
export function parseKeyValuePairs(pairs: readonly string[], firstPosition = 2): Record<string, string> {
  const out: Record<string, string> = {};
  pairs.forEach((pair, i) => {
    const eq = pair.indexOf("=");
    if (eq <= 0) {
      throw usage(
        `argument ${i + firstPosition} is not a key=value pair${eq === 0 ? " (the key is empty)" : ""}; its text is not shown in case it is a secret`,
        "write each pair as key=value, for example password=s3cr3t",
      );
    }
    Object.defineProperty(out, pair.slice(0, eq), { value: pair.slice(eq + 1), enumerable: true, writable: true, configurable: true });
  });
  return out;
}
