import { createServer, type Server } from "node:https";
import { authorizeId } from "@spike-ts/spiffe";
import { createStaticX509Source, createTestCa, type StaticX509Source } from "@spike-ts/spiffe/testing";
import { Agent, type Dispatcher } from "undici";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createMtlsAgent, createMtlsServerOptions } from "../src/index.js";
import { closeServer, listen, PEER_ID, SELF_ID } from "./support.js";

const ca = createTestCa({ trustDomain: "example.org" });
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  vi.restoreAllMocks();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * Counts the promise-style `close()` / `destroy()` calls per undici pool the mTLS agent creates
 * (undici's promise form calls the callback form, which is not counted again).
 */
function countPoolCalls(): { closes: Map<object, number>; destroys: Map<object, number> } {
  const closes = new Map<object, number>();
  const destroys = new Map<object, number>();
  const close = Agent.prototype.close;
  const destroy = Agent.prototype.destroy;
  vi.spyOn(Agent.prototype, "close").mockImplementation(function (this: Agent, ...args: unknown[]) {
    if (typeof args.at(-1) !== "function") closes.set(this, (closes.get(this) ?? 0) + 1);
    return (close as (...a: unknown[]) => unknown).apply(this, args) as never;
  });
  vi.spyOn(Agent.prototype, "destroy").mockImplementation(function (this: Agent, ...args: unknown[]) {
    if (typeof args.at(-1) !== "function") destroys.set(this, (destroys.get(this) ?? 0) + 1);
    return (destroy as (...a: unknown[]) => unknown).apply(this, args) as never;
  });
  return { closes, destroys };
}

async function setup(): Promise<{ source: StaticX509Source; agent: Dispatcher; get: () => Promise<string> }> {
  const serverSource = createStaticX509Source(ca.issueSvid(PEER_ID).svid, ca.bundle);
  cleanups.push(() => serverSource.close());
  const mtls = createMtlsServerOptions({ source: serverSource, authorize: authorizeId(SELF_ID) });
  const server: Server = mtls.attach(createServer(mtls, (req, res) => res.end(mtls.peerIdOf(req).toString())));
  cleanups.push(() => closeServer(server));
  const origin = await listen(server);
  const source = createStaticX509Source(ca.issueSvid(SELF_ID).svid, ca.bundle);
  cleanups.push(() => source.close());
  const agent = createMtlsAgent({ source, authorize: authorizeId(PEER_ID) });
  const get = async (): Promise<string> => {
    const res = await agent.request({ origin, path: "/", method: "GET" });
    return res.body.text();
  };
  return { source, agent, get };
}

describe("close() after SVID rotations", () => {
  it("closes each retired pool exactly once and resolves, across several rotations with live connections", async () => {
    const calls = countPoolCalls();
    const { source, agent, get } = await setup();
    for (let i = 0; i < 4; i++) {
      expect(await get()).toBe(SELF_ID);
      source.set(ca.issueSvid(SELF_ID).svid);
    }
    expect(await get()).toBe(SELF_ID);
    // The second-to-last rotation's pool is certainly done closing (undici has destroyed it) by now.
    await new Promise<void>((resolve) => setImmediate(resolve));
    await expect(agent.close()).resolves.toBeUndefined();
    await expect(agent.close()).resolves.toBeUndefined();
    await expect(agent.destroy()).resolves.toBeUndefined();
    // 4 retired pools + the current one; each was closed gracefully once.
    expect(calls.closes.size).toBe(5);
    expect([...calls.closes.values()]).toEqual([1, 1, 1, 1, 1]);
  });

  it("resolves when close() is called while a retired pool is still closing", async () => {
    const calls = countPoolCalls();
    const { source, agent, get } = await setup();
    expect(await get()).toBe(SELF_ID);
    source.set(ca.issueSvid(SELF_ID).svid);
    await expect(agent.close()).resolves.toBeUndefined();
    expect([...calls.closes.values()]).toEqual([1, 1]);
  });

  it("destroy() after rotations destroys every pool and later close() calls resolve", async () => {
    const calls = countPoolCalls();
    const { source, agent, get } = await setup();
    expect(await get()).toBe(SELF_ID);
    source.set(ca.issueSvid(SELF_ID).svid);
    expect(await get()).toBe(SELF_ID);
    source.set(ca.issueSvid(SELF_ID).svid);
    await expect(agent.destroy()).resolves.toBeUndefined();
    await expect(agent.close()).resolves.toBeUndefined();
    expect(calls.destroys.size).toBeGreaterThanOrEqual(3);
    // Only the two retired pools were closed gracefully (by the rotation), none twice.
    expect([...calls.closes.values()]).toEqual([1, 1]);
  });
});
