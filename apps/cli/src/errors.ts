const brand: unique symbol = Symbol.for("@spike-ts/cli.error");

/**
 * What went wrong in the CLI layer, as a stable string.
 *
 * - `usage`: a bad command, flag or argument (exit 2).
 * - `invalid_input`: a value breaks a Nexus rule, refused before sending (exit 2).
 * - `yaml_invalid`: the policy file is not valid YAML or lacks a key (exit 2).
 * - `file_unreadable`: an input file could not be read (exit 2).
 * - `confirmation_required`: a destructive command needs `--yes` when stdin is not a terminal (exit 2).
 * - `not_found`: the secret, key or policy does not exist (exit 1).
 * - `already_exists`: `policy create` found a policy with that name (exit 1).
 * - `not_pilot`: the Workload API handed out an identity that is not the Pilot superuser (exit 1).
 * - `canceled`: the user answered no to a confirmation (exit 1).
 * - `output_failed`: writing the output file failed (exit 1).
 * - `doctor_failed`: at least one `spike doctor` check failed (exit 1).
 */
export type CliErrorCode =
  | "usage"
  | "invalid_input"
  | "yaml_invalid"
  | "file_unreadable"
  | "confirmation_required"
  | "not_found"
  | "already_exists"
  | "not_pilot"
  | "canceled"
  | "output_failed"
  | "doctor_failed";

const USAGE_CODES: ReadonlySet<CliErrorCode> = new Set([
  "usage",
  "invalid_input",
  "yaml_invalid",
  "file_unreadable",
  "confirmation_required",
]);

/**
 * The one error class of `@spike-ts/cli`. `exitCode` is 2 for usage errors (nothing was sent)
 * and 1 for operation failures. Messages start with `spike:` and never carry secret values.
 */
export class CliError extends Error {
  override name = "CliError";
  readonly [brand] = true;
  /** What went wrong. */
  readonly code: CliErrorCode;
  /** What the user should do next, when there is something specific. */
  readonly hint: string | undefined;
  /** The text printed after `Error: ` (Pilot's wording), when it differs from the message. */
  readonly summary: string | undefined;

  /** Makes an error; `hint` says what to do, `summary` is Pilot's one-line wording. */
  constructor(code: CliErrorCode, message: string, options?: ErrorOptions & { hint?: string; summary?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options?.hint;
    this.summary = options?.summary;
  }

  /** The process exit code for this error: 2 for usage errors, 1 otherwise. */
  get exitCode(): 1 | 2 {
    return USAGE_CODES.has(this.code) ? 2 : 1;
  }

  /** Whether `v` is a `CliError` (from any copy of this package), optionally with `code`, which then narrows `v.code`. */
  static is<C extends CliErrorCode = CliErrorCode>(v: unknown, code?: C): v is CliError & { readonly code: C } {
    return typeof v === "object" && v !== null && brand in v && (!code || (v as CliError).code === code);
  }
}

/** Shorthand for a usage error (exit 2). @internal */
export function usage(message: string, hint?: string): CliError {
  return new CliError("usage", `spike: ${message}`, hint === undefined ? undefined : { hint });
}
