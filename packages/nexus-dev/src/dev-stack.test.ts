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

  it("keeps serving when the Nexus SVID rotates (new connections see the new certificate)", async () => {
    stack = await startDevStack({ trustDomain: "example.org" });
    const source = await createX509Source({ address: stack.pilot.env.SPIFFE_ENDPOINT_SOCKET });
    const seen: string[] = [];
    const agent = () =>
      createMtlsAgent({
        source,
        authorize: (id, chain) => {
          seen.push(Buffer.from(chain[0] ?? []).toString("base64"));
          return authorizeId("spiffe://example.org/spike/nexus")(id, chain);
        },
      });
    const list = async (): Promise<number> => {
      const a = agent();
      try {
        const res = await request(`${stack?.nexusUrl}/v1/store/secrets?action=list`, { method: "POST", body: "{}", dispatcher: a });
        await res.body.text();
        return res.statusCode;
      } finally {
        await a.close();
      }
    };
    try {
      expect(await list()).toBe(200);
      const before = stack.nexusIdentity.workloadApi.generation;
      stack.nexusIdentity.workloadApi.rotate();
      expect(stack.nexusIdentity.workloadApi.generation).toBe(before + 1);
      const fresh = Buffer.from(stack.nexusIdentity.workloadApi.svids[0]?.certificates[0] ?? []).toString("base64");
      // the dev Nexus swaps its certificate once its source sees the update; poll with a deadline
      const deadline = performance.now() + 10_000;
      while (seen.at(-1) !== fresh) {
        if (performance.now() > deadline) throw new Error("nexus did not present the rotated svid in time");
        expect(await list()).toBe(200);
      }
      expect(seen.at(-1)).toBe(fresh);
      expect(new Set(seen).size).toBeGreaterThan(1);
    } finally {
      await source.close();
    }
  });

  it("validates options", async () => {
    await expect(startDevStack({ trustDomain: "Bad TD" })).rejects.toSatisfy((e) => NexusDevError.is(e, "invalid_options"));
    await expect(startDevStack({ workloadId: "spiffe://other.org/x" })).rejects.toSatisfy((e) => NexusDevError.is(e, "invalid_options"));
  });
});
