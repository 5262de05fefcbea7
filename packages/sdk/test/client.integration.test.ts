import { once } from "node:events";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { CacheError } from "@spike-ts/cache";
import type { CacheChangeEvent } from "@spike-ts/cache";
import { createManualClock } from "@spike-ts/cache/testing";
import { createMtlsServerOptions, MtlsError } from "@spike-ts/mtls-transport";
import { NexusError } from "@spike-ts/nexus-client";
import { Secret, SpikeError, createSpikeClient } from "../src/index.js";
import type { SpikeClient } from "../src/index.js";
import { startDevStack } from "../src/testing/index.js";
import type { DevStack } from "../src/testing/index.js";
import { authorizeAny } from "@spike-ts/spiffe";
import { createStaticX509Source } from "@spike-ts/spiffe/testing";
import { WorkloadApiError, createX509Source } from "@spike-ts/workload-api";
import { startDevWorkloadApi } from "@spike-ts/workload-api/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { rejection, shortTempDir, socketPath, waitFor } from "./helpers.js";

let stack: DevStack;
let pilot: SpikeClient;
let workload: SpikeClient;
const cleanups: Array<() => Promise<unknown>> = [];

/** A second dev agent on the stack's CA serving `identities`, closed and removed after the test. */
async function startExtraAgent(name: string, identities: Array<{ spiffeId: string }>) {
  const tmp = await shortTempDir();
  cleanups.push(tmp.remove);
  const api = await startDevWorkloadApi({ ca: stack.ca, trustDomain: stack.trustDomain, socketPath: socketPath(tmp.dir, name), identities });
  cleanups.push(() => api.close());
  return api;
}

beforeAll(async () => {
  stack = await startDevStack();
  pilot = await createSpikeClient({ env: stack.pilot.env });
  workload = await createSpikeClient({ env: stack.workload.env });
  const spiffeIdPattern = `^${stack.workload.spiffeId.replace(/[.]/g, "\\.")}$`;
  await pilot.createPolicy({ name: "it-rw", spiffeIdPattern, pathPattern: "^it/.*$", permissions: ["read", "write"] });
  await pilot.createPolicy({ name: "it-list", spiffeIdPattern, pathPattern: "^spike/system/secret$", permissions: ["list"] });
});

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

afterAll(async () => {
  await workload?.close();
  await pilot?.close();
  await stack?.close();
});

describe("createSpikeClient", () => {
  it("resolves with the workload's SVID and the stack's Nexus", () => {
    expect(workload.spiffeId).toBe(stack.workload.spiffeId);
    expect(pilot.spiffeId).toBe(stack.pilot.spiffeId);
    expect(workload.nexusUrl).toBe(stack.nexusUrl);
  });
});

describe("secrets", () => {
  it("puts, gets, versions, deletes, undeletes, lists and reads metadata", async () => {
    const path = "it/secrets/db";
    await workload.putSecret(path, { username: "app", password: "first-pass" });
    await workload.putSecret(path, { username: "app", password: "second-pass" });

    const current = await workload.getSecret(path);
    expect(current).toBeInstanceOf(Secret);
    expect(current.reveal()).toEqual({ username: "app", password: "second-pass" });
    expect((await workload.getSecret(path, { version: 1 })).get("password")).toBe("first-pass");

    const meta = await workload.getSecretMetadata(path);
    expect(meta.currentVersion).toBe(2);
    expect(meta.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(meta.versions.every((v) => v.createdTime instanceof Date)).toBe(true);

    await workload.deleteSecret(path);
    const notFound = await rejection(workload.getSecret(path, { version: 2 }));
    expect(NexusError.is(notFound, "not_found")).toBe(true);
    expect((await workload.getSecret(path)).get("password")).toBe("first-pass");

    await workload.undeleteSecret(path, { versions: [2] });
    expect((await workload.getSecret(path)).get("password")).toBe("second-pass");

    expect(await workload.listSecretKeys()).toContain(path);
  });

  it("honours an already aborted signal", async () => {
    const ac = new AbortController();
    ac.abort();
    const e = await rejection(workload.getSecret("it/secrets/db", { signal: ac.signal }));
    expect(NexusError.is(e, "aborted")).toBe(true);
    expect((e as NexusError).attempts).toBe(0);
  });

  it("keeps working across an SVID rotation and still closes cleanly", async () => {
    const source = await createX509Source({ address: stack.workload.env.SPIFFE_ENDPOINT_SOCKET });
    cleanups.push(() => source.close());
    const client = await createSpikeClient({ env: stack.workload.env, source });
    await client.putSecret("it/rotation/a", { v: "1" });
    const before = source.getX509Svid().certificates[0];
    const updated = new Promise<void>((resolve) => {
      const off = source.onUpdate(() => {
        off();
        resolve();
      });
    });
    stack.workload.workloadApi.rotate();
    await updated;
    expect(Buffer.from(source.getX509Svid().certificates[0] as Uint8Array).equals(Buffer.from(before as Uint8Array))).toBe(false);
    expect(client.spiffeId).toBe(stack.workload.spiffeId);
    expect((await client.getSecret("it/rotation/a")).get("v")).toBe("1");
    await expect(client.close()).resolves.toBeUndefined();
  });
});

describe("policies", () => {
  it("creates, gets, lists and deletes", async () => {
    await pilot.createPolicy({
      name: "it-temp",
      spiffeIdPattern: "^spiffe://spike\\.ist/temp$",
      pathPattern: "^temp/.*$",
      permissions: ["read"],
    });
    const p = await pilot.getPolicy("it-temp");
    expect(p.name).toBe("it-temp");
    expect(p.spiffeIdPattern).toBe("^spiffe://spike\\.ist/temp$");
    expect(p.pathPattern).toBe("^temp/.*$");
    expect([...p.permissions]).toEqual(["read"]);
    expect(p.createdAt).toBeInstanceOf(Date);

    const names = (await pilot.listPolicies()).map((x) => x.name);
    expect(names).toEqual(expect.arrayContaining(["it-rw", "it-list", "it-temp"]));
    const filtered = await pilot.listPolicies({ pathPattern: "^temp/.*$" });
    expect(filtered.map((x) => x.name)).toEqual(["it-temp"]);

    await pilot.deletePolicy("it-temp");
    expect((await pilot.listPolicies()).map((x) => x.name)).not.toContain("it-temp");
  });
});

describe("cipher", () => {
  it("encrypts and decrypts through Nexus", async () => {
    const blob = await pilot.encrypt("hello nexus");
    expect(blob[0]).toBe(1);
    expect(Buffer.from(blob).includes(Buffer.from("hello nexus"))).toBe(false);
    const plain = await pilot.decrypt(blob);
    expect(new TextDecoder().decode(plain)).toBe("hello nexus");
  });

  it("encrypts and decrypts in JSON mode, interchangeable with the streaming blob", async () => {
    const data = await pilot.encryptJson("hello json");
    expect(data.version).toBe(1);
    expect(data.nonce).toHaveLength(12);
    expect(data.ciphertext).toHaveLength("hello json".length + 16);
    expect(new TextDecoder().decode(await pilot.decryptJson(data))).toBe("hello json");
    // The same key serves both modes.
    const blob = Uint8Array.from([data.version, ...data.nonce, ...data.ciphertext]);
    expect(new TextDecoder().decode(await pilot.decrypt(blob))).toBe("hello json");
  });
});

describe("secret hiding", () => {
  it("keeps values out of inspect, JSON and error messages", async () => {
    const path = "it/hiding/api";
    await workload.putSecret(path, { key: "sk-live-0123456789" });
    const s = await workload.getSecret(path);
    expect(inspect(s)).not.toContain("sk-live");
    expect(JSON.stringify({ s })).not.toContain("sk-live");
    expect(String(s)).not.toContain("sk-live");
    expect(s.get("key")).toBe("sk-live-0123456789");

    const bad = await rejection(workload.putSecret(path, { "bad.key": "sk-live-0123456789" }));
    expect(NexusError.is(bad)).toBe(true);
    expect(bad.message).not.toContain("sk-live");
    expect(inspect(bad)).not.toContain("sk-live");
    expect(JSON.stringify(bad)).not.toContain("sk-live");
  });
});

describe("errors from each layer", () => {
  it("agent socket missing: WorkloadApiError", async () => {
    const tmp = await shortTempDir();
    cleanups.push(tmp.remove);
    const e = await rejection(
      createSpikeClient({
        env: { ...stack.workload.env, SPIFFE_ENDPOINT_SOCKET: `unix://${socketPath(tmp.dir, "none.sock")}` },
        sourceTimeoutMs: 1_500,
      }),
    );
    // The source retries until sourceTimeoutMs, then fails with `timeout` carrying the last error.
    expect(WorkloadApiError.is(e, "timeout")).toBe(true);
    expect(WorkloadApiError.is(e.cause, "unreachable")).toBe(true);
    expect(e.message).toMatch(/^workload-api: .*is the agent running/);
  });

  it("agent socket missing with waitForAgent: false: rejects with unreachable, not timeout, and onSourceError saw it first", async () => {
    const tmp = await shortTempDir();
    cleanups.push(tmp.remove);
    const sock = socketPath(tmp.dir, "none.sock");
    const seen: WorkloadApiError[] = [];
    const e = await rejection(
      createSpikeClient({
        env: { ...stack.workload.env, SPIFFE_ENDPOINT_SOCKET: `unix://${sock}` },
        // Far beyond the test's own timeout: finishing at all shows creation did not wait for it.
        sourceTimeoutMs: 3_600_000,
        waitForAgent: false,
        onSourceError: (err) => seen.push(err),
      }),
    );
    expect(WorkloadApiError.is(e, "unreachable")).toBe(true);
    expect(e.message).toContain(`no socket at ${sock} (ENOENT)`);
    expect(e.message).not.toContain("within");
    // The listener got the very error creation rejected with, once.
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBe(e);
  });

  it("onSourceError keeps reporting after creation (agent stops) while the client serves its SVID", async () => {
    const api = await startExtraAgent("agent.sock", [{ spiffeId: stack.workload.spiffeId }]);
    const seen: WorkloadApiError[] = [];
    const client = await createSpikeClient({
      env: { ...stack.workload.env, SPIFFE_ENDPOINT_SOCKET: api.address },
      waitForAgent: false,
      onSourceError: (err) => seen.push(err),
    });
    cleanups.push(() => client.close());
    expect(seen).toEqual([]);
    await api.stop();
    await waitFor(() => seen.length > 0, "a source error after the agent stopped");
    expect(WorkloadApiError.is(seen[0])).toBe(true);
    expect(["unavailable", "unreachable"]).toContain(seen[0]!.code);
    expect(client.spiffeId).toBe(stack.workload.spiffeId);
    const secrets = await client.listSecretKeys();
    expect(Array.isArray(secrets)).toBe(true);
  });

  it("no identity for this workload: WorkloadApiError no_identity", async () => {
    const api = await startExtraAgent("empty.sock", []);
    const e = await rejection(
      createSpikeClient({ env: { ...stack.workload.env, SPIFFE_ENDPOINT_SOCKET: api.address }, sourceTimeoutMs: 1_500 }),
    );
    expect(WorkloadApiError.is(e, "timeout")).toBe(true);
    expect(WorkloadApiError.is(e.cause, "no_identity")).toBe(true);
    expect(e.message).toContain("no identity is issued to this workload");
  });

  it("server is not Nexus: MtlsError unauthorized naming the expected ID", async () => {
    const imposter = stack.ca.issueSvid(`spiffe://${stack.trustDomain}/imposter`);
    const source = createStaticX509Source(imposter.svid, stack.ca.bundle);
    const mtls = createMtlsServerOptions({ source, authorize: authorizeAny() });
    const server = mtls.attach(
      createServer(mtls, (_req, res) => {
        res.writeHead(200, { "content-type": "application/json" }).end('{"data":{"k":"v"}}');
      }),
    );
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    cleanups.push(async () => server.closeAllConnections());
    const { port } = server.address() as AddressInfo;

    const client = await createSpikeClient({ env: { ...stack.workload.env, SPIKE_NEXUS_API_URL: `https://127.0.0.1:${port}` } });
    cleanups.push(() => client.close());
    const e = await rejection(client.getSecret("it/any"));
    expect(MtlsError.is(e, "unauthorized")).toBe(true);
    expect((e as MtlsError).peerId).toBe(`spiffe://${stack.trustDomain}/imposter`);
    expect(e.message).toMatch(/^mtls: /);
    expect(e.message).toContain(`spiffe://${stack.trustDomain}/spike/nexus[/...]`);
    // The cached view reports the same mTLS error as the loader's cause.
    const cacheErr = await rejection(client.cached().get("it/any"));
    expect(CacheError.is(cacheErr, "load_failed")).toBe(true);
    expect(MtlsError.is(cacheErr.cause, "unauthorized")).toBe(true);
  });

  it("a Nexus that never answers: the caller's signal aborts, requestTimeoutMs times out", async () => {
    const fake = stack.ca.issueSvid(`spiffe://${stack.trustDomain}/spike/nexus`);
    const mtls = createMtlsServerOptions({ source: createStaticX509Source(fake.svid, stack.ca.bundle), authorize: authorizeAny() });
    let seen = 0;
    const arrived: Array<() => void> = [];
    const server = mtls.attach(
      createServer(mtls, () => {
        seen += 1;
        for (const f of arrived.splice(0)) f();
      }),
    );
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    cleanups.push(async () => server.closeAllConnections());
    const { port } = server.address() as AddressInfo;
    const url = `https://127.0.0.1:${port}`;

    const client = await createSpikeClient({ env: { ...stack.workload.env, SPIKE_NEXUS_API_URL: url } });
    cleanups.push(() => client.close());
    const ac = new AbortController();
    const reached = new Promise<void>((resolve) => arrived.push(resolve));
    const pending = rejection(client.getSecret("it/hang", { signal: ac.signal }));
    await reached;
    ac.abort(new Error("caller gave up"));
    const aborted = await pending;
    expect(NexusError.is(aborted, "aborted")).toBe(true);
    expect(seen).toBe(1);

    const slow = await createSpikeClient({ env: { ...stack.workload.env, SPIKE_NEXUS_API_URL: url, SPIKE_HTTP_CLIENT_TIMEOUT: "300ms" } });
    cleanups.push(() => slow.close());
    const timedOut = await rejection(slow.getSecret("it/hang"));
    expect(NexusError.is(timedOut, "timeout")).toBe(true);
    expect(timedOut.message).toContain("300 ms");
  });

  it("a cipher refusal names the cipher permission, not the lite-workload rule", async () => {
    const e = await rejection(workload.encrypt("x"));
    expect(NexusError.is(e, "unauthorized")).toBe(true);
    expect(e.message).toContain(`give ${stack.workload.spiffeId} a policy granting execute on spike/system/cipher/exec`);
    expect(e.message).not.toContain("may only encrypt");
  });

  it("undelete without versions after a delete lists the deleted versions", async () => {
    const path = "it/undelete/hint";
    await workload.putSecret(path, { v: "one" });
    await workload.putSecret(path, { v: "two" });
    await workload.deleteSecret(path);
    // Nexus semantics: the previous live version is current again.
    expect((await workload.getSecret(path)).get("v")).toBe("one");
    const e = await rejection(workload.undeleteSecret(path));
    expect(NexusError.is(e, "not_found")).toBe(true);
    expect(e.message).toContain("deleted versions in metadata: 2 (pass them as versions: [2])");
    await workload.undeleteSecret(path, { versions: [2] });
    expect((await workload.getSecret(path)).get("v")).toBe("two");
  });

  it("denied by policy: NexusError unauthorized (401)", async () => {
    const e = await rejection(workload.getSecret("other/tenant/db"));
    expect(NexusError.is(e, "unauthorized")).toBe(true);
    expect((e as NexusError).status).toBe(401);
  });

  it("not found: NexusError not_found (404)", async () => {
    const e = await rejection(workload.getSecret("it/does/not/exist"));
    expect(NexusError.is(e, "not_found")).toBe(true);
    expect((e as NexusError).status).toBe(404);
  });

  it("bad config: SpikeError config_invalid naming the variable", async () => {
    const e = await rejection(createSpikeClient({ env: { ...stack.workload.env, SPIKE_TRUST_ROOT_NEXUS: "spike.ist," } }));
    expect(SpikeError.is(e, "config_invalid")).toBe(true);
    expect((e as SpikeError).setting).toBe("SPIKE_TRUST_ROOT_NEXUS");
  });

  it("wrong trust root for Nexus: the SDK refuses the real Nexus", async () => {
    const client = await createSpikeClient({ env: { ...stack.workload.env, SPIKE_TRUST_ROOT_NEXUS: "elsewhere.org" } });
    cleanups.push(() => client.close());
    const e = await rejection(client.getSecret("it/any"));
    expect(MtlsError.is(e, "unauthorized")).toBe(true);
    expect(e.message).toContain("spiffe://elsewhere.org/spike/nexus");
  });
});

describe("cached()", () => {
  it("serves hits from memory and refreshes when the version changes", async () => {
    const path = "it/cached/db";
    await workload.putSecret(path, { password: "v1-pass" });
    const secrets = workload.cached({ ttlMs: 100 });
    const first = await secrets.get(path);
    expect(first.get("password")).toBe("v1-pass");
    expect(secrets.peek(path)?.version).toBe(1);
    const again = await secrets.get(path);
    expect(again).toBe(first);
    expect(secrets.stats().loads).toBe(1);

    const changed = new Promise<{ oldVersion: number | undefined; newVersion: number | undefined }>((resolve) => {
      secrets.onChange(path, (ev) => resolve({ oldVersion: ev.oldVersion, newVersion: ev.newVersion }));
    });
    await workload.putSecret(path, { password: "v2-pass" });
    // Keep reading so the entry counts as in use and is refreshed in the background.
    const reader = setInterval(() => void secrets.get(path).catch(() => undefined), 20);
    try {
      expect(await changed).toEqual({ oldVersion: 1, newVersion: 2 });
    } finally {
      clearInterval(reader);
    }
    expect((await secrets.get(path)).get("password")).toBe("v2-pass");
    expect(secrets.stats().versionChecks).toBeGreaterThanOrEqual(2);
    expect(secrets.identity).toBe(stack.workload.spiffeId);
  });

  it("reports a change when the entry expired unread before the reload (user repro)", async () => {
    const path = "it/cached/lapsed";
    await workload.putSecret(path, { password: "v1-pass" });
    const clock = createManualClock(1_000);
    const secrets = workload.cached({ ttlMs: 500, backgroundRefresh: false, clock, timers: clock });
    const events: CacheChangeEvent[] = [];
    secrets.onChange((e) => events.push(e));
    await secrets.get(path);
    await workload.putSecret(path, { password: "v2-pass" });
    await clock.advance(600); // past the TTL: the entry is dropped
    expect(secrets.size).toBe(0);
    expect((await secrets.get(path)).get("password")).toBe("v2-pass");
    expect(events).toEqual([{ path, identity: stack.workload.spiffeId, oldVersion: 1, newVersion: 2, reason: "reload" }]);
    expect(secrets.stats()).toMatchObject({ misses: 2, loads: 2 });
    await secrets.close();
  });

  it("refreshes a value read once in the background and reports the new version", async () => {
    const path = "it/cached/read-once";
    await workload.putSecret(path, { password: "v1-pass" });
    const secrets = workload.cached({ ttlMs: 1_000 });
    cleanups.push(() => secrets.close());
    const changed = new Promise<CacheChangeEvent>((resolve) => secrets.onChange(path, resolve));
    await secrets.get(path);
    await workload.putSecret(path, { password: "v2-pass" });
    const event = await changed;
    expect(event).toMatchObject({ oldVersion: 1, newVersion: 2, reason: "refresh" });
    expect(secrets.peek(path)?.value.get("password")).toBe("v2-pass");
    expect(secrets.stats().refreshes).toBeGreaterThanOrEqual(1);
  });

  it("flushes when the client's SPIFFE ID changes", async () => {
    const api = await startExtraAgent("rot.sock", [{ spiffeId: stack.workload.spiffeId }]);
    const client = await createSpikeClient({ env: { ...stack.workload.env, SPIFFE_ENDPOINT_SOCKET: api.address } });
    cleanups.push(() => client.close());
    const path = "it/cached/flush";
    await client.putSecret(path, { a: "1" });
    const secrets = client.cached({ ttlMs: 60_000 });
    await secrets.get(path);
    expect(secrets.size).toBe(1);

    const otherId = `spiffe://${stack.trustDomain}/demo/other`;
    api.setIdentities([{ spiffeId: otherId }]);
    await waitFor(() => client.spiffeId === otherId, "the new SVID");
    await waitFor(() => secrets.stats().flushes === 1, "the cache flush");
    expect(secrets.size).toBe(0);
    expect(secrets.identity).toBe(otherId);
  });
});

describe("close()", () => {
  it("closes caches and refuses calls afterwards; is idempotent and works with await using", async () => {
    const client = await createSpikeClient({ env: stack.workload.env });
    const secrets = client.cached();
    await client.close();
    await client.close();
    const e = await rejection(client.getSecret("it/secrets/db"));
    expect(SpikeError.is(e, "client_closed")).toBe(true);
    const c = await rejection(secrets.get("it/secrets/db"));
    expect(CacheError.is(c, "closed")).toBe(true);

    let disposed: SpikeClient | undefined;
    {
      await using scoped = await createSpikeClient({ env: stack.workload.env });
      disposed = scoped;
      expect(scoped.spiffeId).toBe(stack.workload.spiffeId);
    }
    expect(SpikeError.is(await rejection(disposed.listSecretKeys()), "client_closed")).toBe(true);
  });
});
