import { SpiffeError, TrustDomain } from "@spike-ts/spiffe";
import { createTestCa } from "@spike-ts/spiffe/testing";
import { describe, expect, it } from "vitest";
import { WorkloadApiError, createJwtSource, linearBackoff } from "../src/index.js";
import type { JwtSourceOptions, WorkloadJwtSource } from "../src/index.js";
import { startDevWorkloadApi } from "../src/testing/index.js";
import { nextEvent, useCleanup } from "./helpers.js";

const cleanup = useCleanup();
const API = "spiffe://example.org/api";
const WEB = "spiffe://example.org/web";
const example = TrustDomain.parse("example.org");

async function agentWith(opts: Partial<Parameters<typeof startDevWorkloadApi>[0]> = {}) {
  const agent = await startDevWorkloadApi({ identities: [{ spiffeId: API, hint: "internal" }, { spiffeId: WEB, hint: "external" }], ...opts });
  cleanup(() => agent.close());
  return agent;
}

async function sourceFor(address: string, opts: JwtSourceOptions = {}): Promise<WorkloadJwtSource> {
  const s = await createJwtSource({ address, backoff: linearBackoff({ stepMs: 10 }), ...opts });
  cleanup(() => s.close());
  return s;
}

describe("createJwtSource", () => {
  it("serves JWT bundles (own + federated) and fetches JWT-SVIDs", async () => {
    const partner = createTestCa({ trustDomain: "partner.org" });
    const agent = await agentWith({ federatedJwtBundles: { "partner.org": partner.jwtBundle() } });
    const source = await sourceFor(agent.address);
    expect(source.getJwtBundleForTrustDomain(example).findKey(agent.ca.jwtKid)).toBeDefined();
    expect(source.getJwtBundleForTrustDomain(TrustDomain.parse("partner.org")).findKey(partner.jwtKid)).toBeDefined();
    const svid = await source.fetchJwtSvid({ audience: "db" });
    expect([svid.id.toString(), svid.hint, svid.audience]).toEqual([API, "internal", ["db"]]);
    expect((await source.fetchJwtSvids({ audience: "db" })).map((s) => s.id.toString())).toEqual([API, WEB]);
    expect((await source.fetchJwtSvid({ audience: "db", subject: WEB })).id.toString()).toBe(WEB);
  });

  it("picks by hint when several identities exist", async () => {
    const agent = await agentWith();
    const source = await sourceFor(agent.address, { pick: { hint: "external" } });
    expect((await source.fetchJwtSvid({ audience: "db" })).id.toString()).toBe(WEB);
  });

  it("updates on CA rotation (new JWT key) and only then", async () => {
    const agent = await agentWith();
    const source = await sourceFor(agent.address);
    let updates = 0;
    source.onUpdate(() => updates++);
    agent.rotate();
    agent.rotateCa();
    await nextEvent<void>((l) => source.onUpdate(l));
    expect(updates).toBe(1);
    expect(source.getJwtBundleForTrustDomain(example).kids()).toHaveLength(2);
  });

  it("times out with the last error when no identity is issued", async () => {
    const agent = await agentWith({ identities: [] });
    const err = await createJwtSource({ address: agent.address, timeoutMs: 200 }).catch((e: unknown) => e);
    expect(WorkloadApiError.is(err, "timeout")).toBe(true);
    expect((err as Error).message).toContain("no JWT bundle from the Workload API");
    expect((err as Error).message).toContain('"no identity issued"');
  });

  it("refuses use after close", async () => {
    const agent = await agentWith();
    const source = await sourceFor(agent.address);
    await source.close();
    expect(() => source.getJwtBundles()).toThrowError(/closed/);
    const err = await source.fetchJwtSvid({ audience: "x" }).catch((e: unknown) => e);
    expect(SpiffeError.is(err, "source_closed")).toBe(true);
  });
});

describe("createJwtSource waitForUpdate", () => {
  it("resolves on a JWT key change and rejects on close", async () => {
    const agent = await agentWith();
    const source = await sourceFor(agent.address);
    const next = source.waitForUpdate();
    agent.rotateCa();
    await next;
    expect(source.getJwtBundleForTrustDomain(example).findKey(agent.ca.jwtKid)).toBeDefined();
    const pending = source.waitForUpdate();
    await source.close();
    await expect(pending).rejects.toMatchObject({ code: "source_closed" });
  });
});
