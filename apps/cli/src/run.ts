import { hasRole, trustRootsFromEnv } from "@spike-ts/nexus-model";
import type { SpikeClient } from "@spike-ts/sdk";
import { parseCommandLine, resolveFormat } from "./args.js";
import { cipherDecrypt, cipherEncrypt } from "./commands/cipher.js";
import { doctor } from "./commands/doctor.js";
import { policyApply, policyCreate, policyDelete, policyGet, policyList } from "./commands/policy.js";
import { secretDelete, secretGet, secretList, secretMetadataGet, secretPut } from "./commands/secret.js";
import { type CliIo, type CommandContext, writeTo } from "./context.js";
import { CliError } from "./errors.js";
import { renderHelp } from "./help.js";
import { formatErrorReport, reportError } from "./render-error.js";
import { CLI_VERSION } from "./version.js";

type Handler = (ctx: CommandContext) => Promise<void>;

const HANDLERS: Readonly<Record<string, Handler>> = {
  "secret put": secretPut,
  "secret get": secretGet,
  "secret list": secretList,
  "secret delete": (ctx) => secretDelete(ctx, false),
  "secret undelete": (ctx) => secretDelete(ctx, true),
  "secret metadata get": secretMetadataGet,
  "policy create": policyCreate,
  "policy apply": policyApply,
  "policy list": policyList,
  "policy get": policyGet,
  "policy delete": policyDelete,
  "cipher encrypt": cipherEncrypt,
  "cipher decrypt": cipherDecrypt,
  doctor,
  version: (ctx) => ctx.out(ctx.json ? `${JSON.stringify({ version: CLI_VERSION })}\n` : `spike ${CLI_VERSION}\n`),
};

/**
 * Runs the `spike` CLI with `argv` (the arguments after the script name) and resolves the exit
 * code: 0 on success, 1 when the operation failed, 2 for a usage error (nothing was sent).
 * Never throws and never calls `process.exit`; every socket it opens is closed before it resolves.
 *
 * @example
 * ```ts
 * const code = await runCli(["secret", "get", "tenants/demo/db", "-f", "json"], {
 *   stdout: process.stdout, stderr: process.stderr, stdin: process.stdin,
 * });
 * process.exitCode = code;
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const env = io.env ?? process.env;
  let json = argv.includes("--json");
  let client: SpikeClient | undefined;
  let connecting: Promise<SpikeClient> | undefined;
  try {
    const parsed = parseCommandLine(argv);
    json = parsed.json;
    if (parsed.kind === "help") {
      await writeTo(io.stdout, json ? `${JSON.stringify({ help: renderHelp(parsed.path) })}\n` : renderHelp(parsed.path));
      return 0;
    }
    const ctx: CommandContext = {
      io,
      env,
      flags: parsed.flags,
      args: parsed.args,
      json,
      signal: io.signal,
      format: () => resolveFormat(parsed.flags["format"], json),
      client: () => {
        connecting ??= (async () => {
          // Loaded on use, so that help and usage errors start fast.
          const connect = io.connect ?? (await import("@spike-ts/sdk")).createSpikeClient;
          client = await connect({ env, ...(io.signal ? { signal: io.signal } : {}) });
          const id = client.spiffeId;
          if (!hasRole(id, "superuser", trustRootsFromEnv(env))) {
            throw new CliError("not_pilot", `spike: this process has the SPIFFE ID ${id}, not the pilot superuser ID`, {
              summary: "You need a 'pilot' SPIFFE ID to use this command.",
              hint: "run spike with the Pilot's SPIFFE_ENDPOINT_SOCKET (spiffe://<td>/spike/pilot/role/superuser), or set SPIKE_TRUST_ROOT_PILOT to its trust domain",
            });
          }
          return client;
        })();
        return connecting;
      },
      out: (data) => writeTo(io.stdout, data),
      err: (text) => writeTo(io.stderr, text),
    };
    const handler = HANDLERS[parsed.spec.path.join(" ")];
    if (!handler) throw new CliError("usage", `spike: '${parsed.spec.path.join(" ")}' is not implemented`);
    await handler(ctx);
    return 0;
  } catch (e) {
    const report = reportError(e, env);
    await writeTo(io.stderr, formatErrorReport(report, json)).catch(() => undefined);
    return report.exitCode;
  } finally {
    if (connecting) await connecting.catch(() => undefined);
    await client?.close().catch(() => undefined);
  }
}
