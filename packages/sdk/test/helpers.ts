import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";

/** A short temporary folder under /tmp (unix socket paths must stay < 100 bytes). */
export async function shortTempDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp("/tmp/sts-");
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** `join` re-exported for socket paths. */
export const socketPath = (dir: string, name: string): string => join(dir, name);

/** Waits until `check()` is true, polling every `everyMs`, failing after `deadlineMs`. */
export async function waitFor(check: () => boolean, what: string, deadlineMs = 10_000, everyMs = 10): Promise<void> {
  const started = performance.now();
  while (!check()) {
    if (performance.now() - started > deadlineMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error("expected the call to fail");
}
