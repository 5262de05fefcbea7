import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { once } from "node:events";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");

/** A spawned example program with its output collected. */
export interface Program {
  readonly child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout has a line matching `pattern` (rejects if the program exits first). */
  waitForLine(pattern: RegExp): Promise<string>;
  /** Resolves with the exit code. */
  exited(): Promise<number | null>;
}

/** Spawns `node dist/<name>.js` with `env` (over a clean PATH/HOME) and `args`. */
export function runProgram(name: string, env: Record<string, string>, args: string[] = []): Program {
  const child = spawn(process.execPath, [join(dist, `${name}.js`), ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
    stdio: "pipe",
  });
  let out = "";
  let err = "";
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void; reject: (e: Error) => void }> = [];
  const check = (): void => {
    for (const w of [...waiters]) {
      const line = out.split("\n").find((l) => w.pattern.test(l));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    out += d;
    check();
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    err += d;
  });
  const exit = once(child, "exit").then(([code]) => code as number | null);
  void exit.then(() => {
    for (const w of waiters.splice(0)) {
      w.reject(new Error(`${name} exited before printing ${w.pattern}; stdout:\n${out}\nstderr:\n${err}`));
    }
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitForLine(pattern) {
      return new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve, reject });
        check();
        if (child.exitCode !== null) {
          const w = waiters.find((x) => x.pattern === pattern);
          if (w) {
            waiters.splice(waiters.indexOf(w), 1);
            reject(new Error(`${name} already exited; stdout:\n${out}\nstderr:\n${err}`));
          }
        }
      });
    },
    exited: () => exit,
  };
}

/** Runs a program to completion and returns its exit code and output. */
export async function runToEnd(
  name: string,
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = runProgram(name, env, args);
  const code = await p.exited();
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}
