import { afterEach, expect, it } from "vitest";
import { createWorkloadApiClient } from "../src/index.js";
import { startDevWorkloadApi } from "../src/testing/index.js";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

it("smoke", async () => {
  const agent = await startDevWorkloadApi({ identities: [{ spiffeId: "spiffe://example.org/api", hint: "a" }] });
  cleanup.push(() => agent.close());
  const client = createWorkloadApiClient({ address: agent.address });
  cleanup.push(() => client.close());
  const ctx = await client.fetchX509Context();
  expect(ctx.defaultSvid.id.toString()).toBe("spiffe://example.org/api");
  const jwt = await client.fetchJwtSvid({ audience: "x" });
  expect(jwt.id.toString()).toBe("spiffe://example.org/api");
  const v = await client.validateJwtSvid(jwt.token, "x");
  expect(v.id.toString()).toBe("spiffe://example.org/api");
  const b = await client.fetchJwtBundles();
  expect(b.size).toBe(1);
  const xb = await client.fetchX509Bundles();
  expect(xb.size).toBe(1);
});
