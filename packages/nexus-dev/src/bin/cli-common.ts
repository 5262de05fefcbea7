// Small helpers shared by the two bins.
import type { NexusDevLogEntry } from "../handler.js";

/** Parses Go's listen address form (`:8553`, `127.0.0.1:8553`, `[::1]:8553`) or a bare port. */
export function parseListenAddress(value: string, defaultHost: string): { host: string; port: number } {
  const v = value.trim();
  // One explicit shape per form: a single regex with an optional host let "8553" read as
  // host "855", port 3.
  const m = /^(\d{1,5})$/.exec(v) ?? /^\[([^\]]+)\]:(\d{1,5})$/.exec(v) ?? /^([^:[\]]*):(\d{1,5})$/.exec(v);
  const host = m && m.length === 3 ? (m[1] as string) : "";
  const port = m ? Number(m[m.length - 1]) : Number.NaN;
  if (!m || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`not a listen address: ${JSON.stringify(value)} (use :8553, 127.0.0.1:8553, [::1]:8553 or 8553)`);
  }
  return { host: host === "" ? defaultHost : host, port };
}

/** A positive integer from an env var, or the default (Go SPIKE's rule for integer vars). */
export function positiveIntEnv(value: string | undefined, dflt: number): number {
  if (value === undefined || !/^\d+$/.test(value.trim())) return dflt;
  const n = Number(value.trim());
  return Number.isSafeInteger(n) && n > 0 ? n : dflt;
}

/** Writes log entries as JSON lines on stderr, `info` only when verbose. */
export function stderrLog(verbose: boolean): (e: NexusDevLogEntry) => void {
  return (e) => {
    if (e.level === "info" && !verbose) return;
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...e })}\n`);
  };
}

/** Runs `stop` once on SIGINT or SIGTERM, then exits 0 (1 if stopping failed). */
export function stopOnSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`received ${signal}, stopping\n`);
    stop().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`stop failed: ${(e as Error)?.message ?? String(e)}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}

/** A value quoted for POSIX shells. */
export function shellQuote(v: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`;
}

/** Prints `message` on stderr and exits 1. */
export function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}
