import { createServer, type Server } from "node:https";
import type { TLSSocket } from "node:tls";
import { authorizeId } from "@spike-ts/spiffe";
import { createTestCa } from "@spike-ts/spiffe/testing";
import { createX509Source, type WorkloadX509Source } from "@spike-ts/workload-api";
import { type DevWorkloadApi, startDevWorkloadApi } from "@spike-ts/workload-api/testing";
import type { Dispatcher } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { createMtlsAgent, createMtlsServerOptions } from "../src/index.js";
import { closeServer, listen } from "./support.js";

const CLIENT_ID = "spiffe://example.org/load/client";
const SERVER_ID = "spiffe://example.org/load/server";
const TOTAL = 5_000;
const CONCURRENCY = 24;
const MIN_ROTATIONS = 3;

const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function fingerprintOf(der: Uint8Array | undefined): string {
  return Buffer.from(der ?? []).toString("base64");
}

describe("rotation under load", () => {
  it(`serves ${TOTAL} keep-alive requests with zero failures while the Workload API rotates SVIDs every second`, async () => {
    const ca = createTestCa({ trustDomain: "example.org" });
    const clientApi: DevWorkloadApi = await startDevWorkloadApi({ ca, identities: [{ spiffeId: CLIENT_ID }], autoRotate: false });
    cleanups.push(() => clientApi.close());
    const serverApi: DevWorkloadApi = await startDevWorkloadApi({ ca, identities: [{ spiffeId: SERVER_ID }], autoRotate: false });
    cleanups.push(() => serverApi.close());
    const clientSource: WorkloadX509Source = await createX509Source({ address: clientApi.address });
    cleanups.push(() => clientSource.close());
    const serverSource: WorkloadX509Source = await createX509Source({ address: serverApi.address });
    cleanups.push(() => serverSource.close());

    const mtls = createMtlsServerOptions({ source: serverSource, authorize: authorizeId(CLIENT_ID) });
    const server: Server = mtls.attach(
      createServer(mtls, (req, res) => {
        let size = 0;
        req.on("data", (chunk: Buffer) => {
          size += chunk.length;
        });
        req.on("end", () => res.end(`${mtls.peerIdOf(req).toString()} ${size}`));
      }),
    );
    cleanups.push(() => closeServer(server));
    // Client leaf seen on each new (verified) connection, in order.
    const clientLeaves: string[] = [];
    server.on("secureConnection", (socket: TLSSocket) => {
      clientLeaves.push(fingerprintOf(socket.getPeerCertificate().raw));
    });
    const origin = await listen(server);

    // Server leaf each new agent connection verified (the authorizer sees the verified chain).
    const serverLeaves = new Set<string>();
    const expectServer = authorizeId(SERVER_ID);
    const agent: Dispatcher = createMtlsAgent({
      source: clientSource,
      authorize: (id, chain) => {
        serverLeaves.add(fingerprintOf(chain[0]));
        return expectServer(id, chain);
      },
      connections: 4,
    });
    cleanups.push(() => agent.close());

    let inFlight = 0;
    const inFlightAtRotation: number[] = [];
    const issuedClientLeaves: string[] = [fingerprintOf(clientSource.getX509Svid().certificates[0])];
    const unsubscribe = clientSource.onUpdate(() => {
      inFlightAtRotation.push(inFlight);
      issuedClientLeaves.push(fingerprintOf(clientSource.getX509Svid().certificates[0]));
    });
    cleanups.push(unsubscribe);
    const timer = setInterval(() => {
      clientApi.rotate();
      serverApi.rotate();
    }, 1_000);
    cleanups.push(() => clearInterval(timer));

    let started = 0;
    let ok = 0;
    const failures: unknown[] = [];
    const body = JSON.stringify({ path: "app/db", data: { user: "u" } });
    const done = (): boolean => started >= TOTAL && inFlightAtRotation.length >= MIN_ROTATIONS;
    const worker = async (): Promise<void> => {
      while (!done()) {
        started++;
        inFlight++;
        try {
          const res = await agent.request({
            origin,
            path: "/v1/store/secrets?action=get",
            method: "POST",
            headers: { "content-type": "application/json" },
            body,
          });
          const text = await res.body.text();
          if (res.statusCode === 200 && text === `${CLIENT_ID} ${body.length}`) ok++;
          else failures.push(new Error(`unexpected ${res.statusCode} ${text}`));
        } catch (error) {
          failures.push(error);
        } finally {
          inFlight--;
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    clearInterval(timer);

    expect(failures).toEqual([]);
    expect(ok).toBe(started);
    expect(ok).toBeGreaterThanOrEqual(TOTAL);
    expect(inFlightAtRotation.length).toBeGreaterThanOrEqual(MIN_ROTATIONS);
    // Rotations happened while requests were running.
    expect(inFlightAtRotation.some((n) => n > 0)).toBe(true);
    // New connections presented the new client SVIDs: the server saw several generations, in order.
    const generations = [...new Set(clientLeaves)];
    expect(generations.length).toBeGreaterThanOrEqual(MIN_ROTATIONS);
    for (const leaf of generations) expect(issuedClientLeaves).toContain(leaf);
    const order = generations.map((g) => issuedClientLeaves.indexOf(g));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // ...and the agent's new connections saw the rotated server certificates.
    expect(serverLeaves.size).toBeGreaterThanOrEqual(MIN_ROTATIONS);
    console.log(
      `rotation under load: ${ok} requests, ${inFlightAtRotation.length} rotations (in flight: ${inFlightAtRotation.join(",")}), ` +
        `${clientLeaves.length} server-side connections, ${generations.length} client SVIDs seen, ${serverLeaves.size} server SVIDs seen`,
    );
  });
});
