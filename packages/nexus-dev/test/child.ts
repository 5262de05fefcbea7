// Spawning the built bins in tests: wait for a stdout line (with a deadline), no sleeps.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The path of a built bin; throws with what to do when the package is not built. */
export function binPath(name: "spike-dev" | "spike-nexus-dev"): string {
  const p = join(root, "dist", "bin", `${name}.js`);
  if (!existsSync(p)) throw new Error(`${p} is missing: run \`pnpm build\` in packages/nexus-dev (turbo's test:integration does it)`);
  return p;
}

/** A running bin with its output so far. */
export interface Child {
  readonly process: ChildProcess;
  stdout: string;
  stderr: string;
  /** Resolves with the first stdout line matching `re` (rejects on exit or after `ms`). */
  line(re: RegExp, ms?: number): Promise<RegExpExecArray>;
  /** Resolves with the exit code or signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node <bin> ...args` with exactly `env` (plus PATH). */
export function startBin(name: "spike-dev" | "spike-nexus-dev", args: string[], env: Record<string, string>): Child {
  const proc = spawn(process.execPath, [binPath(name), ...args], { env: { PATH: process.env["PATH"] ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const child: Child = {
    process: proc,
    stdout: "",
    stderr: "",
    exited: new Promise((resolve) => proc.once("exit", (code, signal) => resolve({ code, signal }))),
    line(re, ms = 30_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          for (const l of child.stdout.split("\n")) {
            const m = re.exec(l);
            if (m) {
              cleanup();
              resolve(m);
              return true;
            }
          }
          return false;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no stdout line matching ${re} within ${ms} ms; stderr: ${child.stderr}`));
        }, ms);
        const onExit = (): void => {
          if (check()) return;
          cleanup();
          reject(new Error(`${name} exited before printing ${re}; stderr: ${child.stderr}`));
        };
        const cleanup = (): void => {
          clearTimeout(timer);
          proc.stdout?.off("data", onData);
          proc.off("exit", onExit);
        };
        const onData = (): void => void check();
        proc.stdout?.on("data", onData);
        proc.once("exit", onExit);
        check();
      });
    },
  };
  proc.stdout?.setEncoding("utf8").on("data", (d: string) => (child.stdout += d));
  proc.stderr?.setEncoding("utf8").on("data", (d: string) => (child.stderr += d));
  return child;
}
