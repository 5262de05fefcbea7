import { getEventListeners } from "node:events";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { caught, useMockNexus } from "../test/client-setup.js";
import { type FakeClock, until } from "../test/fake-clock.js";
import type { MockNexus } from "../test/mock-nexus.js";
import type { NexusClient } from "./client.js";

let nexus: MockNexus;
let clock: FakeClock;
let client: NexusClient;
useMockNexus((s) => ({ nexus, clock, client } = s));

const CALLS = 100;
const warnings: Error[] = [];
const onWarning = (w: Error) => warnings.push(w);
beforeEach(() => {
  warnings.length = 0;
  process.on("warning", onWarning);
});
afterEach(() => {
  process.off("warning", onWarning);
});

/** Lets Node deliver process warnings (emitted on the next tick) before they are checked. */
const warningsFlushed = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("many concurrent calls", () => {
  it(`${CALLS} concurrent calls succeed and print no MaxListenersExceededWarning`, async () => {
    for (let i = 0; i < CALLS; i++) nexus.on("/v1/store/secrets?action=get", { status: 200, json: { data: { n: String(i) } } });
    const results = await Promise.all(Array.from({ length: CALLS }, (_, i) => client.getSecret(`app/${i}`)));
    await warningsFlushed();
    expect(results).toHaveLength(CALLS);
    expect(new Set(results.map((r) => r["n"])).size).toBe(CALLS);
    expect(warnings.map((w) => w.name)).toEqual([]);
    expect(clock.pending()).toBe(0);
  });

  it(`${CALLS} calls in flight under one caller signal add one listener to it, and aborting stops them all`, async () => {
    for (let i = 0; i < CALLS; i++) nexus.on("/v1/store/secrets?action=get", { hang: true });
    const ac = new AbortController();
    const pending = Array.from({ length: CALLS }, (_, i) => caught(client.getSecret(`app/${i}`, { signal: ac.signal })));
    await until(() => nexus.seen.length === CALLS);
    expect(getEventListeners(ac.signal, "abort")).toHaveLength(1);
    ac.abort(new Error("user stop"));
    const errors = await Promise.all(pending);
    await warningsFlushed();
    expect(errors.map((e) => e.code)).toEqual(Array.from({ length: CALLS }, () => "aborted"));
    expect((errors[0]?.cause as Error).message).toBe("user stop");
    expect(warnings.map((w) => w.name)).toEqual([]);
    expect(clock.pending()).toBe(0);
  });

  it("a caller signal loses its listener once its calls are done", async () => {
    const ac = new AbortController();
    for (let i = 0; i < 3; i++) nexus.on("/v1/store/secrets?action=get", { status: 200, json: { data: {} } });
    await Promise.all([0, 1, 2].map((i) => client.getSecret(`app/${i}`, { signal: ac.signal })));
    expect(getEventListeners(ac.signal, "abort")).toHaveLength(0);
  });

  it(`close() stops all ${CALLS} calls in flight with closed, without a warning`, async () => {
    for (let i = 0; i < CALLS; i++) nexus.on("/v1/store/secrets?action=get", { hang: true });
    const pending = Array.from({ length: CALLS }, (_, i) => caught(client.getSecret(`app/${i}`)));
    await until(() => nexus.seen.length === CALLS);
    await client.close();
    const errors = await Promise.all(pending);
    await warningsFlushed();
    expect(new Set(errors.map((e) => e.code))).toEqual(new Set(["closed"]));
    expect(errors[0]?.message).toBe("nexus: the client was closed during secret.get");
    expect(warnings.map((w) => w.name)).toEqual([]);
    expect(clock.pending()).toBe(0);
  });

  it("the timeout of one call stops only that call", async () => {
    nexus.on("/v1/store/secrets?action=get", { hang: true });
    nexus.on("/v1/store/secrets?action=get", { hang: true });
    const short = caught(client.getSecret("app/short", { timeoutMs: 100 }));
    const long = client.getSecret("app/long", { timeoutMs: 60_000 });
    await until(() => nexus.seen.length === 2);
    expect(clock.fireNext()).toBe(true);
    expect((await short).code).toBe("timeout");
    expect(clock.pending()).toBe(1);
    await client.close();
    expect((await caught(long)).code).toBe("closed");
  });
});
