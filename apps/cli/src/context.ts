import type { SpikeClient, SpikeClientOptions } from "@spike-ts/sdk";
import type { OutputFormat } from "./args.js";

/** The streams, environment and seams `runCli()` works with. */
export interface CliIo {
  /** Where data goes. */
  readonly stdout: NodeJS.WritableStream;
  /** Where errors and prompts go. */
  readonly stderr: NodeJS.WritableStream;
  /** Where cipher input and confirmation answers come from; `isTTY` decides whether spike may ask. */
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  /** The environment (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Opens the SPIKE client (default `createSpikeClient`); tests pass a fake. */
  readonly connect?: (options: SpikeClientOptions) => Promise<SpikeClient>;
  /** The clock used by `doctor` for SVID expiry (default the system clock). */
  readonly now?: () => Date;
  /** Cancels the running command (for example on SIGINT). */
  readonly signal?: AbortSignal;
}

/** What a command implementation gets. @internal */
export interface CommandContext {
  readonly io: CliIo;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly flags: Readonly<Record<string, string | boolean | undefined>>;
  readonly args: readonly string[];
  readonly json: boolean;
  readonly signal: AbortSignal | undefined;
  /** The output format from `--format` and `--json` (data commands). */
  format(): OutputFormat;
  /** The connected client, opened on first use and checked to be the Pilot superuser. */
  client(): Promise<SpikeClient>;
  /** Writes text or bytes to stdout and waits until it is handed to the OS. */
  out(data: string | Uint8Array): Promise<void>;
  /** Writes text to stderr. */
  err(text: string): Promise<void>;
}

/** Writes to a stream and resolves once the chunk is flushed (or rejects on error). @internal */
export function writeTo(stream: NodeJS.WritableStream, data: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(data, (e?: Error | null) => (e ? reject(e) : resolve()));
  });
}
