import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** The suites run the real bin: rebuild the package (as `pnpm build` does) when a source file is newer than dist. */
export default function setup(): void {
  const bin = join(root, "dist", "bin", "spike.js");
  if (existsSync(bin) && statSync(bin).mtimeMs >= newestSource(join(root, "src"))) return;
  const build = join(root, "node_modules", "@spike-ts", "build", "build.mjs");
  execFileSync(process.execPath, [build], { cwd: root, stdio: "inherit" });
}
