import { execFileSync } from "node:child_process";
import { join } from "node:path";

/** Builds dist/ once before the integration suites (they all read it; building per suite would race). */
export default function setup(): void {
  const root = join(import.meta.dirname, "..");
  execFileSync(process.execPath, [join(root, "scripts", "build.mjs")], { cwd: root, stdio: "inherit" });
}
