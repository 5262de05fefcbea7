import { isMap, isScalar, isSeq, parseAllDocuments } from "yaml";
import { CliError } from "./errors.js";

/** A policy as written in a Pilot policy file, before the Nexus rules are checked. */
export interface PolicyFile {
  /** `name`. */
  readonly name: string;
  /** `spiffeidPattern`. */
  readonly spiffeIdPattern: string;
  /** `pathPattern`. */
  readonly pathPattern: string;
  /** `permissions`, a YAML list. */
  readonly permissions: readonly string[];
}

const KEYS = ["name", "spiffeidPattern", "pathPattern", "permissions"] as const;

function bad(source: string, message: string, line?: number): CliError {
  return new CliError("yaml_invalid", `spike: ${source}${line === undefined ? "" : `:${line}`}: ${message}`, {
    summary: "Error reading policy file.",
    hint: "the file needs the keys name, spiffeidPattern, pathPattern (strings) and permissions (a list); see 'spike policy apply --help'",
  });
}

function lineOf(text: string, offset: number | undefined): number | undefined {
  if (offset === undefined) return undefined;
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Parses a Pilot policy YAML file (`name`, `spiffeidPattern`, `pathPattern`, `permissions`
 * list). Throws `CliError` `yaml_invalid` with the file name and line for bad YAML, several
 * documents, a missing or mistyped key, or an unknown key (usually a misspelling such as
 * `spiffeIdPattern`). The Nexus rules themselves are checked by the caller.
 */
export function parsePolicyYaml(text: string, source = "policy file"): PolicyFile {
  const docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true });
  if (!Array.isArray(docs)) throw bad(source, "the file is empty");
  const real = docs.filter((d) => d.contents !== null || d.errors.length > 0);
  if (real.length === 0) throw bad(source, "the file is empty");
  if (real.length > 1) throw bad(source, `the file holds ${real.length} YAML documents; put one policy in each file`);
  const doc = real[0]!;
  const err = doc.errors[0];
  if (err) {
    const line = err.linePos?.[0]?.line ?? lineOf(text, err.pos[0]);
    throw bad(source, `not valid YAML: ${err.message.split("\n")[0]?.replace(/\s+at line \d+, column \d+:?$/, "")}`, line);
  }
  const root = doc.contents;
  if (!isMap(root)) throw bad(source, "the top level must be a mapping of name, spiffeidPattern, pathPattern and permissions");
  const found = new Map<string, { value: unknown; line: number | undefined }>();
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? pair.key.value : undefined;
    const line = lineOf(text, isScalar(pair.key) ? pair.key.range?.[0] : undefined);
    if (typeof key !== "string") throw bad(source, "every key must be a plain string", line);
    if (!(KEYS as readonly string[]).includes(key)) {
      const guess = KEYS.find((k) => k.toLowerCase() === key.toLowerCase());
      throw bad(source, `unknown key ${JSON.stringify(key)}${guess ? `; did you mean ${guess}?` : `; the keys are ${KEYS.join(", ")}`}`, line);
    }
    found.set(key, { value: pair.value, line });
  }
  const missing = KEYS.filter((k) => !found.has(k));
  if (missing.length > 0) throw bad(source, `missing ${missing.map((k) => `'${k}'`).join(", ")}`);
  const str = (key: (typeof KEYS)[number]): string => {
    const { value, line } = found.get(key)!;
    if (!isScalar(value) || typeof value.value !== "string") {
      const got = isScalar(value) ? (value.value === null ? "empty" : typeof value.value) : isSeq(value) ? "a list" : isMap(value) ? "a mapping" : "empty";
      throw bad(source, `'${key}' must be a string, got ${got}`, line);
    }
    if (value.value.trim() === "") throw bad(source, `'${key}' is empty`, line);
    return value.value;
  };
  const name = str("name");
  const spiffeIdPattern = str("spiffeidPattern");
  const pathPattern = str("pathPattern");
  const perms = found.get("permissions")!;
  if (!isSeq(perms.value)) {
    throw bad(source, "'permissions' must be a YAML list, for example:\n  permissions:\n    - read\n    - write", perms.line);
  }
  const permissions = perms.value.items.map((item) => {
    if (!isScalar(item) || typeof item.value !== "string") throw bad(source, "every item of 'permissions' must be a string", perms.line);
    return item.value.trim();
  });
  return { name, spiffeIdPattern, pathPattern, permissions };
}
