import { createSpikeClient } from "@spike-ts/sdk";
import type { SpikeClient } from "@spike-ts/sdk";
import { startDevStack } from "@spike-ts/sdk/testing";
import type { DevStack } from "@spike-ts/sdk/testing";

/** A dev stack, a pilot client, and a policy letting the demo workload read/write/list tenants/demo. */
export interface DemoStack {
  readonly stack: DevStack;
  readonly pilot: SpikeClient;
  /** The env of the demo workload, for spawned programs. */
  readonly workloadEnv: Record<string, string>;
  close(): Promise<void>;
}

export async function startDemoStack(options: { grant?: boolean } = {}): Promise<DemoStack> {
  const stack = await startDevStack();
  const pilot = await createSpikeClient({ env: stack.pilot.env });
  if (options.grant !== false) {
    const spiffeIdPattern = `^${stack.workload.spiffeId.replace(/\./g, "\\.")}$`;
    await pilot.createPolicy({ name: "demo-rw", spiffeIdPattern, pathPattern: "^tenants/demo/.*$", permissions: ["read", "write"] });
  }
  return {
    stack,
    pilot,
    workloadEnv: { ...stack.workload.env },
    async close() {
      await pilot.close();
      await stack.close();
    },
  };
}
