import { validateKeyName, validateSecretPath } from "@spike-ts/nexus-model";
import { parseKeyValuePairs, parseVersion, parseVersionList } from "../args.js";
import type { CommandContext } from "../context.js";
import { CliError } from "../errors.js";
import { formatMetadata, formatSecret, formatSecretList } from "../format.js";

function checkPath(path: string): string {
  const v = validateSecretPath(path);
  if (v) {
    throw new CliError("invalid_input", v.message.replace(/^nexus-model: /, "spike: "), {
      summary: "Invalid secret path.",
      hint: "paths are 1-500 bytes of letters, digits and . _ - / ( ) ? + * | [ ] { } \\; nothing was sent",
    });
  }
  return path;
}

function ok(ctx: CommandContext, extra: Record<string, unknown>): Promise<void> {
  return ctx.out(ctx.json ? `${JSON.stringify({ ok: true, ...extra })}\n` : "OK\n");
}

/** `spike secret put <path> <key=value>...` @internal */
export async function secretPut(ctx: CommandContext): Promise<void> {
  const path = checkPath(ctx.args[0] as string);
  const values = parseKeyValuePairs(ctx.args.slice(1));
  for (const key of Object.keys(values)) {
    const v = validateKeyName(key);
    if (v) throw new CliError("invalid_input", v.message.replace(/^nexus-model: /, "spike: "), { summary: "Invalid key name." });
  }
  const client = await ctx.client();
  await client.putSecret(path, values, { signal: ctx.signal });
  await ok(ctx, { path, keys: Object.keys(values).sort() });
}

/** `spike secret get <path> [key]` @internal */
export async function secretGet(ctx: CommandContext): Promise<void> {
  const path = checkPath(ctx.args[0] as string);
  const key = ctx.args[1];
  const version = parseVersion(ctx.flags["version"], "version");
  const format = ctx.format();
  const client = await ctx.client();
  const secret = await client.getSecret(path, { signal: ctx.signal, ...(version ? { version } : {}) });
  const data = secret.reveal();
  if (key !== undefined && !Object.prototype.hasOwnProperty.call(data, key)) {
    throw new CliError("not_found", `spike: the secret at ${path} has no key ${JSON.stringify(key)}`, {
      summary: "Key not found.",
      hint: `'spike secret get ${path}' without a key shows every key`,
    });
  }
  await ctx.out(formatSecret(data, key, format));
}

/** `spike secret list` @internal */
export async function secretList(ctx: CommandContext): Promise<void> {
  const format = ctx.format();
  const client = await ctx.client();
  const keys = await client.listSecretKeys({ signal: ctx.signal });
  await ctx.out(formatSecretList(keys, format));
}

/** `spike secret delete <path>` and `spike secret undelete <path>` @internal */
export async function secretDelete(ctx: CommandContext, undelete: boolean): Promise<void> {
  const path = checkPath(ctx.args[0] as string);
  // Without --versions, send no list (not Pilot's [0]): Nexus then takes the current version, and
  // for undelete the highest deleted one when every version is deleted, so undoing a delete works.
  const given = ctx.flags["versions"] !== undefined;
  const versions = given ? parseVersionList(ctx.flags["versions"]) : undefined;
  const client = await ctx.client();
  const options = { ...(versions ? { versions } : {}), ...(ctx.signal ? { signal: ctx.signal } : {}) };
  if (undelete) await client.undeleteSecret(path, options);
  else await client.deleteSecret(path, options);
  await ok(ctx, { path, versions: versions ?? "current" });
}

/** `spike secret metadata get <path>` @internal */
export async function secretMetadataGet(ctx: CommandContext): Promise<void> {
  const path = checkPath(ctx.args[0] as string);
  const version = parseVersion(ctx.flags["version"], "version");
  const format = ctx.format();
  const client = await ctx.client();
  const meta = await client.getSecretMetadata(path, { signal: ctx.signal, ...(version ? { version } : {}) });
  await ctx.out(formatMetadata(meta, format));
}
