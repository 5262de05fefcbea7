// The bins as users run them: spike-dev prints the env and stops cleanly on SIGINT/SIGTERM.
import { existsSync } from "node:fs";
import { createMtlsAgent } from "@spike-ts/mtls-transport";
import { createNexusClient } from "@spike-ts/nexus-client";
import { authorizeId } from "@spike-ts/spiffe";
import { createX509Source } from "@spike-ts/workload-api";
import { afterEach, describe, expect, it } from "vitest";
import { type Child, startBin } from "./child.js";

const children: Child[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.process.exitCode === null && c.process.signalCode === null) {
      c.process.kill("SIGKILL");
      await c.exited;
    }
  }
});

interface StackJson {
  nexusUrl: string;
  trustDomain: string;
  pilot: Record<string, string>;
  workload: Record<string, string>;
  ids: Record<string, string>;
}

describe("spike-dev", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`serves the printed env and stops on ${signal}, removing its sockets`, async () => {
      const child = startBin("spike-dev", ["--listen", "127.0.0.1:0", "--json", "--trust-domain", "example.org"], {});
      children.push(child);
      const [line] = await child.line(/^\{.*\}$/);
      const stack = JSON.parse(line as string) as StackJson;
      expect(stack.ids["pilot"]).toBe("spiffe://example.org/spike/pilot/role/superuser");
      expect(stack.pilot["SPIKE_NEXUS_API_URL"]).toBe(stack.nexusUrl);
      const source = await createX509Source({ address: stack.pilot["SPIFFE_ENDPOINT_SOCKET"] });
      const agent = createMtlsAgent({ source, authorize: authorizeId("spiffe://example.org/spike/nexus") });
      const client = createNexusClient({ baseUrl: stack.nexusUrl, dispatcher: agent, retry: false });
      try {
        await client.putSecret("hello", { k: "v" });
        expect(await client.getSecret("hello")).toEqual({ k: "v" });
      } finally {
        await agent.close();
        await source.close();
      }
      const sockets = [stack.pilot, stack.workload].map((e) => (e["SPIFFE_ENDPOINT_SOCKET"] as string).replace(/^unix:\/\//, ""));
      expect(sockets.every((s) => existsSync(s))).toBe(true);
      child.process.kill(signal);
      expect(await child.exited).toEqual({ code: 0, signal: null });
      expect(sockets.some((s) => existsSync(s))).toBe(false);
    });
  }

  it("prints export lines by default", async () => {
    const child = startBin("spike-dev", ["--listen", "127.0.0.1:0"], {});
    children.push(child);
    const [, socket] = await child.line(/^export SPIFFE_ENDPOINT_SOCKET=(unix:\/\/\/\S+pilot\.sock)$/);
    await child.line(/^# Ctrl-C stops the stack/);
    expect(child.stdout).toContain("export SPIKE_TRUST_ROOT_NEXUS=spike.ist");
    expect(child.stdout).toContain("# As the demo workload (needs a policy) (spiffe://spike.ist/demo/app):");
    expect(socket).toMatch(/^unix:\/\/\/tmp\/sts-/);
    child.process.kill("SIGTERM");
    expect((await child.exited).code).toBe(0);
  });
});

describe("spike-nexus-dev", () => {
  it("exits 1 with a clear message without SPIFFE_ENDPOINT_SOCKET", async () => {
    const child = startBin("spike-nexus-dev", [], {});
    children.push(child);
    expect((await child.exited).code).toBe(1);
    expect(child.stderr).toMatch(/SPIFFE_ENDPOINT_SOCKET is not set/);
  });
});
