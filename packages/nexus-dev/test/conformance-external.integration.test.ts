// The conformance suite against a server you point it at, e.g. a real SPIKE Nexus:
//   SPIKE_NEXUS_API_URL=https://nexus:8553            the server
//   SPIFFE_ENDPOINT_SOCKET=unix:///.../workload.sock   an ordinary workload (no SPIKE role)
//   SPIKE_CONFORMANCE_PILOT_SOCKET=unix:///.../pilot.sock   a Workload API handing out the Pilot superuser ID
//   SPIKE_TRUST_ROOT_NEXUS=<td>                        the server's trust domain (default spike.ist)
//   SPIKE_CONFORMANCE_BACKEND=memory|sqlite            the server's backend (default memory)
// The suite creates paths under conformance/<random>/ and policies named ct-<random>-*, and
// deletes the policies it made. Secrets cannot be deleted in Nexus, so use a throwaway server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConformanceContext, connectTarget, defineConformanceSuite } from "./conformance/index.js";

const env = process.env;
const VARS = ["SPIKE_NEXUS_API_URL", "SPIFFE_ENDPOINT_SOCKET", "SPIKE_CONFORMANCE_PILOT_SOCKET"] as const;
const configured = VARS.every((v) => (env[v] ?? "") !== "");

if (configured) {
  let context: ConformanceContext;
  beforeAll(async () => {
    const shared = { SPIKE_TRUST_ROOT_NEXUS: env["SPIKE_TRUST_ROOT_NEXUS"] };
    context = await connectTarget({
      nexusUrl: env["SPIKE_NEXUS_API_URL"] as string,
      pilot: { ...shared, SPIFFE_ENDPOINT_SOCKET: env["SPIKE_CONFORMANCE_PILOT_SOCKET"] },
      workload: { ...shared, SPIFFE_ENDPOINT_SOCKET: env["SPIFFE_ENDPOINT_SOCKET"] },
      memoryBackend: (env["SPIKE_CONFORMANCE_BACKEND"] ?? "memory") === "memory",
    });
  });
  afterAll(async () => {
    await context?.close();
  });
  describe(`conformance: external nexus at ${env["SPIKE_NEXUS_API_URL"]}`, () => {
    defineConformanceSuite(() => context);
  });
} else {
  describe("conformance: external nexus", () => {
    it("is not configured: set SPIKE_NEXUS_API_URL, SPIFFE_ENDPOINT_SOCKET and SPIKE_CONFORMANCE_PILOT_SOCKET to run the suite against a real Nexus", () => {
      const missing = VARS.filter((v) => (env[v] ?? "") === "");
      expect(missing.length).toBeGreaterThan(0);
      expect(configured).toBe(false);
    });
  });
}
