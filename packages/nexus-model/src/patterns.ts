import { RE2JS } from "re2js";
import { quote, utf8Length } from "./bytes.js";
import { type RuleViolation, throwIf } from "./errors.js";
import { typeName } from "./secret-path.js";

/** Nexus's validator for `spiffeidPattern` (spike-sdk-go `validation`), as Go source text. */
export const SPIFFEID_PATTERN_REGEX_SOURCE = String.raw`^\^?spiffe://[\\a-zA-Z0-9.\-*()+?\[\]]+(/[\\/a-zA-Z0-9._\-*()+?\[\]]+)*\$?$`;

/** Nexus's validator for `pathPattern`, as Go source text. */
export const PATH_PATTERN_REGEX_SOURCE = String.raw`^[a-zA-Z0-9._\-/^$()?+*|[\]{}\\]+$`;

/** The longest path pattern Nexus accepts, in UTF-8 bytes. */
export const MAX_PATH_PATTERN_BYTES = 500;

const spiffeIdPatternRule = RE2JS.compile(SPIFFEID_PATTERN_REGEX_SOURCE);
const pathPatternRule = RE2JS.compile(PATH_PATTERN_REGEX_SOURCE);

/**
 * Checks a policy's SPIFFE ID pattern against Nexus's input rule (not yet the
 * RE2 compile): it must start with `spiffe://`, after at most one `^`, may end
 * with one `$`, and may not contain `| { } , :` or spaces outside the scheme.
 * So `^spiffe://.*$` is accepted and a bare `.*` is not.
 */
export function validateSpiffeIdPattern(pattern: unknown): RuleViolation | undefined {
  if (typeof pattern !== "string") {
    return { code: "spiffeid_pattern_invalid", status: 400, message: `nexus-model: spiffeid pattern must be a string, got ${typeName(pattern)}` };
  }
  if (!spiffeIdPatternRule.matches(pattern)) {
    return {
      code: "spiffeid_pattern_invalid",
      status: 400,
      message: `nexus-model: spiffeid pattern ${quote(pattern)} is not accepted by nexus; it must look like ^spiffe://<trust domain>/<path>$ using letters, digits and . - _ * ( ) + ? [ ] \\ / (no | { } , : or spaces)`,
    };
  }
  return undefined;
}

/**
 * Checks a policy's path pattern against Nexus's input rule: 1–500 bytes of
 * letters, digits and `. _ - / ^ $ ( ) ? + * | [ ] { } \`.
 */
export function validatePathPattern(pattern: unknown): RuleViolation | undefined {
  if (typeof pattern !== "string") {
    return { code: "path_pattern_invalid", status: 400, message: `nexus-model: path pattern must be a string, got ${typeName(pattern)}` };
  }
  if (pattern.length === 0) {
    return { code: "path_pattern_invalid", status: 400, message: "nexus-model: path pattern is empty; give a regex such as ^apps/web/" };
  }
  const bytes = utf8Length(pattern);
  if (bytes > MAX_PATH_PATTERN_BYTES) {
    return { code: "path_pattern_invalid", status: 400, message: `nexus-model: path pattern is ${bytes} bytes; the limit is ${MAX_PATH_PATTERN_BYTES}` };
  }
  if (!pathPatternRule.matches(pattern)) {
    return {
      code: "path_pattern_invalid",
      status: 400,
      message: `nexus-model: path pattern ${quote(pattern)} is not accepted by nexus; only letters, digits and . _ - / ^ $ ( ) ? + * | [ ] { } \\ are allowed`,
    };
  }
  return undefined;
}

/** Throws `NexusModelError` (`spiffeid_pattern_invalid`) unless {@link validateSpiffeIdPattern} passes. */
export function assertSpiffeIdPattern(pattern: unknown): asserts pattern is string {
  throwIf(validateSpiffeIdPattern(pattern));
}

/** Throws `NexusModelError` (`path_pattern_invalid`) unless {@link validatePathPattern} passes. */
export function assertPathPattern(pattern: unknown): asserts pattern is string {
  throwIf(validatePathPattern(pattern));
}

/**
 * A regular expression compiled with RE2 (Go `regexp`) semantics, matched the
 * way Nexus matches: `test` is Go's unanchored `MatchString`.
 */
export interface Re2Pattern {
  /** The pattern as written. */
  readonly source: string;
  /** Whether the pattern matches somewhere in `input` (Go `MatchString`; no anchors are added). */
  test(input: string): boolean;
  /**
   * Whether the pattern matches all of `input` (the meaning of `^(?:source)$`), the full-match
   * form used by the reserved-path rule. It runs the pattern compiled alone with both ends
   * anchored by the engine, so the pattern's own syntax (an unterminated `\Q`, a trailing `\`)
   * can never swallow or break the anchors.
   */
  testFull(input: string): boolean;
}

/**
 * Compiles `pattern` as a Go RE2 regex. Returns the violation Nexus would
 * answer with (`regex_invalid`, status 500) when it does not compile, for
 * example `\1`, `a**` or an unbalanced `(`.
 */
export function compileRe2(pattern: string): Re2Pattern | RuleViolation {
  const hit = cache.get(pattern);
  if (hit) return hit;
  const out = compileUncached(pattern);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(pattern, out);
  return out;
}

const CACHE_LIMIT = 512;
/** Compiled patterns by source (compiled regexes are immutable, so sharing them is safe). */
const cache = new Map<string, Re2Pattern | RuleViolation>();

function compileUncached(pattern: string): Re2Pattern | RuleViolation {
  try {
    const re = RE2JS.compile(pattern);
    // Not RE2JS.compile(`^(?:${pattern})$`): `\Qabc` quotes to the end of the pattern in RE2, so
    // the text around it would become part of the quote. matches() anchors both ends in the
    // engine (leftmost-first semantics, so `a|ab` fully matches "ab", as the wrapped form does).
    return Object.freeze({
      source: pattern,
      test: (input: string) => re.test(input),
      testFull: (input: string) => re.matches(input),
    });
  } catch (e) {
    const detail = e instanceof Error ? e.message.replace(/^error parsing regexp: /, "") : String(e);
    return Object.freeze({
      code: "regex_invalid",
      status: 500,
      message: `nexus-model: ${quote(pattern)} is not a valid go re2 regex (${detail}); nexus answers 500 for it`,
    } as const);
  }
}

/** Whether a {@link compileRe2} result is a violation. */
export function isRuleViolation(v: unknown): v is RuleViolation {
  return typeof v === "object" && v !== null && "code" in v && "status" in v && "message" in v && !("test" in v);
}

/** One construct whose meaning differs between RE2 (Nexus) and JavaScript `RegExp`. */
export interface RegexDialectNote {
  /** Index in the pattern where the construct starts. */
  readonly index: number;
  /** The construct as written, e.g. `(?i)`. */
  readonly construct: string;
  /** What RE2 does with it and what JavaScript would do instead. */
  readonly note: string;
}

const dialectChecks: ReadonlyArray<{ re: RegExp; note: string }> = [
  { re: /\(\?[imsU-]+[):]/g, note: "inline flags: re2 accepts them; javascript RegExp throws" },
  { re: /\\Q/g, note: "\\Q…\\E quotes literal text in re2; javascript has no such escape" },
  { re: /\\[Az]/g, note: "\\A and \\z anchor to the text in re2; in javascript they are plain letters or invalid" },
  { re: /\\[pP](?:\{[^}]*\}|[A-Za-z])/g, note: "\\p unicode classes work in re2 without flags; javascript needs the u flag" },
  { re: /\\[1-9]/g, note: "backreference: re2 refuses it (nexus answers 500); javascript treats it as a backreference or octal" },
  { re: /\[\[:[a-z]+:\]\]/g, note: "POSIX class: re2 understands it; javascript reads it as a plain character class" },
  { re: /\(\?P</g, note: "(?P<name>…) named group: re2 accepts it; javascript throws" },
  { re: /\\C/g, note: "\\C (any byte) exists only in C++ re2; go re2 refuses it (nexus answers 500)" },
  { re: /\\x\{/g, note: "\\x{…} hex escape is re2-only without the u flag" },
];

/**
 * Lists the constructs in `pattern` that RE2 and JavaScript read differently,
 * for editors and for anyone tempted to match policies with `RegExp`.
 */
export function findRegexDialectNotes(pattern: string): RegexDialectNote[] {
  const out: RegexDialectNote[] = [];
  for (const { re, note } of dialectChecks) {
    re.lastIndex = 0;
    for (const m of pattern.matchAll(re)) {
      // skip escaped backslashes: "\\1" is a literal backslash then "1"
      let slashes = 0;
      for (let i = m.index - 1; i >= 0 && pattern[i] === "\\"; i--) slashes++;
      if (slashes % 2 === 1) continue;
      out.push({ index: m.index, construct: m[0], note });
    }
  }
  return out.sort((a, b) => a.index - b.index);
}
