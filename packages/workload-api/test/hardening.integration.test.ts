// Adversarial cases: what a broken or hostile agent, a replaced socket file, and long-running
// dev agents do to the client and the dev server.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { Server, ServerCredentials, type ServerUnaryCall, type ServerWritableStream, type sendUnaryData, status } from "@grpc/grpc-js";
import { createTestCa } from "@spike-ts/spiffe/testing";
import { describe, expect, it, vi } from "vitest";
import { WorkloadApiError, createJwtSource, createWorkloadApiClient } from "../src/index.js";
import { messages, workloadApiService } from "../src/proto/messages.js";
import { startDevWorkloadApi } from "../src/testing/index.js";
import { rejection, useCleanup } from "./helpers.js";

const cleanup = useCleanup();
const ca = createTestCa({ trustDomain: "example.org" });
const API = "spiffe://example.org/api";
const fast = { newBackoff: () => ({ next: () => 5, reset() {} }) };

type Handlers = Partial<Record<keyof typeof workloadApiService, (call: never, cb?: never) => void>>;

/** A raw gRPC server that answers the Workload API RPCs with whatever the test says. */
async function rawAgent(handlers: Handlers): Promise<string> {
  const dir = await mkdtemp("/tmp/sts-");
  const server = new Server();
  const unimplemented = (_call: unknown, cb?: sendUnaryData<unknown>) => cb?.({ code: status.UNIMPLEMENTED, details: "no" }, null);
  const impl: Record<string, unknown> = {};
  for (const k of Object.keys(workloadApiService)) impl[k] = handlers[k as keyof Handlers] ?? unimplemented;
  server.addService(workloadApiService, impl as never);
  await new Promise<void>((resolve, reject) => server.bindAsync(`unix:${dir}/a.sock`, ServerCredentials.createInsecure(), (e) => (e ? reject(e) : resolve())));
  cleanup(async () => {
    server.forceShutdown();
    await rm(dir, { recursive: true, force: true });
  });
  return `unix://${dir}/a.sock`;
}

describe("a socket path that is not a listening socket", () => {
  it("says a regular file or a directory took the socket's place", async () => {
    const agent = await startDevWorkloadApi({ identities: [{ spiffeId: API }] });
    cleanup(() => agent.close());
    await agent.stop();
    await writeFile(agent.socketPath, "not a socket");
    const client = createWorkloadApiClient({ address: agent.address });
    cleanup(() => client.close());
    const e = await rejection(client.fetchX509Context());
    expect(e.code).toBe("unreachable");
    expect(e.message).toContain(`${agent.socketPath} exists but is a regular file, not a socket`);

    await rm(agent.socketPath);
    await mkdir(agent.socketPath);
    const d = await rejection(client.fetchX509Svid());
    expect(d.message).toContain(`${agent.socketPath} exists but is a directory, not a socket`);
    await rm(agent.socketPath, { recursive: true });
    expect((await rejection(client.fetchX509Svid())).message).toContain(`: no socket at ${agent.socketPath} (ENOENT); is the agent running`);
  });
});

describe("an agent that answers FetchJWTSVID for another identity than asked", () => {
  it("refuses the token as malformed_response (client and JWT source)", async () => {
    const address = await rawAgent({
      FetchJWTSVID: ((call: ServerUnaryCall<Buffer, unknown>, cb: sendUnaryData<unknown>) => {
        const req = call.request as unknown as { audience: string[] };
        // ignores the requested spiffe_id and always answers for /other
        const other = "spiffe://example.org/other";
        cb(null, { svids: [{ spiffe_id: other, svid: ca.issueJwtSvid(other, { audience: req.audience, ttlMs: 60_000 }), hint: "" }] });
      }) as never,
      FetchJWTBundles: ((call: ServerWritableStream<unknown, unknown>) => {
        call.write({ bundles: { "spiffe://example.org": Buffer.from(ca.jwksJson()) } });
      }) as never,
    });
    const client = createWorkloadApiClient({ address });
    cleanup(() => client.close());
    const e = await rejection(client.fetchJwtSvid({ audience: "db", subject: API }));
    expect(e.code).toBe("malformed_response");
    expect(e.message).toBe(
      `workload-api: malformed FetchJWTSVID response: asked for ${API} but the agent sent a JWT-SVID for spiffe://example.org/other; the token is not used`,
    );
    expect(e.message).not.toMatch(/eyJ/); // never the token
    // without a subject, any identity of the workload is fine
    expect((await client.fetchJwtSvid({ audience: "db" })).id.toString()).toBe("spiffe://example.org/other");
    const source = await createJwtSource({ client, timeoutMs: 5_000 });
    cleanup(() => source.close());
    expect((await rejection(source.fetchJwtSvid({ audience: "db", subject: API }))).code).toBe("malformed_response");
  });
});

describe("streams that end oddly", () => {
  it("a stream closed with OK before any message: one-shot fetch fails unavailable, a watch reconnects", async () => {
    let opened = 0;
    const svid = ca.issueSvid(API);
    const address = await rawAgent({
      FetchX509SVID: ((call: ServerWritableStream<unknown, unknown>) => {
        opened++;
        if (opened <= 2) {
          call.end();
          return;
        }
        call.write({ svids: [{ spiffe_id: API, x509_svid: Buffer.from(svid.chainDer), x509_svid_key: Buffer.from(svid.keyDer), bundle: Buffer.from(ca.rootDer), hint: "" }], crl: [], federated_bundles: {} });
      }) as never,
    });
    const client = createWorkloadApiClient({ address, backoff: fast });
    cleanup(() => client.close());
    const e = await rejection(client.fetchX509Context());
    expect([e.code, e.message]).toEqual(["unavailable", "workload-api: FetchX509SVID stream ended before the first message"]);
    const errors: string[] = [];
    const got = await new Promise<string>((resolve) => {
      client.watchX509Context({ onUpdate: (ctx) => resolve(ctx.defaultSvid.id.toString()), onError: (x) => errors.push(x.message) });
    });
    expect(got).toBe(API);
    expect(errors).toEqual(["workload-api: FetchX509SVID stream ended by the agent; reconnecting"]);
  });

  it.each([
    [status.UNKNOWN, "UNKNOWN"],
    [status.INTERNAL, "INTERNAL"],
    [status.RESOURCE_EXHAUSTED, "RESOURCE_EXHAUSTED"],
  ])("status %i is reported as unavailable and retried by a watch", async (code, name) => {
    const agent = await startDevWorkloadApi({ identities: [{ spiffeId: API }] });
    cleanup(() => agent.close());
    agent.injectStatus("FetchX509SVID", { code, details: "agent trouble" }, 2);
    const client = createWorkloadApiClient({ address: agent.address, backoff: fast });
    cleanup(() => client.close());
    const errors: WorkloadApiError[] = [];
    const got = await new Promise<string>((resolve) => {
      client.watchX509Context({ onUpdate: (ctx) => resolve(ctx.defaultSvid.id.toString()), onError: (x) => errors.push(x) });
    });
    expect(got).toBe(API);
    expect(errors.map((x) => [x.code, x.grpcCode, x.message])).toEqual([
      ["unavailable", code, `workload-api: FetchX509SVID failed: ${name} "agent trouble"`],
      ["unavailable", code, `workload-api: FetchX509SVID failed: ${name} "agent trouble"`],
    ]);
  });
});

describe("a custom backoff that misbehaves", () => {
  it("is refused up front when newBackoff() returns no backoff", async () => {
    const agent = await startDevWorkloadApi({ identities: [{ spiffeId: API }] });
    cleanup(() => agent.close());
    const client = createWorkloadApiClient({ address: agent.address, backoff: { newBackoff: () => undefined as never } });
    cleanup(() => client.close());
    expect(() => client.watchX509Context({ onUpdate() {} })).toThrow("workload-api: backoff.newBackoff() must return { next(): number; reset(): void }");
  });

  it("throwing from next() or reset() does not crash the process: a warning, and the watch goes on", async () => {
    const agent = await startDevWorkloadApi({ identities: [{ spiffeId: API }] });
    cleanup(() => agent.close());
    agent.injectStatus("FetchX509SVID", { code: status.UNAVAILABLE, details: "restarting" }, 1);
    const broken = {
      newBackoff: () => ({
        next(): number {
          throw new Error("next broke");
        },
        reset() {
          throw new Error("reset broke");
        },
      }),
    };
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on("warning", onWarning);
    cleanup(() => process.off("warning", onWarning));
    const client = createWorkloadApiClient({ address: agent.address, backoff: broken });
    cleanup(() => client.close());
    const got = await new Promise<string>((resolve) => client.watchX509Context({ onUpdate: (ctx) => resolve(ctx.defaultSvid.id.toString()) }));
    expect(got).toBe(API);
    await new Promise<void>((resolve) => (warnings.length >= 2 ? resolve() : process.once("warning", () => resolve())));
    expect(warnings).toEqual(["workload-api: backoff.next() threw: next broke", "workload-api: backoff.reset() threw: reset broke"]);
  });
});

describe("a long-running dev agent", () => {
  it("a 100-day SVID TTL schedules its rotation within Node's timer range (no 1 ms rotation loop)", async () => {
    const spy = vi.spyOn(globalThis, "setTimeout");
    cleanup(() => spy.mockRestore());
    const agent = await startDevWorkloadApi({ identities: [{ spiffeId: API }], svidTtlMs: 100 * 24 * 3_600_000, random: () => 0.5 });
    cleanup(() => agent.close());
    const delays = spy.mock.calls.map((c) => c[1]).filter((d): d is number => typeof d === "number");
    expect(delays).toContain(2 ** 31 - 1);
    expect(delays.every((d) => d <= 2 ** 31 - 1)).toBe(true);
    expect(agent.generation).toBe(1);
  });

  it("refuses bad federated trust domains on the spot, keeping its state and its streams", async () => {
    await expect(startDevWorkloadApi({ identities: [{ spiffeId: API, federatesWith: ["not a td"] }] })).rejects.toThrow(
      /federatesWith of spiffe:\/\/example\.org\/api "not a td" is not a trust domain/,
    );
    const other = createTestCa({ trustDomain: "other.org" });
    await expect(startDevWorkloadApi({ identities: [], federatedBundles: { "bad/td": other.bundle } })).rejects.toThrow(/federatedBundles key "bad\/td"/);
    const agent = await startDevWorkloadApi({ identities: [{ spiffeId: API }] });
    cleanup(() => agent.close());
    const client = createWorkloadApiClient({ address: agent.address });
    cleanup(() => client.close());
    const seen: string[][] = [];
    let federatedArrived!: () => void;
    const arrived = new Promise<void>((r) => (federatedArrived = r));
    client.watchX509Context({
      onUpdate: (ctx) => {
        seen.push(ctx.bundles.bundles().map((b) => b.trustDomain.name).sort());
        if (seen.at(-1)?.includes("other.org")) federatedArrived();
      },
    });
    await agent.waitForStreams("FetchX509SVID", 1);
    expect(() => agent.setIdentities([{ spiffeId: API, federatesWith: ["UPPER..case"] }])).toThrow(/is not a trust domain/);
    expect(() => agent.setFederatedBundles({ "spiffe://": other.bundle })).toThrow(/is not a trust domain/);
    agent.setFederatedBundles({ "other.org": other.bundle }); // the agent and its stream still work
    await arrived;
    expect(seen.at(-1)).toEqual(["example.org", "other.org"]);
    expect(seen.every((names) => names[0] === "example.org")).toBe(true);
  });

  it("waitForStreams never hangs: an aborted signal or close() rejects it", async () => {
    const agent = await startDevWorkloadApi({ identities: [{ spiffeId: API }] });
    const aborted = AbortSignal.abort(new Error("given up"));
    await expect(agent.waitForStreams("FetchX509SVID", 1, { signal: aborted })).rejects.toThrow("given up");
    const waiting = agent.waitForStreams("FetchX509Bundles", 3).then(
      () => undefined,
      (e: unknown) => e,
    );
    await agent.close();
    expect(String(await waiting)).toBe("Error: workload-api: dev server closed while waiting for 3 FetchX509Bundles stream(s)");
    await expect(agent.waitForStreams("FetchX509SVID")).rejects.toThrow(/dev server closed/);
  });

  it("keeps only the latest maxCallRecords call records", async () => {
    const agent = await startDevWorkloadApi({ identities: [{ spiffeId: API }], maxCallRecords: 3 });
    cleanup(() => agent.close());
    const client = createWorkloadApiClient({ address: agent.address });
    cleanup(() => client.close());
    for (let i = 0; i < 4; i++) await client.fetchJwtSvid({ audience: `aud-${i}` });
    await client.fetchX509Svid();
    expect(agent.calls.map((c) => c.rpc)).toEqual(["FetchJWTSVID", "FetchJWTSVID", "FetchX509SVID"]);
    await expect(startDevWorkloadApi({ identities: [], maxCallRecords: -1 })).rejects.toThrow(/maxCallRecords must be a non-negative integer/);
  });

  it("clears pending first-message delays when it stops, so no timer outlives close()", async () => {
    const setSpy = vi.spyOn(globalThis, "setTimeout");
    const clearSpy = vi.spyOn(globalThis, "clearTimeout");
    cleanup(() => {
      setSpy.mockRestore();
      clearSpy.mockRestore();
    });
    const agent = await startDevWorkloadApi({ identities: [{ spiffeId: API }], firstMessageDelayMs: 600_000, autoRotate: false });
    const client = createWorkloadApiClient({ address: agent.address });
    const pending = client.fetchX509Context().catch((x: unknown) => x);
    await agent.waitForStreams("FetchX509SVID", 1);
    const i = setSpy.mock.calls.findIndex((c) => c[1] === 600_000);
    expect(i).toBeGreaterThanOrEqual(0);
    const delayTimer = setSpy.mock.results[i]?.value as unknown;
    await agent.close();
    expect(clearSpy.mock.calls.some((c) => c[0] === delayTimer)).toBe(true);
    expect(((await pending) as WorkloadApiError).code).toBe("unavailable");
    await client.close();
  });
});
