import type { CommandSpec, FlagSpec, GroupSpec } from "./command-spec.js";

const format: FlagSpec = {
  type: "string",
  short: "f",
  valueName: "human|json|yaml",
  description: "output format: human (also h, plain, p), json (j) or yaml (y); default human",
};

/** The command groups, for `spike --help` and `spike <group> --help`. */
export const GROUPS: readonly GroupSpec[] = [
  { path: ["secret"], summary: "put, read, list, delete and undelete secrets" },
  { path: ["secret", "metadata"], summary: "read a secret's versions and metadata (never its values)" },
  { path: ["policy"], summary: "create, apply, list, read and delete access policies" },
  { path: ["cipher"], summary: "encrypt and decrypt data with Nexus's key" },
];

/** A string flag: `--name <valueName>`, with an optional one-letter alias. */
function flag(short: string | undefined, valueName: string, description: string): FlagSpec {
  return short === undefined ? { type: "string", valueName, description } : { type: "string", short, valueName, description };
}

/** The help and flags of a command besides its words, arguments and summary. */
interface CommandHelp {
  readonly flags?: Readonly<Record<string, FlagSpec>>;
  readonly details?: readonly string[];
  readonly examples: readonly string[];
}

/** One leaf command: `words` is the command line after `spike` (`"secret put"`). */
function command(words: string, args: string, positionals: readonly [number, number], summary: string, help: CommandHelp): CommandSpec {
  return {
    path: words.split(" "),
    summary,
    args,
    positionals,
    flags: help.flags ?? {},
    ...(help.details === undefined ? {} : { details: help.details }),
    examples: help.examples,
  };
}

/** Every leaf command of `spike`, with its flags and help. */
export const COMMANDS: readonly CommandSpec[] = [
  command("secret put", "<path> <key=value>...", [2, Infinity], "store key=value pairs as a new version of the secret at <path>", {
    details: ["The pairs replace the whole secret: nothing is merged with the previous version.", "Each pair is split at the first '=', so values may contain '='. Keys are 1-250 letters,", "digits, '-', '_' or space (no dots). Values are never printed."],
    examples: ["spike secret put tenants/demo/db username=app password=s3cr3t", "spike secret put apps/web/token value=a=b=c"],
  }),
  command("secret get", "<path> [key]", [1, 2], "print the secret at <path>, or only one key of it", {
    flags: { version: flag("v", "n", "read this version (default 0: the current one)"), format },
    details: ["This is the only command that prints secret values."],
    examples: ["spike secret get tenants/demo/db", "spike secret get tenants/demo/db password", "spike secret get tenants/demo/db --version 1 -f json"],
  }),
  command("secret list", "", [0, 0], "list every secret path", {
    flags: { format },
    examples: ["spike secret list", "spike secret list -f json"],
  }),
  command("secret delete", "<path>", [1, 1], "soft-delete versions of the secret at <path>", {
    flags: { versions: flag("v", "n,n...", "versions to delete (default: the current one; 0 also means current)") },
    examples: ["spike secret delete tenants/demo/db", "spike secret delete tenants/demo/db --versions 1,2"],
  }),
  command("secret undelete", "<path>", [1, 1], "restore soft-deleted versions of the secret at <path>", {
    flags: { versions: flag("v", "n,n...", "versions to restore (0 means the current one)") },
    details: ["Without --versions, Nexus restores the current version or, when every version is deleted,", "the highest deleted one, so 'delete' then 'undelete' undoes the delete. When other versions", "are still live, name the deleted version: the current one is live and Nexus answers not found."],
    examples: ["spike secret undelete tenants/demo/db --versions 3", "spike secret undelete tenants/demo/db -v 1,2"],
  }),
  command("secret metadata get", "<path>", [1, 1], "print the versions and metadata of the secret at <path>", {
    flags: { version: flag("v", "n", "this version must exist and be live (default 0: the current one)"), format },
    examples: ["spike secret metadata get tenants/demo/db", "spike secret metadata get tenants/demo/db -f json"],
  }),
  command("policy create", "[name]", [0, 1], "create a policy (refused when the name exists; use apply to replace)", {
    flags: { name: flag(undefined, "name", "policy name (or give it as the argument)"), "spiffeid-pattern": flag(undefined, "regex", "RE2 regex matched against the caller's SPIFFE ID"), "spiffe-id-pattern": flag(undefined, "regex", "same as --spiffeid-pattern (the SDK guide's spelling)"), "path-pattern": flag(undefined, "regex", "RE2 regex matched against the secret path"), permissions: flag(undefined, "list", "comma list of read, write, list, execute, super") },
    details: ["Patterns match anywhere in the value unless anchored with ^ and $."],
    examples: ["spike policy create myapp-policy --spiffe-id-pattern 'spiffe://example\\.org/myapp' --path-pattern 'tenants/myapp/.*' --permissions read,write", "spike policy create --name web-read --spiffeid-pattern '^spiffe://example\\.org/web$' --path-pattern '^apps/web/' --permissions read"],
  }),
  command("policy apply", "", [0, 0], "create or replace a policy from a YAML file or flags", {
    flags: { file: flag(undefined, "policy.yaml", "YAML with name, spiffeidPattern, pathPattern and permissions"), name: flag(undefined, "name", "policy name (instead of --file)"), "spiffeid-pattern": flag(undefined, "regex", "RE2 regex matched against the caller's SPIFFE ID"), "spiffe-id-pattern": flag(undefined, "regex", "same as --spiffeid-pattern"), "path-pattern": flag(undefined, "regex", "RE2 regex matched against the secret path"), permissions: flag(undefined, "list", "comma list of read, write, list, execute, super") },
    details: ["The file (use '-' for stdin) looks like:", "  name: web-read", "  spiffeidPattern: ^spiffe://example\\.org/web$", "  pathPattern: ^apps/web/.*$", "  permissions:", "    - read", "Leave patterns unquoted or single-quoted: in double quotes YAML rejects '\\.'."],
    examples: ["spike policy apply --file policy.yaml", "spike policy apply --name web-read --spiffeid-pattern '^spiffe://example\\.org/web$' --path-pattern '^apps/web/' --permissions read"],
  }),
  command("policy list", "", [0, 0], "list policies, optionally those with exactly this SPIFFE ID or path pattern", {
    flags: { "spiffeid-pattern": flag(undefined, "pattern", "keep policies whose SPIFFE ID pattern is exactly this string"), "path-pattern": flag(undefined, "pattern", "keep policies whose path pattern is exactly this string"), format },
    details: ["The filters compare strings exactly; they do not evaluate regexes. Give at most one."],
    examples: ["spike policy list", "spike policy list --path-pattern '^apps/web/' -f json"],
  }),
  command("policy get", "[name]", [0, 1], "print one policy", {
    flags: { name: flag(undefined, "name", "policy name (or give it as the argument)"), format },
    examples: ["spike policy get web-read", "spike policy get --name web-read -f yaml"],
  }),
  command("policy delete", "[name]", [0, 1], "delete one policy (asks for confirmation)", {
    flags: { name: flag(undefined, "name", "policy name (or give it as the argument)"), yes: { type: "boolean", short: "y", description: "do not ask for confirmation" } },
    details: ["On a terminal, spike asks 'Are you sure...? (y/N)'; only y or Y deletes.", "When stdin is not a terminal, spike never reads an answer from it: pass --yes, or", "the command fails with exit code 2 and deletes nothing."],
    examples: ["spike policy delete web-read", "spike policy delete --name web-read --yes"],
  }),
  command("cipher encrypt", "", [0, 0], "encrypt a file or stdin with Nexus's key", {
    flags: { file: flag("f", "path", "read the plaintext from this file (default stdin)"), out: flag("o", "path", "write the result to this file (default stdout)"), plaintext: flag(undefined, "base64", "JSON mode: the plaintext as standard base64"), algorithm: flag(undefined, "name", "JSON mode: sent for compatibility; Nexus ignores it") },
    details: ["Stream mode (default) writes the binary blob: version byte, 12-byte nonce, ciphertext.", "JSON mode (--plaintext, or --json) writes {\"version\":1,\"nonce\":b64,\"ciphertext\":b64},", "which 'cipher decrypt --version --nonce --ciphertext' accepts. Nexus takes at most 65536 bytes."],
    examples: ["spike cipher encrypt -f secret.txt -o secret.bin", "echo hello | spike cipher encrypt > hello.bin", "spike cipher encrypt --plaintext aGVsbG8="],
  }),
  command("cipher decrypt", "", [0, 0], "decrypt a blob made by 'spike cipher encrypt'", {
    flags: { file: flag("f", "path", "read the blob from this file (default stdin)"), out: flag("o", "path", "write the plaintext to this file (default stdout)"), version: flag(undefined, "n", "JSON mode: the cipher version (1)"), nonce: flag(undefined, "base64", "JSON mode: the 12-byte nonce"), ciphertext: flag(undefined, "base64", "JSON mode: the ciphertext with its tag"), algorithm: flag(undefined, "name", "JSON mode: sent for compatibility; Nexus ignores it") },
    details: ["Giving --version, --nonce or --ciphertext selects JSON mode; then all three are needed."],
    examples: ["spike cipher decrypt -f secret.bin -o secret.txt", "spike cipher decrypt < hello.bin", "spike cipher decrypt --version 1 --nonce <b64> --ciphertext <b64>"],
  }),
  command("doctor", "", [0, 0], "check the Workload API, the SVID, the bundle and the connection to Nexus", {
    flags: { timeout: flag(undefined, "duration", "limit for each network check, a Go duration (default 5s)") },
    details: ["Prints one line per check, OK or FAIL with what to do, and exits 1 if any check failed."],
    examples: ["spike doctor", "spike doctor --timeout 2s --json"],
  }),
  command("version", "", [0, 0], "print the version of spike", {
    examples: ["spike version"],
  }),
];
