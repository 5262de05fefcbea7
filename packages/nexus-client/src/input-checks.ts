import {
  DEFAULT_MAX_CIPHER_BYTES,
  NexusModelError,
  type NexusOperation,
  type RuleViolation,
  validatePolicyName,
  validatePolicySpec,
  validateSecretPath,
  validateSecretValues,
} from "@spike-ts/nexus-model";
import { Readable } from "node:stream";
import { NexusError } from "./errors.js";

/** Turns a model rule violation into an `invalid_input` error. @internal */
export function refuse(operation: NexusOperation, v: RuleViolation, target?: string): NexusError {
  const note = v.status === 500 ? " (nexus would answer 500)" : "";
  return new NexusError("invalid_input", `${v.message.replace(/^nexus-model: /, "nexus: ")}${note}`, {
    operation,
    target,
    cause: NexusModelError.fromViolation(v),
  });
}

/** A plain `invalid_input` error. @internal */
export function invalid(operation: NexusOperation, message: string, target?: string): NexusError {
  return new NexusError("invalid_input", `nexus: ${message}`, { operation, target });
}

/** Checks that `value` is a string and, when `check` is on, passes the model rule `validate`. */
function checkName(
  operation: NexusOperation,
  what: string,
  value: unknown,
  validate: (v: string) => RuleViolation | undefined,
  check: boolean,
): string {
  if (typeof value !== "string") throw invalid(operation, `${what} must be a string, got ${value === null ? "null" : typeof value}`);
  if (check) {
    const v = validate(value);
    if (v) throw refuse(operation, v, value);
  }
  return value;
}

/** Checks a secret path (skipped when `check` is false, but the type must still be a string). @internal */
export function checkPath(operation: NexusOperation, path: unknown, check: boolean): string {
  return checkName(operation, "the secret path", path, validateSecretPath, check);
}

/** Checks a policy name (also the `id` of get/delete). @internal */
export function checkPolicyName(operation: NexusOperation, name: unknown, check: boolean): string {
  return checkName(operation, "the policy name", name, validatePolicyName, check);
}

/** Checks a version number: a non-negative integer (0 means current). @internal */
export function checkVersion(operation: NexusOperation, version: unknown, target: string): number {
  if (typeof version !== "number" || !Number.isSafeInteger(version) || version < 0) {
    throw invalid(operation, `version must be a non-negative integer (0 means current), got ${typeof version === "number" ? version : typeof version}`, target);
  }
  return version;
}

/** Checks a version list. @internal */
export function checkVersions(operation: NexusOperation, versions: unknown, target: string): number[] {
  if (versions === undefined) return [];
  if (!Array.isArray(versions)) throw invalid(operation, `versions must be an array of non-negative integers, got ${typeof versions}`, target);
  return versions.map((v) => checkVersion(operation, v, target));
}

const encoder = new TextEncoder();

/** Checks the values map of a put; values are never quoted. @internal */
export function checkValues(
  path: string,
  values: unknown,
  opts: { check: boolean; allowEmpty: boolean; maxValueBytes: number },
): Record<string, string> {
  const v = validateSecretValues(values);
  if (v && (opts.check || v.message.includes("must be"))) throw refuse("secret.put", v, path);
  const map = values as Record<string, string>;
  if (!opts.allowEmpty && Object.keys(map).length === 0) {
    throw invalid(
      "secret.put",
      `refusing to write an empty secret at ${path}: nexus would store a new version with no data and hide the current one; pass { allowEmpty: true } to do it anyway`,
      path,
    );
  }
  if (Number.isFinite(opts.maxValueBytes)) {
    for (const [k, value] of Object.entries(map)) {
      const n = encoder.encode(value).length;
      if (n >= opts.maxValueBytes) {
        throw invalid("secret.put", `the value of key ${JSON.stringify(k)} is ${n} bytes; this client's maxValueBytes is ${opts.maxValueBytes}`, path);
      }
    }
  }
  return map;
}

/** Checks a whole policy spec with the model's rules (400 and 500 rules). @internal */
export function checkPolicySpec(spec: unknown, check: boolean): void {
  if (typeof spec !== "object" || spec === null) throw invalid("policy.put", "the policy must be an object");
  if (!check) return;
  const v = validatePolicySpec(spec);
  if (v) throw refuse("policy.put", v, typeof (spec as { name?: unknown }).name === "string" ? (spec as { name: string }).name : undefined);
}

/** What may be given as cipher input. */
export type CipherInput = Uint8Array | string | Readable | AsyncIterable<Uint8Array | string>;

/** Reads cipher input into bytes, refusing more than `limit` bytes without reading further. @internal */
export async function collectInput(operation: NexusOperation, input: CipherInput, limit: number, signal?: AbortSignal): Promise<Uint8Array> {
  if (typeof input === "string") return checkSize(operation, encoder.encode(input), limit);
  if (input instanceof Uint8Array) return checkSize(operation, input, limit);
  if (input === null || typeof input !== "object" || !(Symbol.asyncIterator in input)) {
    throw invalid(operation, "cipher input must be a Uint8Array, a string, a Readable or an async iterable of bytes");
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const it = (input as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]();
  const stop = () => {
    if (input instanceof Readable) input.destroy();
    else void it.return?.()?.catch?.(() => undefined);
  };
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(new NexusError("aborted", `nexus: ${operation} was aborted while reading its input`, { operation, cause: signal?.reason }));
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
  });
  aborted.catch(() => undefined);
  try {
    for (;;) {
      const step = await Promise.race([it.next(), aborted]);
      if (step.done) break;
      const chunk = step.value;
      const bytes = typeof chunk === "string" ? encoder.encode(chunk) : chunk;
      total += bytes.length;
      if (total > limit) throw tooBig(operation, `more than ${limit}`, limit);
      chunks.push(bytes);
    }
  } catch (e) {
    stop();
    if (NexusError.is(e)) throw e;
    throw new NexusError("invalid_input", `nexus: reading the ${operation} input failed; see the cause`, { operation, cause: e });
  } finally {
    if (onAbort) signal?.removeEventListener("abort", onAbort);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function checkSize(operation: NexusOperation, bytes: Uint8Array, limit: number): Uint8Array {
  if (bytes.length > limit) throw tooBig(operation, String(bytes.length), limit);
  return bytes;
}

function tooBig(operation: NexusOperation, size: string, limit: number): NexusError {
  const what = operation === "cipher.encrypt" ? "plaintext" : "ciphertext";
  const tip = limit === DEFAULT_MAX_CIPHER_BYTES ? " (SPIKE_NEXUS_CRYPTO_MAX_CIPHERTEXT_SIZE, default 65536; set maxCipherBytes if your nexus allows more)" : "";
  return invalid(operation, `the ${what} is ${size} bytes; nexus accepts at most ${limit}${tip}`);
}
