import { createReadStream } from "node:fs";
import { writeFile } from "node:fs/promises";
import { CIPHER_NONCE_BYTES, CIPHER_VERSION, parseCipherBlob, parseMaxCipherBytes } from "@spike-ts/nexus-model";
import type { CommandContext } from "../context.js";
import { CliError, usage } from "../errors.js";

function str(v: string | boolean | undefined): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** Decodes strict standard base64 (with padding), or throws `CliError` `usage` naming the flag. @internal */
export function decodeBase64Flag(value: string, flag: string): Uint8Array {
  const v = value.trim();
  if (v.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) {
    throw usage(`--${flag} must be standard base64 with padding (A-Z a-z 0-9 + /, then =)`);
  }
  return new Uint8Array(Buffer.from(v, "base64"));
}

async function readInput(ctx: CommandContext, limit: number, what: string): Promise<Uint8Array> {
  const file = str(ctx.flags["file"]);
  const stream: NodeJS.ReadableStream = file === undefined || file === "-" ? ctx.io.stdin : createReadStream(file);
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const c of stream) {
      const b = typeof c === "string" ? Buffer.from(c) : (c as Buffer);
      total += b.length;
      if (total > limit) {
        if ("destroy" in stream && typeof stream.destroy === "function") stream.destroy();
        throw new CliError("invalid_input", `spike: the ${what} is more than ${limit} bytes, the most Nexus accepts`, {
          summary: "Input too large.",
          hint: "split the data, or raise SPIKE_NEXUS_CRYPTO_MAX_CIPHERTEXT_SIZE on Nexus and here",
        });
      }
      chunks.push(b);
    }
  } catch (e) {
    if (CliError.is(e)) throw e;
    throw new CliError("file_unreadable", `spike: cannot read ${file ?? "stdin"}: ${(e as NodeJS.ErrnoException).code ?? "read failed"}`, {
      summary: "Error reading input.",
      hint: "check the path given to -f/--file",
      cause: e,
    });
  }
  return new Uint8Array(Buffer.concat(chunks));
}

async function writeOutput(ctx: CommandContext, data: string | Uint8Array): Promise<void> {
  const out = str(ctx.flags["out"]);
  if (out === undefined || out === "-") return ctx.out(data);
  try {
    await writeFile(out, data, { mode: 0o600 });
  } catch (e) {
    throw new CliError("output_failed", `spike: cannot write ${out}: ${(e as NodeJS.ErrnoException).code ?? "write failed"}`, {
      summary: "Error writing output.",
      hint: "check the path given to -o/--out",
      cause: e,
    });
  }
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

/** `spike cipher encrypt` (stream mode, or JSON mode with `--plaintext`/`--json`). @internal */
export async function cipherEncrypt(ctx: CommandContext): Promise<void> {
  const limit = parseMaxCipherBytes(ctx.env["SPIKE_NEXUS_CRYPTO_MAX_CIPHERTEXT_SIZE"]);
  const plaintextFlag = str(ctx.flags["plaintext"]);
  if (plaintextFlag !== undefined && str(ctx.flags["file"]) !== undefined) throw usage("--plaintext conflicts with -f/--file; give one input");
  const jsonMode = plaintextFlag !== undefined || ctx.json;
  let plaintext: Uint8Array;
  if (plaintextFlag !== undefined) {
    plaintext = decodeBase64Flag(plaintextFlag, "plaintext");
    if (plaintext.length > limit) throw new CliError("invalid_input", `spike: the plaintext is ${plaintext.length} bytes; Nexus accepts at most ${limit}`);
  } else {
    plaintext = await readInput(ctx, limit, "plaintext");
  }
  const client = await ctx.client();
  if (!jsonMode) {
    const blob = await client.encrypt(plaintext, { signal: ctx.signal });
    plaintext.fill(0);
    return writeOutput(ctx, blob);
  }
  // JSON mode on the wire too, as Pilot sends it (application/json, base64 fields).
  const parts = await client.encryptJson(plaintext, { signal: ctx.signal });
  plaintext.fill(0);
  await writeOutput(ctx, `${JSON.stringify({ version: parts.version, nonce: b64(parts.nonce), ciphertext: b64(parts.ciphertext) })}\n`);
}

/** `spike cipher decrypt` (stream mode, or JSON mode with `--version`/`--nonce`/`--ciphertext`). @internal */
export async function cipherDecrypt(ctx: CommandContext): Promise<void> {
  const limit = parseMaxCipherBytes(ctx.env["SPIKE_NEXUS_CRYPTO_MAX_CIPHERTEXT_SIZE"]);
  const version = str(ctx.flags["version"]);
  const nonce = str(ctx.flags["nonce"]);
  const ciphertext = str(ctx.flags["ciphertext"]);
  let blob: Uint8Array | undefined;
  let json: { version: number; nonce: Uint8Array; ciphertext: Uint8Array } | undefined;
  if (version !== undefined || nonce !== undefined || ciphertext !== undefined) {
    const missing = [version === undefined && "--version", nonce === undefined && "--nonce", ciphertext === undefined && "--ciphertext"].filter(Boolean);
    if (missing.length > 0) throw usage(`JSON mode needs --version, --nonce and --ciphertext; missing ${missing.join(", ")}`);
    if (str(ctx.flags["file"]) !== undefined) throw usage("JSON mode flags conflict with -f/--file; give one input");
    if (!/^\d+$/.test(version!.trim()) || Number(version) !== CIPHER_VERSION) throw usage(`--version must be ${CIPHER_VERSION}, the only cipher version Nexus accepts`);
    const n = decodeBase64Flag(nonce!, "nonce");
    if (n.length !== CIPHER_NONCE_BYTES) throw usage(`--nonce must decode to ${CIPHER_NONCE_BYTES} bytes, got ${n.length}`);
    const c = decodeBase64Flag(ciphertext!, "ciphertext");
    if (c.length > limit) throw new CliError("invalid_input", `spike: the ciphertext is ${c.length} bytes; Nexus accepts at most ${limit}`);
    json = { version: CIPHER_VERSION, nonce: n, ciphertext: c };
  } else {
    blob = await readInput(ctx, limit + 1 + CIPHER_NONCE_BYTES, "cipher blob");
    try {
      parseCipherBlob(blob);
    } catch (e) {
      throw new CliError("invalid_input", (e as Error).message.replace(/^nexus-model: /, "spike: "), {
        summary: "Invalid cipher blob.",
        hint: "give the exact output of 'spike cipher encrypt' (binary, not base64)",
        cause: e,
      });
    }
  }
  const client = await ctx.client();
  // JSON-mode flags go to Nexus in JSON mode, as Pilot sends them; a blob goes as a stream.
  const plaintext =
    json !== undefined
      ? await client.decryptJson(json, { signal: ctx.signal })
      : await client.decrypt(blob as Uint8Array, { signal: ctx.signal });
  if (ctx.json) await writeOutput(ctx, `${JSON.stringify({ plaintext: b64(plaintext) })}\n`);
  else await writeOutput(ctx, plaintext);
  plaintext.fill(0);
}
