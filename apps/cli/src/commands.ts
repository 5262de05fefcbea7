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

/** Every leaf command of `spike`, with its flags and help. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    path: ["secret", "put"],
    summary: "store key=value pairs as a new version of the secret at <path>",
    args: "<path> <key=value>...",
    positionals: [2, Infinity],
    flags: {},
    details: [
      "The pairs replace the whole secret: nothing is merged with the previous version.",
      "Each pair is split at the first '=', so values may contain '='. Keys are 1-250 letters,",
      "digits, '-', '_' or space (no dots). Values are never printed.",
    ],
    examples: ["spike secret put tenants/demo/db username=app password=s3cr3t", "spike secret put apps/web/token value=a=b=c"],
  },
  {
    path: ["secret", "get"],
    summary: "print the secret at <path>, or only one key of it",
    args: "<path> [key]",
    positionals: [1, 2],
    flags: {
      version: { type: "string", short: "v", valueName: "n", description: "read this version (default 0: the current one)" },
      format,
    },
    details: ["This is the only command that prints secret values."],
    examples: ["spike secret get tenants/demo/db", "spike secret get tenants/demo/db password", "spike secret get tenants/demo/db --version 1 -f json"],
  },
  {
    path: ["secret", "list"],
    summary: "list every secret path",
    args: "",
    positionals: [0, 0],
    flags: { format },
    examples: ["spike secret list", "spike secret list -f json"],
  },
  {
    path: ["secret", "delete"],
    summary: "soft-delete versions of the secret at <path>",
    args: "<path>",
    positionals: [1, 1],
    flags: {
      versions: { type: "string", short: "v", valueName: "n,n...", description: "versions to delete (default: the current one; 0 also means current)" },
    },
    examples: ["spike secret delete tenants/demo/db", "spike secret delete tenants/demo/db --versions 1,2"],
  },
  {
    path: ["secret", "undelete"],
    summary: "restore soft-deleted versions of the secret at <path>",
    args: "<path>",
    positionals: [1, 1],
    flags: {
      versions: { type: "string", short: "v", valueName: "n,n...", description: "versions to restore (0 means the current one)" },
    },
    details: [
      "Without --versions, Nexus restores the current version or, when every version is deleted,",
      "the highest deleted one, so 'delete' then 'undelete' undoes the delete. When other versions",
      "are still live, name the deleted version: the current one is live and Nexus answers not found.",
    ],
    examples: ["spike secret undelete tenants/demo/db --versions 3", "spike secret undelete tenants/demo/db -v 1,2"],
  },
  {
    path: ["secret", "metadata", "get"],
    summary: "print the versions and metadata of the secret at <path>",
    args: "<path>",
    positionals: [1, 1],
    flags: {
      version: { type: "string", short: "v", valueName: "n", description: "this version must exist and be live (default 0: the current one)" },
      format,
    },
    examples: ["spike secret metadata get tenants/demo/db", "spike secret metadata get tenants/demo/db -f json"],
  },
  {
    path: ["policy", "create"],
    summary: "create a policy (refused when the name exists; use apply to replace)",
    args: "[name]",
    positionals: [0, 1],
    flags: {
      name: { type: "string", valueName: "name", description: "policy name (or give it as the argument)" },
      "spiffeid-pattern": { type: "string", valueName: "regex", description: "RE2 regex matched against the caller's SPIFFE ID" },
      "spiffe-id-pattern": { type: "string", valueName: "regex", description: "same as --spiffeid-pattern (the SDK guide's spelling)" },
      "path-pattern": { type: "string", valueName: "regex", description: "RE2 regex matched against the secret path" },
      permissions: { type: "string", valueName: "list", description: "comma list of read, write, list, execute, super" },
    },
    details: ["Patterns match anywhere in the value unless anchored with ^ and $."],
    examples: [
      "spike policy create myapp-policy --spiffe-id-pattern 'spiffe://example\\.org/myapp' --path-pattern 'tenants/myapp/.*' --permissions read,write",
      "spike policy create --name web-read --spiffeid-pattern '^spiffe://example\\.org/web$' --path-pattern '^apps/web/' --permissions read",
    ],
  },
  {
    path: ["policy", "apply"],
    summary: "create or replace a policy from a YAML file or flags",
    args: "",
    positionals: [0, 0],
    flags: {
      file: { type: "string", valueName: "policy.yaml", description: "YAML with name, spiffeidPattern, pathPattern and permissions" },
      name: { type: "string", valueName: "name", description: "policy name (instead of --file)" },
      "spiffeid-pattern": { type: "string", valueName: "regex", description: "RE2 regex matched against the caller's SPIFFE ID" },
      "spiffe-id-pattern": { type: "string", valueName: "regex", description: "same as --spiffeid-pattern" },
      "path-pattern": { type: "string", valueName: "regex", description: "RE2 regex matched against the secret path" },
      permissions: { type: "string", valueName: "list", description: "comma list of read, write, list, execute, super" },
    },
    details: [
      "The file (use '-' for stdin) looks like:",
      "  name: web-read",
      "  spiffeidPattern: ^spiffe://example\\.org/web$",
      "  pathPattern: ^apps/web/.*$",
      "  permissions:",
      "    - read",
      "Leave patterns unquoted or single-quoted: in double quotes YAML rejects '\\.'.",
    ],
    examples: ["spike policy apply --file policy.yaml", "spike policy apply --name web-read --spiffeid-pattern '^spiffe://example\\.org/web$' --path-pattern '^apps/web/' --permissions read"],
  },
  {
    path: ["policy", "list"],
    summary: "list policies, optionally those with exactly this SPIFFE ID or path pattern",
    args: "",
    positionals: [0, 0],
    flags: {
      "spiffeid-pattern": { type: "string", valueName: "pattern", description: "keep policies whose SPIFFE ID pattern is exactly this string" },
      "path-pattern": { type: "string", valueName: "pattern", description: "keep policies whose path pattern is exactly this string" },
      format,
    },
    details: ["The filters compare strings exactly; they do not evaluate regexes. Give at most one."],
    examples: ["spike policy list", "spike policy list --path-pattern '^apps/web/' -f json"],
  },
  {
    path: ["policy", "get"],
    summary: "print one policy",
    args: "[name]",
    positionals: [0, 1],
    flags: { name: { type: "string", valueName: "name", description: "policy name (or give it as the argument)" }, format },
    examples: ["spike policy get web-read", "spike policy get --name web-read -f yaml"],
  },
  {
    path: ["policy", "delete"],
    summary: "delete one policy (asks for confirmation)",
    args: "[name]",
    positionals: [0, 1],
    flags: {
      name: { type: "string", valueName: "name", description: "policy name (or give it as the argument)" },
      yes: { type: "boolean", short: "y", description: "do not ask for confirmation" },
    },
    details: [
      "On a terminal, spike asks 'Are you sure...? (y/N)'; only y or Y deletes.",
      "When stdin is not a terminal, spike never reads an answer from it: pass --yes, or",
      "the command fails with exit code 2 and deletes nothing.",
    ],
    examples: ["spike policy delete web-read", "spike policy delete --name web-read --yes"],
  },
  {
    path: ["cipher", "encrypt"],
    summary: "encrypt a file or stdin with Nexus's key",
    args: "",
    positionals: [0, 0],
    flags: {
      file: { type: "string", short: "f", valueName: "path", description: "read the plaintext from this file (default stdin)" },
      out: { type: "string", short: "o", valueName: "path", description: "write the result to this file (default stdout)" },
      plaintext: { type: "string", valueName: "base64", description: "JSON mode: the plaintext as standard base64" },
      algorithm: { type: "string", valueName: "name", description: "JSON mode: sent for compatibility; Nexus ignores it" },
    },
    details: [
      "Stream mode (default) writes the binary blob: version byte, 12-byte nonce, ciphertext.",
      "JSON mode (--plaintext, or --json) writes {\"version\":1,\"nonce\":b64,\"ciphertext\":b64},",
      "which 'cipher decrypt --version --nonce --ciphertext' accepts. Nexus takes at most 65536 bytes.",
    ],
    examples: ["spike cipher encrypt -f secret.txt -o secret.bin", "echo hello | spike cipher encrypt > hello.bin", "spike cipher encrypt --plaintext aGVsbG8="],
  },
  {
    path: ["cipher", "decrypt"],
    summary: "decrypt a blob made by 'spike cipher encrypt'",
    args: "",
    positionals: [0, 0],
    flags: {
      file: { type: "string", short: "f", valueName: "path", description: "read the blob from this file (default stdin)" },
      out: { type: "string", short: "o", valueName: "path", description: "write the plaintext to this file (default stdout)" },
      version: { type: "string", valueName: "n", description: "JSON mode: the cipher version (1)" },
      nonce: { type: "string", valueName: "base64", description: "JSON mode: the 12-byte nonce" },
      ciphertext: { type: "string", valueName: "base64", description: "JSON mode: the ciphertext with its tag" },
      algorithm: { type: "string", valueName: "name", description: "JSON mode: sent for compatibility; Nexus ignores it" },
    },
    details: ["Giving --version, --nonce or --ciphertext selects JSON mode; then all three are needed."],
    examples: ["spike cipher decrypt -f secret.bin -o secret.txt", "spike cipher decrypt < hello.bin", "spike cipher decrypt --version 1 --nonce <b64> --ciphertext <b64>"],
  },
  {
    path: ["doctor"],
    summary: "check the Workload API, the SVID, the bundle and the connection to Nexus",
    args: "",
    positionals: [0, 0],
    flags: {
      timeout: { type: "string", valueName: "duration", description: "limit for each network check, a Go duration (default 5s)" },
    },
    details: ["Prints one line per check, OK or FAIL with what to do, and exits 1 if any check failed."],
    examples: ["spike doctor", "spike doctor --timeout 2s --json"],
  },
  {
    path: ["version"],
    summary: "print the version of spike",
    args: "",
    positionals: [0, 0],
    flags: {},
    examples: ["spike version"],
  },
];
