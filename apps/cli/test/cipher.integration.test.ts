import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { startDevStack, type DevStack } from "@spike-ts/sdk/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSpike } from "./run-spike.js";

let stack: DevStack;
let env: Record<string, string>;
let dir: string;

beforeAll(async () => {
  stack = await startDevStack();
  env = { ...stack.pilot.env };
  dir = await mkdtemp("/tmp/sts-cli-");
});
afterAll(async () => {
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("spike cipher (real bin, dev stack)", () => {
  it("round-trips binary data through stdin and stdout", async () => {
    const data = Buffer.from([0, 1, 2, 255, 10, 13, 0x80, ...Buffer.from("hello")]);
    const enc = await runSpike(["cipher", "encrypt"], { env, input: data });
    expect(enc.code).toBe(0);
    expect(enc.stdoutBytes[0]).toBe(1);
    expect(enc.stdoutBytes.length).toBe(1 + 12 + data.length + 16);
    const dec = await runSpike(["cipher", "decrypt"], { env, input: enc.stdoutBytes });
    expect(dec.code).toBe(0);
    expect(dec.stdoutBytes.equals(data)).toBe(true);
  });

  it("round-trips files with -f and -o, writing plaintext with mode 0600", async () => {
    const plain = join(dir, "plain.txt");
    const blob = join(dir, "secret.bin");
    const back = join(dir, "back.txt");
    await writeFile(plain, "file contents\n");
    expect(await runSpike(["cipher", "encrypt", "-f", plain, "-o", blob], { env })).toMatchObject({ code: 0, stdout: "" });
    expect(await runSpike(["cipher", "decrypt", "--file", blob, "--out", back], { env })).toMatchObject({ code: 0, stdout: "" });
    expect(await readFile(back, "utf8")).toBe("file contents\n");
    expect((await stat(back)).mode & 0o777).toBe(0o600);
  });

  it("uses the JSON mode flags, and its output decrypts", async () => {
    const enc = await runSpike(["cipher", "encrypt", "--plaintext", Buffer.from("json mode").toString("base64")], { env });
    expect(enc.code).toBe(0);
    const parts = JSON.parse(enc.stdout) as { version: number; nonce: string; ciphertext: string };
    expect(parts.version).toBe(1);
    expect(Buffer.from(parts.nonce, "base64").length).toBe(12);
    const dec = await runSpike(["cipher", "decrypt", "--version", "1", "--nonce", parts.nonce, "--ciphertext", parts.ciphertext], { env });
    expect(dec).toMatchObject({ code: 0, stdout: "json mode" });
    const decJson = await runSpike(["cipher", "decrypt", "--version", "1", "--nonce", parts.nonce, "--ciphertext", parts.ciphertext, "--json"], { env });
    expect(JSON.parse(decJson.stdout)).toEqual({ plaintext: Buffer.from("json mode").toString("base64") });
  });

  it("prints JSON for stdin input with --json", async () => {
    const enc = await runSpike(["cipher", "encrypt", "--json"], { env, input: "piped" });
    const parts = JSON.parse(enc.stdout) as { version: number; nonce: string; ciphertext: string };
    expect(Buffer.from(parts.ciphertext, "base64").length).toBe(5 + 16);
  });

  it("exits 2 for malformed input and 1 when Nexus cannot decrypt", async () => {
    const enc = await runSpike(["cipher", "encrypt"], { env, input: "tamper me" });
    const tampered = Buffer.from(enc.stdoutBytes);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 0xff;
    const [short, badB64, partial, nonceLen, tooBig, wrong, missing] = await Promise.all([
      runSpike(["cipher", "decrypt"], { env, input: "short" }),
      runSpike(["cipher", "encrypt", "--plaintext", "not base64!"], { env }),
      runSpike(["cipher", "decrypt", "--nonce", "AAAA"], { env }),
      runSpike(["cipher", "decrypt", "--version", "1", "--nonce", "AAAA", "--ciphertext", "AAAA"], { env }),
      runSpike(["cipher", "encrypt"], { env, input: Buffer.alloc(65537) }),
      runSpike(["cipher", "decrypt"], { env, input: tampered }),
      runSpike(["cipher", "encrypt", "-f", join(dir, "missing.txt")], { env }),
    ]);
    expect(short).toMatchObject({ code: 2, stdout: "" });
    expect(short.stderr).toContain("cipher blob is 5 bytes; it needs at least 13");
    expect(badB64.code).toBe(2);
    expect(badB64.stderr).toContain("--plaintext must be standard base64");
    expect(partial.code).toBe(2);
    expect(partial.stderr).toContain("missing --version, --ciphertext");
    expect(nonceLen.code).toBe(2);
    expect(nonceLen.stderr).toContain("--nonce must decode to 12 bytes, got 3");
    expect(tooBig.code).toBe(2);
    expect(tooBig.stderr).toContain("more than 65536 bytes");
    expect(wrong).toMatchObject({ code: 1, stdout: "" });
    expect(wrong.stderr).toMatch(/^Error: Invalid request\.\n  nexus: cipher\.decrypt was refused \(400/);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("ENOENT");
  });
});
