import type { DevStack, DevStackOptions } from "@spike-ts/nexus-dev";
import { SpikeError } from "../errors.js";

/** The message when `@spike-ts/nexus-dev` (an optional peer dependency) is not installed. */
export const NEXUS_DEV_MISSING =
  "spike: @spike-ts/sdk/testing needs the dev server package @spike-ts/nexus-dev, which is not installed; " +
  "run `npm install -D @spike-ts/nexus-dev` (it is an optional peer dependency, kept out of production installs)";

type NexusDevModule = { startDevStack(options?: DevStackOptions): Promise<DevStack> };

/** Loads `@spike-ts/nexus-dev`; a missing package becomes `SpikeError` `config_invalid` naming the install command. */
export async function loadNexusDev(
  importer: (name: string) => Promise<unknown> = (name) => import(name),
): Promise<NexusDevModule> {
  try {
    return (await importer("@spike-ts/nexus-dev")) as NexusDevModule;
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    const message = e instanceof Error ? e.message : "";
    if ((code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") && message.includes("@spike-ts/nexus-dev")) {
      throw new SpikeError("config_invalid", NEXUS_DEV_MISSING, { cause: e, setting: "@spike-ts/nexus-dev" });
    }
    throw e;
  }
}

/**
 * Starts a dev Workload API and a dev Nexus on local sockets (from `@spike-ts/nexus-dev`, an
 * optional peer dependency: install it as a devDependency) and gives the environment of each
 * identity. Rejects with `SpikeError` `config_invalid` naming `npm install -D @spike-ts/nexus-dev`
 * when that package is missing.
 *
 * @example
 * ```ts
 * const stack = await startDevStack();
 * const spike = await createSpikeClient({ env: stack.pilot.env });
 * await spike.close();
 * await stack.close();
 * ```
 */
export async function startDevStack(options?: DevStackOptions): Promise<DevStack> {
  const mod = await loadNexusDev();
  return mod.startDevStack(options);
}
