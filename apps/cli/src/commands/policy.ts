import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { type Permission, type PolicySpec, parsePermissions, validatePolicyName, validatePolicySpec } from "@spike-ts/nexus-model";
import type { SpikeClient } from "@spike-ts/sdk";
import type { CommandContext } from "../context.js";
import { CliError, usage } from "../errors.js";
import { formatPolicy, formatPolicyList } from "../format.js";
import { parsePolicyYaml } from "../policy-yaml.js";

function str(v: string | boolean | undefined): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** The policy name from the argument or `--name` (both must agree). @internal */
export function policyNameOf(ctx: Pick<CommandContext, "args" | "flags">, required: boolean): string | undefined {
  const arg = ctx.args[0];
  const flag = str(ctx.flags["name"]);
  if (arg !== undefined && flag !== undefined && arg !== flag) {
    throw usage(`the name is given twice and differs (argument and --name); give it once`);
  }
  const name = arg ?? flag;
  if (name === undefined) {
    if (required) throw usage("a policy name is needed: give it as the argument or with --name");
    return undefined;
  }
  const v = validatePolicyName(name);
  if (v) throw new CliError("invalid_input", v.message.replace(/^nexus-model: /, "spike: "), { summary: "Invalid policy name." });
  return name;
}

function spiffeIdPatternOf(ctx: Pick<CommandContext, "flags">): string | undefined {
  const a = str(ctx.flags["spiffeid-pattern"]);
  const b = str(ctx.flags["spiffe-id-pattern"]);
  if (a !== undefined && b !== undefined && a !== b) throw usage("--spiffeid-pattern and --spiffe-id-pattern differ; give one of them");
  return a ?? b;
}

/**
 * Builds a policy from `policy create`/`apply` flags. Missing flags give Pilot's
 * `All flags are required.` with one line per missing flag (exit 2). @internal
 */
export function policyFromFlags(ctx: Pick<CommandContext, "args" | "flags">): PolicySpec {
  const name = policyNameOf(ctx, false);
  const spiffeIdPattern = spiffeIdPatternOf(ctx);
  const pathPattern = str(ctx.flags["path-pattern"]);
  const permissionsText = str(ctx.flags["permissions"]);
  const missing: string[] = [];
  if (name === undefined) missing.push("--name");
  if (spiffeIdPattern === undefined) missing.push("--spiffeid-pattern");
  if (pathPattern === undefined) missing.push("--path-pattern");
  if (permissionsText === undefined) missing.push("--permissions");
  if (missing.length > 0) {
    throw new CliError("usage", `spike: policy needs ${missing.length} more flag${missing.length === 1 ? "" : "s"}`, {
      summary: `All flags are required.\n${missing.map((f) => `  ${f} is missing`).join("\n")}`,
      hint: "give --name (or the name as the argument), --spiffeid-pattern, --path-pattern and --permissions",
    });
  }
  return checkPolicy({ name: name!, spiffeIdPattern: spiffeIdPattern!, pathPattern: pathPattern!, permissions: parsePermissionList(permissionsText!) });
}

function parsePermissionList(text: string): Permission[] {
  try {
    return parsePermissions(text);
  } catch (e) {
    throw new CliError("invalid_input", (e as Error).message.replace(/^nexus-model: /, "spike: "), {
      summary: "Invalid permissions.",
      hint: "use a comma list of read, write, list, execute, super",
      cause: e,
    });
  }
}

/** Checks every Nexus rule (names, patterns, RE2, reserved paths) before sending. @internal */
export function checkPolicy(spec: { name: string; spiffeIdPattern: string; pathPattern: string; permissions: readonly string[] }): PolicySpec {
  const v = validatePolicySpec(spec);
  if (v) {
    throw new CliError("invalid_input", v.message.replace(/^nexus-model: /, "spike: "), {
      summary: "Invalid policy.",
      hint: "nothing was sent to Nexus; fix the policy and try again",
    });
  }
  return spec as PolicySpec;
}

async function exists(client: SpikeClient, name: string, signal: AbortSignal | undefined): Promise<boolean> {
  const list = await client.listPolicies(signal ? { signal } : {});
  return list.some((p) => p.name === name);
}

function notFound(name: string): CliError {
  return new CliError("not_found", `spike: no policy is named ${JSON.stringify(name)}`, {
    summary: "Entity not found.",
    hint: "'spike policy list' shows the names",
  });
}

/** `spike policy create` @internal */
export async function policyCreate(ctx: CommandContext): Promise<void> {
  const spec = policyFromFlags(ctx);
  const client = await ctx.client();
  if (await exists(client, spec.name, ctx.signal)) {
    throw new CliError("already_exists", `spike: a policy named ${JSON.stringify(spec.name)} already exists`, {
      summary: `Policy '${spec.name}' already exists.`,
      hint: "use 'spike policy apply' to replace it, or choose another name",
    });
  }
  await client.createPolicy(spec, { signal: ctx.signal });
  await ctx.out(ctx.json ? `${JSON.stringify({ ok: true, name: spec.name, created: true })}\n` : "Policy created successfully.\n");
}

async function readPolicyFile(ctx: CommandContext, file: string): Promise<string> {
  try {
    if (file === "-") {
      const chunks: Buffer[] = [];
      for await (const c of ctx.io.stdin) chunks.push(typeof c === "string" ? Buffer.from(c) : (c as Buffer));
      return Buffer.concat(chunks).toString("utf8");
    }
    return await readFile(file, "utf8");
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === "ENOENT" ? "it does not exist" : ((e as NodeJS.ErrnoException).code ?? "it cannot be read");
    throw new CliError("file_unreadable", `spike: cannot read the policy file ${file}: ${why}`, {
      summary: "Error reading policy file.",
      hint: "check the path given to --file",
      cause: e,
    });
  }
}

/** `spike policy apply` @internal */
export async function policyApply(ctx: CommandContext): Promise<void> {
  const file = str(ctx.flags["file"]);
  let spec: PolicySpec;
  if (file !== undefined) {
    const others = ["name", "spiffeid-pattern", "spiffe-id-pattern", "path-pattern", "permissions"].filter((f) => ctx.flags[f] !== undefined);
    if (others.length > 0) throw usage(`--file conflicts with ${others.map((f) => `--${f}`).join(", ")}; give the file or the flags`);
    const parsed = parsePolicyYaml(await readPolicyFile(ctx, file), file === "-" ? "stdin" : file);
    const v = validatePolicySpec({ ...parsed, permissions: parsed.permissions });
    if (v) {
      throw new CliError("invalid_input", `${v.message.replace(/^nexus-model: /, "spike: ")} (in ${file === "-" ? "stdin" : file})`, {
        summary: "Invalid policy.",
        hint: "nothing was sent to Nexus; fix the file and try again",
      });
    }
    spec = parsed as PolicySpec;
  } else {
    spec = policyFromFlags(ctx);
  }
  const client = await ctx.client();
  await client.createPolicy(spec, { signal: ctx.signal });
  await ctx.out(ctx.json ? `${JSON.stringify({ ok: true, name: spec.name, applied: true })}\n` : `Policy '${spec.name}' applied successfully\n`);
}

/** `spike policy list` @internal */
export async function policyList(ctx: CommandContext): Promise<void> {
  const spiffeIdPattern = str(ctx.flags["spiffeid-pattern"]);
  const pathPattern = str(ctx.flags["path-pattern"]);
  if (spiffeIdPattern !== undefined && pathPattern !== undefined) {
    throw usage("--spiffeid-pattern and --path-pattern cannot be used together; give one filter");
  }
  const format = ctx.format();
  const client = await ctx.client();
  const list = await client.listPolicies({
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...(spiffeIdPattern !== undefined ? { spiffeIdPattern } : {}),
    ...(pathPattern !== undefined ? { pathPattern } : {}),
  });
  await ctx.out(formatPolicyList(list, format));
}

/** `spike policy get` @internal */
export async function policyGet(ctx: CommandContext): Promise<void> {
  const name = policyNameOf(ctx, true)!;
  const format = ctx.format();
  const client = await ctx.client();
  if (!(await exists(client, name, ctx.signal))) throw notFound(name);
  const policy = await client.getPolicy(name, { signal: ctx.signal });
  await ctx.out(formatPolicy(policy, format));
}

async function readAnswer(ctx: CommandContext): Promise<string> {
  const rl = createInterface({ input: ctx.io.stdin, terminal: false });
  try {
    return await new Promise<string>((resolve) => {
      rl.once("line", (line) => resolve(line));
      rl.once("close", () => resolve(""));
    });
  } finally {
    rl.close();
  }
}

/** `spike policy delete` @internal */
export async function policyDelete(ctx: CommandContext): Promise<void> {
  const name = policyNameOf(ctx, true)!;
  const yes = ctx.flags["yes"] === true;
  if (!yes && ctx.io.stdin.isTTY !== true) {
    throw new CliError("confirmation_required", `spike: policy delete asks for confirmation, and stdin is not a terminal`, {
      summary: "Confirmation required.",
      hint: `pass --yes to delete policy '${name}' without asking; nothing was deleted`,
    });
  }
  const client = await ctx.client();
  if (!(await exists(client, name, ctx.signal))) throw notFound(name);
  if (!yes) {
    await ctx.err(`Are you sure you want to delete policy '${name}'? (y/N): `);
    const answer = (await readAnswer(ctx)).trim();
    if (answer !== "y" && answer !== "Y") {
      throw new CliError("canceled", "spike: the policy was not deleted", { summary: "Operation canceled." });
    }
  }
  await client.deletePolicy(name, { signal: ctx.signal });
  await ctx.out(ctx.json ? `${JSON.stringify({ ok: true, name, deleted: true })}\n` : "Policy deleted successfully.\n");
}
