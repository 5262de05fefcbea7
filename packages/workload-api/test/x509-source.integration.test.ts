import { mkdtemp, rm } from "node:fs/promises";
import { status } from "@grpc/grpc-js";
import { SpiffeError, TrustDomain, verifyX509Svid } from "@spike-ts/spiffe";
import { createTestCa } from "@spike-ts/spiffe/testing";
import { describe, expect, it } from "vitest";
import { type BackoffStrategy, WorkloadApiError, createWorkloadApiClient, createX509Source, linearBackoff } from "../src/index.js";
import type { WorkloadX509Source, X509SourceOptions } from "../src/index.js";
import { startDevWorkloadApi } from "../src/testing/index.js";
import { nextEvent, rejection, useCleanup } from "./helpers.js";

const cleanup = useCleanup();
const API = "spiffe://example.org/api";
const WEB = "spiffe://example.org/web";
const fast: BackoffStrategy = linearBackoff({ stepMs: 10, maxMs: 50 });

async function agentWith(opts: Partial<Parameters<typeof startDevWorkloadApi>[0]> = {}) {
  const agent = await startDevWorkloadApi({ identities: [{ spiffeId: API }], ...opts });
  cleanup(() => agent.close());
  return agent;
}

async function sourceFor(address: string, opts: X509SourceOptions = {}): Promise<WorkloadX509Source> {
  const s = await createX509Source({ address, backoff: fast, ...opts });
  cleanup(() => s.close());
  return s;
}

/** Handles that keep the process alive (sockets, timers), ignoring transient fs requests. */
const handles = () =>
  process
    .getActiveResourcesInfo()
    .filter((r) => r !== "TTYWrap" && !r.startsWith("FSReq"))
    .sort();

const leafOf = (s: WorkloadX509Source) => Buffer.from(s.getX509Svid().certificates[0] as Uint8Array);

describe("createX509Source", () => {
  it("resolves with the first SVID and serves SVID and bundles", async () => {
    const partner = createTestCa({ trustDomain: "partner.org" });
    const agent = await agentWith({ federatedBundles: { "partner.org": partner.bundle } });
    const source = await sourceFor(agent.address);
    const svid = source.getX509Svid();
    expect(svid.id.toString()).toBe(API);
    expect(leafOf(source).equals(Buffer.from(agent.svids[0]?.certificates[0] as Uint8Array))).toBe(true);
    expect(source.getX509BundleForTrustDomain(TrustDomain.parse("example.org")).equals(agent.bundle)).toBe(true);
    expect(source.getX509BundleForTrustDomain(TrustDomain.parse("partner.org")).equals(partner.bundle)).toBe(true);
    expect(() => source.getX509BundleForTrustDomain(TrustDomain.parse("other.org"))).toThrowError(/no x.509 bundle/);
    expect(verifyX509Svid(svid.certificates, source).id.toString()).toBe(API);
    expect(source.getX509Context().svids).toHaveLength(1);
  });

  it("reads SPIFFE_ENDPOINT_SOCKET when no address is given", async () => {
    const agent = await agentWith();
    const before = process.env["SPIFFE_ENDPOINT_SOCKET"];
    process.env["SPIFFE_ENDPOINT_SOCKET"] = agent.address;
    cleanup(() => {
      if (before === undefined) delete process.env["SPIFFE_ENDPOINT_SOCKET"];
      else process.env["SPIFFE_ENDPOINT_SOCKET"] = before;
    });
    const source = await createX509Source();
    cleanup(() => source.close());
    expect(source.getX509Svid().id.toString()).toBe(API);
  });

  it("applies rotations at half-life (short TTL) and fires onUpdate once per change", async () => {
    const agent = await agentWith({ svidTtlMs: 1_500 });
    const source = await sourceFor(agent.address);
    const first = leafOf(source);
    let updates = 0;
    source.onUpdate(() => updates++);
    await nextEvent<void>((l) => source.onUpdate(l));
    expect(updates).toBe(1);
    expect(leafOf(source).equals(first)).toBe(false);
    expect(leafOf(source).equals(Buffer.from(agent.svids[0]?.certificates[0] as Uint8Array))).toBe(true);
  });

  it("fires no update for identical re-sends (and none right after creation)", async () => {
    const agent = await agentWith();
    const source = await sourceFor(agent.address);
    let updates = 0;
    source.onUpdate(() => updates++);
    agent.setFederatedBundles({}); // same content, re-sent on FetchX509SVID
    agent.rotate();
    await nextEvent<void>((l) => source.onUpdate(l));
    expect(updates).toBe(1);
  });

  it("unsubscribes listeners", async () => {
    const agent = await agentWith();
    const source = await sourceFor(agent.address);
    let calls = 0;
    const off = source.onUpdate(() => calls++);
    off();
    agent.rotate();
    await nextEvent<void>((l) => source.onUpdate(l));
    expect(calls).toBe(0);
  });

  it("follows a CA rotation: both roots trusted, new SVID signed by the new CA", async () => {
    const agent = await agentWith();
    const source = await sourceFor(agent.address);
    const oldRoot = Buffer.from(agent.ca.rootDer);
    agent.rotateCa();
    await nextEvent<void>((l) => source.onUpdate(l));
    const bundle = source.getX509BundleForTrustDomain(TrustDomain.parse("example.org"));
    expect(bundle.authorities).toHaveLength(2);
    expect(bundle.hasAuthority(oldRoot)).toBe(true);
    expect(bundle.hasAuthority(agent.ca.rootDer)).toBe(true);
    expect(verifyX509Svid(source.getX509Svid().certificates, source).id.toString()).toBe(API);
  });

  it("survives an agent restart, serving the last SVID meanwhile", async () => {
    const agent = await agentWith();
    const source = await sourceFor(agent.address);
    const first = leafOf(source);
    await agent.stop();
    await nextEvent<WorkloadApiError>((l) => source.onError(l), (e) => e.code === "unreachable");
    expect(leafOf(source).equals(first)).toBe(true);
    agent.rotate();
    await agent.start();
    await nextEvent<void>((l) => source.onUpdate(l));
    expect(leafOf(source).equals(first)).toBe(false);
  });

  it("never hands out an expired SVID (injected clock)", async () => {
    let now = new Date();
    const clock = () => now;
    const agent = await agentWith({ now: clock });
    const source = await sourceFor(agent.address, { now: clock });
    const svid = source.getX509Svid();
    now = new Date(svid.notAfter.getTime() + 1_000);
    let err: unknown;
    try {
      source.getX509Svid();
    } catch (e) {
      err = e;
    }
    expect(SpiffeError.is(err, "svid_expired")).toBe(true);
    expect((err as Error).message).toContain(`${API} expired at ${svid.notAfter.toISOString()}`);
    expect(source.getX509Svids()).toEqual([]); // the list obeys the same rule
    // a fresh SVID heals it
    agent.rotate();
    await nextEvent<void>((l) => source.onUpdate(l));
    expect(source.getX509Svid().notAfter.getTime()).toBeGreaterThan(now.getTime());
  });

  it("skips an update whose SVID is already expired", async () => {
    let now = new Date();
    const agent = await agentWith();
    const source = await sourceFor(agent.address, { now: () => now });
    now = new Date(Date.now() + 2 * 3_600_000);
    agent.rotate();
    const e = await nextEvent<WorkloadApiError>((l) => source.onError(l));
    expect(e.code).toBe("expired");
  });

  it("fails with the last error when no identity is issued", async () => {
    const agent = await agentWith({ identities: [] });
    const e = await rejection(createX509Source({ address: agent.address, backoff: fast, timeoutMs: 300 }));
    expect(e.code).toBe("timeout");
    expect(e.message).toContain(`no X.509-SVID from the Workload API at unix:${agent.socketPath} within 300 ms`);
    expect(e.message).toContain('"no identity issued"');
    expect(WorkloadApiError.is(e.cause, "no_identity")).toBe(true);
  });

  it("fails with the reason when there is no socket", async () => {
    const dir = await mkdtemp("/tmp/sts-");
    cleanup(() => rm(dir, { recursive: true, force: true }));
    const e = await rejection(createX509Source({ address: `unix://${dir}/none.sock`, backoff: fast, timeoutMs: 300 }));
    expect(e.code).toBe("timeout");
    expect(e.message).toContain("no Workload API agent answers at");
  });

  it("says the agent sent nothing when the first message never comes", async () => {
    const agent = await agentWith();
    cleanup(agent.holdFirstMessages());
    const e = await rejection(createX509Source({ address: agent.address, timeoutMs: 300 }));
    expect(e.message).toMatch(/accepted the call but sent nothing yet/);
  });

  it("fails fast on INVALID_ARGUMENT", async () => {
    const agent = await agentWith();
    agent.injectStatus("FetchX509SVID", { code: status.INVALID_ARGUMENT, details: "security header missing from request" });
    const e = await rejection(createX509Source({ address: agent.address, timeoutMs: 60_000 }));
    expect(e.code).toBe("invalid_argument");
    expect(agent.calls).toHaveLength(1);
  });

  it("waits through PERMISSION_DENIED until the entry appears", async () => {
    const agent = await agentWith({ identities: [] });
    const pending = createX509Source({ address: agent.address, backoff: fast, timeoutMs: 10_000 });
    await new Promise<void>((resolve) => {
      const check = () => (agent.calls.length >= 2 ? resolve() : setImmediate(check));
      check();
    });
    agent.setIdentities([{ spiffeId: API }]);
    const source = await pending;
    cleanup(() => source.close());
    expect(source.getX509Svid().id.toString()).toBe(API);
  });

  it("honours an abort signal during creation", async () => {
    const agent = await agentWith({ identities: [] });
    const ac = new AbortController();
    const p = createX509Source({ address: agent.address, backoff: fast, signal: ac.signal });
    ac.abort();
    expect((await rejection(p)).code).toBe("aborted");
  });

  it("keeps the last SVID through PERMISSION_DENIED mid-stream and reports it", async () => {
    const agent = await agentWith();
    const source = await sourceFor(agent.address);
    const first = leafOf(source);
    const seen = nextEvent<WorkloadApiError>((l) => source.onError(l), (e) => e.code === "no_identity");
    agent.setIdentities([]);
    await seen;
    expect(leafOf(source).equals(first)).toBe(true);
  });

  it("keeps the previous state on malformed messages", async () => {
    const agent = await agentWith();
    const source = await sourceFor(agent.address);
    const first = leafOf(source);
    const seen = nextEvent<WorkloadApiError>((l) => source.onError(l));
    agent.sendMalformed("garbage-der");
    expect((await seen).code).toBe("malformed_response");
    expect(leafOf(source).equals(first)).toBe(true);
  });
});

describe("createX509Source pick", () => {
  const identities = [
    { spiffeId: API, hint: "internal" },
    { spiffeId: WEB, hint: "external" },
  ];

  it("picks by hint, by ID, by function; default first", async () => {
    const agent = await agentWith({ identities });
    expect((await sourceFor(agent.address)).getX509Svid().id.toString()).toBe(API);
    expect((await sourceFor(agent.address, { pick: { hint: "external" } })).getX509Svid().id.toString()).toBe(WEB);
    expect((await sourceFor(agent.address, { pick: { id: WEB } })).getX509Svid().hint).toBe("external");
    expect((await sourceFor(agent.address, { pick: (l) => l.find((s) => s.hint === "external") })).getX509Svid().id.toString()).toBe(WEB);
  });

  it("keeps the pick when the agent's order changes", async () => {
    const agent = await agentWith({ identities });
    const source = await sourceFor(agent.address, { pick: { hint: "internal" } });
    agent.setIdentities([identities[1] as (typeof identities)[number], identities[0] as (typeof identities)[number]]);
    await nextEvent<void>((l) => source.onUpdate(l));
    expect(source.getX509Context().defaultSvid.id.toString()).toBe(WEB);
    expect(source.getX509Svid().id.toString()).toBe(API);
  });

  it("fails loudly when the picked SVID is missing", async () => {
    const agent = await agentWith({ identities });
    const e = await rejection(createX509Source({ address: agent.address, pick: { hint: "nope" } }));
    expect(e.code).toBe("pick_missing");
    expect(e.message).toBe(
      `workload-api: no SVID with hint "nope" among the SVIDs the agent sent: ${API} (hint "internal"), ${WEB} (hint "external")`,
    );
    const source = await sourceFor(agent.address, { pick: { hint: "external" } });
    const seen = nextEvent<WorkloadApiError>((l) => source.onError(l));
    agent.setIdentities([identities[0] as (typeof identities)[number]]);
    expect((await seen).code).toBe("pick_missing");
    expect(source.getX509Svid().id.toString()).toBe(WEB);
  });
});

describe("createX509Source lifecycle", () => {
  it("close() ends streams and timers; the process keeps no handles", async () => {
    const agent = await agentWith();
    const baseline = handles();
    const source = await createX509Source({ address: agent.address });
    expect(agent.openStreams("FetchX509SVID")).toBe(1);
    const during = handles();
    await source.close();
    await new Promise<void>((resolve) => {
      const check = () => (agent.openStreams() === 0 ? resolve() : setImmediate(check));
      check();
    });
    // grpc-js releases its socket asynchronously; poll with a deadline. Handles left over from
    // earlier tests may also go away meanwhile, so check that nothing was added to the baseline.
    const extra = () => {
      const left = [...baseline];
      const added: string[] = [];
      for (const h of handles()) {
        const i = left.indexOf(h);
        if (i === -1) added.push(h);
        else left.splice(i, 1);
      }
      return added;
    };
    const deadline = Date.now() + 5_000;
    while (extra().length > 0 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    expect(extra()).toEqual([]);
    expect(during.filter((h) => h === "PipeWrap").length).toBeGreaterThan(baseline.filter((h) => h === "PipeWrap").length);
    expect(() => source.getX509Svid()).toThrowError(/closed/);
    let err: unknown;
    try {
      source.getX509Svid();
    } catch (e) {
      err = e;
    }
    expect(SpiffeError.is(err, "source_closed")).toBe(true);
  });

  it("does not close a client it was given", async () => {
    const agent = await agentWith();
    const client = createWorkloadApiClient({ address: agent.address });
    cleanup(() => client.close());
    const source = await createX509Source({ client });
    await source.close();
    expect((await client.fetchX509Svid()).id.toString()).toBe(API);
  });

  it("validates options on the spot", async () => {
    await expect(createX509Source({ address: "/tmp/a.sock" })).rejects.toThrowError(/write unix:/);
    await expect(createX509Source({ address: "unix:/tmp/a.sock", timeoutMs: -1 })).rejects.toThrowError(/timeoutMs/);
    await expect(createX509Source({ address: "unix:/tmp/a.sock", pick: { hint: 3 as unknown as string } })).rejects.toThrowError(/pick.hint/);
  });
});

describe("createX509Source extras", () => {
  it('onPermissionDenied: "clear" stops serving the SVID until a new one arrives', async () => {
    const agent = await agentWith();
    const source = await sourceFor(agent.address, { onPermissionDenied: "clear" });
    const denied = nextEvent<WorkloadApiError>((l) => source.onError(l), (e) => e.code === "no_identity");
    agent.setIdentities([]);
    await denied;
    let err: unknown;
    try {
      source.getX509Svid();
    } catch (e) {
      err = e;
    }
    expect(WorkloadApiError.is(err, "no_identity")).toBe(true);
    expect(source.getX509Svids()).toEqual([]);
    expect(source.getX509BundleForTrustDomain(TrustDomain.parse("example.org")).equals(agent.bundle)).toBe(true);
    const back = source.waitForUpdate();
    agent.setIdentities([{ spiffeId: WEB }]);
    await back;
    expect(source.getX509Svid().id.toString()).toBe(WEB);
    expect(source.getX509Svids().map((x) => x.id.toString())).toEqual([WEB]);
  });

  it("waitForUpdate resolves on the next change, rejects on abort and on close", async () => {
    const agent = await agentWith();
    const source = await sourceFor(agent.address);
    const next = source.waitForUpdate();
    agent.rotate();
    await next;
    expect(leafOf(source).equals(Buffer.from(agent.svids[0]?.certificates[0] as Uint8Array))).toBe(true);
    const ac = new AbortController();
    const aborted = source.waitForUpdate({ signal: ac.signal });
    ac.abort();
    await expect(aborted).rejects.toMatchObject({ code: "aborted" });
    const pending = source.waitForUpdate();
    await source.close();
    await expect(pending).rejects.toMatchObject({ code: "source_closed" });
  });

  it("rejects a bad onPermissionDenied", async () => {
    await expect(createX509Source({ address: "unix:/tmp/x.sock", onPermissionDenied: "drop" as "keep" })).rejects.toThrowError(/keep" or "clear/);
  });
});
