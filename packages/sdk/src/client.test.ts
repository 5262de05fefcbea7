import { createStaticX509Source, createTestCa } from "@spike-ts/spiffe/testing";
import { WorkloadApiError } from "@spike-ts/workload-api";
import { describe, expect, it } from "vitest";
import { createSpikeClient } from "./client.js";
import { SpikeError } from "./errors.js";

// Unit tests without sockets: a static X.509 source and a Nexus URL nobody listens on (no call
// here reaches the network). The calls against a real dev Nexus are in test/*.integration.test.ts.
const env = { SPIKE_NEXUS_API_URL: "https://127.0.0.1:9", SPIKE_TRUST_ROOT_NEXUS: "example.org" };

function staticSource() {
  const ca = createTestCa({ trustDomain: "example.org" });
  const source = createStaticX509Source(ca.issueSvid("spiffe://example.org/app").svid, ca.bundle);
  return { ca, source };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}

describe("createSpikeClient with a given source", () => {
  it("reports the source's SPIFFE ID and follows rotation", async () => {
    const { ca, source } = staticSource();
    const client = await createSpikeClient({ env, source });
    expect(client.spiffeId).toBe("spiffe://example.org/app");
    expect(client.nexusUrl).toBe("https://127.0.0.1:9");
    expect(client.config.nexusTrustRoots).toEqual(["example.org"]);
    source.set(ca.issueSvid("spiffe://example.org/app2").svid);
    expect(client.spiffeId).toBe("spiffe://example.org/app2");
    await client.close();
  });

  it("does not close a source it did not open", async () => {
    const { source } = staticSource();
    const client = await createSpikeClient({ env, source });
    await client.close();
    expect(source.getX509Svid().id.toString()).toBe("spiffe://example.org/app");
  });

  it("refuses every call after close() with client_closed, and close() is idempotent", async () => {
    const { source } = staticSource();
    const client = await createSpikeClient({ env, source });
    await Promise.all([client.close(), client.close()]);
    await client[Symbol.asyncDispose]();
    const calls: Array<Promise<unknown>> = [
      client.putSecret("a/b", { k: "v" }),
      client.getSecret("a/b"),
      client.deleteSecret("a/b"),
      client.undeleteSecret("a/b", { versions: [1] }),
      client.listSecretKeys(),
      client.getSecretMetadata("a/b"),
      client.createPolicy({ name: "p", spiffeIdPattern: "^spiffe://example\\.org/x$", pathPattern: "^a/.*$", permissions: ["read"] }),
      client.getPolicy("p"),
      client.listPolicies(),
      client.deletePolicy("p"),
      client.encrypt("x"),
      client.decrypt(new Uint8Array([1])),
    ];
    for (const call of calls) {
      const e = await rejection(call);
      expect(SpikeError.is(e, "client_closed")).toBe(true);
      expect((e as Error).message).toMatch(/^spike: \w+ called after close\(\); create a new client$/);
    }
    expect(() => client.cached()).toThrow(/cached\(\) called after close/);
  });

  it("binds cached() to the client's identity and flushes on an ID change", async () => {
    const { ca, source } = staticSource();
    const client = await createSpikeClient({ env, source });
    const secrets = client.cached({ ttlMs: 1_000 });
    expect(secrets.identity).toBe("spiffe://example.org/app");
    source.set(ca.issueSvid("spiffe://example.org/app").svid); // same ID, new SVID: no flush
    expect(secrets.stats().flushes).toBe(0);
    source.set(ca.issueSvid("spiffe://example.org/other").svid);
    expect(secrets.identity).toBe("spiffe://example.org/other");
    expect(secrets.stats().flushes).toBe(1);
    await client.close();
    expect(() => secrets.getIfFresh("a/b")).toThrow(/closed/);
  });

  it("fails with config_invalid before any I/O", async () => {
    const { source } = staticSource();
    const e = await rejection(createSpikeClient({ env: { SPIKE_NEXUS_API_URL: "http://plain:1" }, source }));
    expect(SpikeError.is(e, "config_invalid")).toBe(true);
    expect((e as SpikeError).setting).toBe("SPIKE_NEXUS_API_URL");
  });

  it("fails with aborted for an already aborted signal", async () => {
    const { source } = staticSource();
    const ac = new AbortController();
    ac.abort(new Error("stop"));
    const e = await rejection(createSpikeClient({ env, source, signal: ac.signal }));
    expect(SpikeError.is(e, "aborted")).toBe(true);
  });

  it("passes the Workload API's address_invalid through for a malformed socket address", async () => {
    const e = await rejection(createSpikeClient({ env: { ...env, SPIFFE_ENDPOINT_SOCKET: "not-a-uri" } }));
    expect(WorkloadApiError.is(e, "address_invalid")).toBe(true);
    expect((e as Error).message).toMatch(/^workload-api: /);
  });

  it("refuses onSourceError or waitForAgent together with a source of your own", async () => {
    const { source } = staticSource();
    const a = await rejection(createSpikeClient({ env, source, waitForAgent: false }));
    expect(SpikeError.is(a, "config_invalid")).toBe(true);
    expect((a as SpikeError).setting).toBe("waitForAgent");
    expect((a as Error).message).toBe(
      "spike: waitForAgent applies to the source the client opens, not to a source you pass; give it to your createX509Source() instead, or drop source",
    );
    const b = await rejection(createSpikeClient({ env, source, onSourceError: () => {} }));
    expect((b as SpikeError).setting).toBe("onSourceError");
  });

  it("refuses a waitForAgent that is not a boolean and an onSourceError that is not a function", async () => {
    const a = await rejection(createSpikeClient({ env, waitForAgent: "no" as never }));
    expect(SpikeError.is(a, "config_invalid")).toBe(true);
    expect((a as SpikeError).setting).toBe("waitForAgent");
    expect((a as Error).message).toBe("spike: waitForAgent must be true or false, got string");
    const b = await rejection(createSpikeClient({ env, onSourceError: "log" as never }));
    expect(SpikeError.is(b, "config_invalid")).toBe(true);
    expect((b as SpikeError).setting).toBe("onSourceError");
  });

  it("refuses a non-object options argument", async () => {
    const e = await rejection(createSpikeClient("nope" as never));
    expect(SpikeError.is(e, "config_invalid")).toBe(true);
  });
});
