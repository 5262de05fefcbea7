import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The built bin under test. */
export const SPIKE_BIN = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "bin", "spike.js");

/** What one `spike` run produced. */
export interface SpikeRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stdoutBytes: Buffer;
  readonly stderr: string;
}

/** Options of {@link runSpike}. */
export interface RunSpikeOptions {
  /** The identity's env (merged over a clean PATH/HOME). */
  readonly env?: Readonly<Record<string, string>>;
  /** Bytes or text written to stdin, which is then closed (default: closed at once). */
  readonly input?: string | Uint8Array;
  /** Working directory. */
  readonly cwd?: string;
}

function quote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * Runs `node dist/bin/spike.js ...args` as a subprocess and collects its output and exit code.
 * With `tty`, the bin runs on a pseudo-terminal made by util-linux `script`, so stdin is a TTY
 * (the pty echoes the input into stdout).
 */
export async function runSpike(args: readonly string[], options: RunSpikeOptions & { tty?: boolean } = {}): Promise<SpikeRun> {
  const [cmd, argv] = options.tty
    ? ["script", ["-qec", [process.execPath, SPIKE_BIN, ...args].map(quote).join(" "), "/dev/null"]]
    : [process.execPath, [SPIKE_BIN, ...args]];
  const child = spawn(cmd as string, argv as string[], {
    env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "/tmp", ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on("data", (d: Buffer) => out.push(d));
  child.stderr.on("data", (d: Buffer) => err.push(d));
  child.stdin.on("error", () => undefined);
  child.stdin.end(options.input ?? "");
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (c) => resolve(c));
  });
  const stdoutBytes = Buffer.concat(out);
  return { code, stdout: stdoutBytes.toString("utf8"), stdoutBytes, stderr: Buffer.concat(err).toString("utf8") };
}
