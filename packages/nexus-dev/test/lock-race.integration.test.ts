// Several servers starting at once on a store whose LOCK was left by a killed process: exactly
// one may win (removing a stale lock and creating a new one used to let two of them run).
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, expect, it } from "vitest";

const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "index.js");
const CHILD = `
const { createFileStore } = await import(process.argv[1]);
const store = createFileStore({ directory: process.argv[2] });
try {
  await store.load();
  process.stdout.write("locked\\n");
  process.stdin.resume();
  process.stdin.on("end", async () => { await store.close(); process.exit(0); });
} catch (e) {
  process.stdout.write("refused " + e.code + "\\n");
  process.exit(0);
}
`;

let dir: string;
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function contender(): { line: Promise<string>; release(): void; exited: Promise<unknown> } {
  const p = spawn(process.execPath, ["--input-type=module", "-e", CHILD, pathToFileURL(dist).href, dir], { stdio: ["pipe", "pipe", "inherit"] });
  let out = "";
  const line = new Promise<string>((resolve, reject) => {
    p.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      if (out.includes("\n")) resolve(out.trim());
    });
    p.once("exit", () => (out.includes("\n") ? undefined : reject(new Error(`contender exited without an answer: ${out}`))));
  });
  return { line, release: () => p.stdin.end(), exited: new Promise((r) => p.once("exit", r)) };
}

it("lets exactly one of several starting servers take over a stale lock", async () => {
  if (!existsSync(dist)) throw new Error(`${dist} is missing: run \`pnpm build\` in packages/nexus-dev`);
  dir = await mkdtemp("/tmp/sts-");
  for (let round = 0; round < 3; round++) {
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout;
    await writeFile(join(dir, "LOCK"), `${dead}\n`);
    const all = Array.from({ length: 5 }, () => contender());
    const answers = await Promise.all(all.map((c) => c.line));
    expect(answers.filter((a) => a === "locked")).toHaveLength(1);
    expect(answers.filter((a) => a !== "locked").every((a) => a === "refused store_locked")).toBe(true);
    for (const c of all) c.release();
    await Promise.all(all.map((c) => c.exited));
  }
});
