/** One flag of a command, as `node:util` `parseArgs` sees it plus help text. */
export interface FlagSpec {
  /** `string` takes a value; `boolean` does not. */
  readonly type: "string" | "boolean";
  /** One-letter alias, without the dash. */
  readonly short?: string;
  /** The value's name in help (`--file <path>`). */
  readonly valueName?: string;
  /** One line for the help text. */
  readonly description: string;
  /** Hidden from help (kept for compatibility). */
  readonly hidden?: boolean;
}

/** A leaf command: its words, arguments, flags and help text. */
export interface CommandSpec {
  /** The command words, for example `["secret", "put"]`. */
  readonly path: readonly string[];
  /** One line: what the command does. */
  readonly summary: string;
  /** The arguments part of the usage line, for example `<path> <key=value>...`. */
  readonly args: string;
  /** Fewest and most positional arguments (`Infinity` for no limit). */
  readonly positionals: readonly [min: number, max: number];
  /** Flags besides the global `--json` and `--help`. */
  readonly flags: Readonly<Record<string, FlagSpec>>;
  /** More lines of help after the summary. */
  readonly details?: readonly string[];
  /** Example invocations, shown under "Examples". */
  readonly examples: readonly string[];
}

/** A command group (`secret`, `policy`, `cipher`, `secret metadata`) for help listings. */
export interface GroupSpec {
  /** The group's words. */
  readonly path: readonly string[];
  /** One line: what the group is for. */
  readonly summary: string;
}
