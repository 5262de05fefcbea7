import { existsSync } from "node:fs";
import { createMtlsAgent } from "@spike-ts/mtls-transport";
import { authorizeId } from "@spike-ts/spiffe";
import { createX509Source } from "@spike-ts/workload-api";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { type DevStack, startDevStack } from "./dev-stack.js";
import { NexusDevError } from "./errors.js";

let stack: DevStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe("startDevStack", () => {
  it("starts one socket per identity and a Nexus that knows them", async () => {
    stack = await startDevStack({ trustDomain: "example.org" });
    expect(stack.pilot.spiffeId).toBe("spiffe://example.org/spike/pilot/role/superuser");
    expect(stack.workload.spiffeId).toBe("spiffe://example.org/demo/app");
    expect(stack.nexusIdentity.spiffeId).toBe("spiffe://example.org/spike/nexus");
    expect(stack.pilot.env).toMatchObject({ SPIKE_NEXUS_API_URL: stack.nexusUrl, SPIKE_TRUST_ROOT_NEXUS: "example.org", SPIKE_TRUST_ROOT_PILOT: "example.org" });
    expect(stack.pilot.env.SPIFFE_ENDPOINT_SOCKET).toMatch(/^unix:\/\/\/tmp\/sts-.+\/pilot\.sock$/);
    expect(new Set([stack.pilot, stack.workload, stack.nexusIdentity].map((i) => i.env.SPIFFE_ENDPOINT_SOCKET)).size).toBe(3);

    const statusAs = async (env: DevStack["pilot"]["env"]): Promise<number> => {
      const source = await createX509Source({ address: env.SPIFFE_ENDPOINT_SOCKET });
      const agent = createMtlsAgent({ source, authorize: authorizeId(`spiffe://${env.SPIKE_TRUST_ROOT_NEXUS}/spike/nexus`) });
      try {
        const res = await request(`${env.SPIKE_NEXUS_API_URL}/v1/store/secrets?action=list`, { method: "POST", body: "{}", dispatcher: agent });
        await res.body.text();
        return res.statusCode;
      } finally {
        await agent.close();
        await source.close();
      }
    };
    expect(await statusAs(stack.pilot.env)).toBe(200);
    expect(await statusAs(stack.workload.env)).toBe(401);

    const socket = stack.pilot.workloadApi.socketPath;
    await stack.close();
    expect(existsSync(socket)).toBe(false);
  });

  it("validates options", async () => {
    await expect(startDevStack({ trustDomain: "Bad TD" })).rejects.toSatisfy((e) => NexusDevError.is(e, "invalid_options"));
    await expect(startDevStack({ workloadId: "spiffe://other.org/x" })).rejects.toSatisfy((e) => NexusDevError.is(e, "invalid_options"));
  });
});
