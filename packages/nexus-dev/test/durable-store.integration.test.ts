// A write that got 200 survives kill -9 of the server right after (file store: temp file,
// fsync, rename, fsync of the directory).
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { createMtlsAgent } from "@spike-ts/mtls-transport";
import { createNexusClient, type NexusClient } from "@spike-ts/nexus-client";
import { authorizeId } from "@spike-ts/spiffe";
import { createTestCa } from "@spike-ts/spiffe/testing";
import { createX509Source, type WorkloadX509Source } from "@spike-ts/workload-api";
import { type DevWorkloadApi, startDevWorkloadApi } from "@spike-ts/workload-api/testing";
import type { Dispatcher } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Child, startBin } from "./child.js";

const TD = "example.org";
const NEXUS = `spiffe://${TD}/spike/nexus`;
let dir: string;
let nexusApi: DevWorkloadApi;
let pilotApi: DevWorkloadApi;
let source: WorkloadX509Source;
let agent: Dispatcher;
const children: Child[] = [];

beforeEach(async () => {
  dir = await mkdtemp("/tmp/sts-");
  const ca = createTestCa({ trustDomain: TD });
  nexusApi = await startDevWorkloadApi({ ca, socketPath: join(dir, "n.sock"), identities: [{ spiffeId: NEXUS }] });
  pilotApi = await startDevWorkloadApi({ ca, socketPath: join(dir, "p.sock"), identities: [{ spiffeId: `spiffe://${TD}/spike/pilot/role/superuser` }] });
  source = await createX509Source({ address: pilotApi.address });
  agent = createMtlsAgent({ source, authorize: authorizeId(NEXUS) });
});
afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.process.exitCode === null && c.process.signalCode === null) {
      c.process.kill("SIGKILL");
      await c.exited;
    }
  }
  await agent.close();
  await source.close();
  await nexusApi.close();
  await pilotApi.close();
  await rm(dir, { recursive: true, force: true });
});

async function startNexus(storeDir: string): Promise<{ child: Child; client: NexusClient }> {
  const child = startBin("spike-nexus-dev", ["--listen", "127.0.0.1:0", "--store-dir", storeDir], { SPIFFE_ENDPOINT_SOCKET: nexusApi.address });
  children.push(child);
  const [, url] = await child.line(/^SPIKE_NEXUS_API_URL=(https:\/\/\S+)$/);
  return { child, client: createNexusClient({ baseUrl: url as string, dispatcher: agent, retry: false }) };
}

describe("durable file store", () => {
  it("keeps every write that got 200 across kill -9, and the versions and policies with it", async () => {
    const storeDir = join(dir, "store");
    const first = await startNexus(storeDir);
    await first.client.putSecret("apps/db", { password: "v1" });
    await first.client.putSecret("apps/db", { password: "v2 ü ✓" });
    await first.client.putPolicy({ name: "web", spiffeIdPattern: "^spiffe://example\\.org/web$", pathPattern: "^apps/", permissions: ["read"] });
    await first.client.deleteSecret("apps/db", { versions: [1] });
    await first.client.putSecret("last", { v: "written just before the kill" });
    first.child.process.kill("SIGKILL"); // right after the 200
    expect(await first.child.exited).toEqual({ code: null, signal: "SIGKILL" });

    const second = await startNexus(storeDir); // takes over the stale LOCK of the dead process
    expect(await second.client.getSecret("last")).toEqual({ v: "written just before the kill" });
    expect(await second.client.getSecret("apps/db")).toEqual({ password: "v2 ü ✓" });
    const meta = await second.client.getSecretMetadata("apps/db");
    expect([meta.currentVersion, meta.versions.map((v) => [v.version, v.deletedTime !== undefined])]).toEqual([2, [[1, true], [2, false]]]);
    expect((await second.client.getPolicy("web")).pathPattern).toBe("^apps/");
    expect(await second.client.listSecrets()).toEqual(["apps/db", "last"]);
    // no temp files were left behind
    expect((await readdir(join(storeDir, "secrets"))).filter((f) => f.startsWith(".tmp-"))).toEqual([]);
  });

  it("a kill -9 in the middle of a burst of writes leaves only whole records: every acknowledged write survives", async () => {
    const storeDir = join(dir, "store");
    const first = await startNexus(storeDir);
    const acked: number[] = [];
    let sameAcked = 0;
    let resolveTen!: () => void;
    const ten = new Promise<void>((r) => (resolveTen = r));
    const burst = Array.from({ length: 60 }, (_, i) =>
      Promise.all([first.client.putSecret(`burst/${i}`, { v: String(i) }), first.client.putSecret("same", { v: String(i) })]).then(
        () => {
          acked.push(i);
          sameAcked++;
          if (acked.length === 10) resolveTen();
        },
        () => undefined, // cut off by the kill
      ),
    );
    await ten;
    first.child.process.kill("SIGKILL"); // while the rest of the burst is in flight
    await first.child.exited;
    await Promise.all(burst);

    const second = await startNexus(storeDir); // loads: nothing is half-written
    const listed = await second.client.listSecrets();
    for (const i of acked) expect(listed).toContain(`burst/${i}`);
    for (const path of listed.filter((p) => p.startsWith("burst/"))) {
      expect(await second.client.getSecret(path)).toEqual({ v: path.slice("burst/".length) });
    }
    const meta = await second.client.getSecretMetadata("same");
    expect(meta.currentVersion).toBeGreaterThanOrEqual(sameAcked);
    expect((await readdir(join(storeDir, "secrets"))).filter((f) => f.startsWith(".tmp-"))).toEqual([]);
  });

  it("refuses a second server on the same directory while the first is alive", async () => {
    const storeDir = join(dir, "store");
    await startNexus(storeDir);
    const other = startBin("spike-nexus-dev", ["--listen", "127.0.0.1:0", "--store-dir", storeDir], { SPIFFE_ENDPOINT_SOCKET: nexusApi.address });
    children.push(other);
    const exit = await other.exited;
    expect(exit.code).toBe(1);
    expect(other.stderr).toMatch(/file store .* is in use by process \d+/);
  });
});
