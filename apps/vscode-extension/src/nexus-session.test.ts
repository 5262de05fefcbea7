import type { SecretMetadata, SpikeClientOptions } from "@spike-ts/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { ExtensionError } from "./errors.js";
import { createNexusSession, type NexusSession, type SecretsBackend } from "./nexus-session.js";

const metadata: SecretMetadata = {
  currentVersion: 2,
  oldestVersion: 1,
  createdTime: new Date(0),
  updatedTime: new Date(0),
  maxVersions: 10,
  versions: [],
};

function fakeBackend(log: string[]): SecretsBackend {
  return {
    async listSecretKeys(o) {
      log.push(`list signal=${o?.signal instanceof AbortSignal}`);
      return ["a/b"];
    },
    async getSecretMetadata(path) {
      log.push(`metadata ${path}`);
      return metadata;
    },
    async getSecret(path, o) {
      log.push(`get ${path} v${o?.version}`);
      return { reveal: () => ({ k: `value of v${o?.version}` }) };
    },
    async close() {
      log.push("close");
    },
  };
}

let session: NexusSession | undefined;
afterEach(async () => {
  await session?.close();
  session = undefined;
});

describe("createNexusSession", () => {
  it("connects once, lazily, with the settings over the environment, and passes a signal", async () => {
    const log: string[] = [];
    const seen: SpikeClientOptions[] = [];
    session = createNexusSession({
      settings: () => ({ nexusUrl: "https://nexus:8553", trustRoot: "" }),
      env: { SPIKE_TRUST_ROOT_NEXUS: "spike.ist" },
      connect: async (o) => {
        seen.push(o);
        return fakeBackend(log);
      },
    });
    expect(seen).toHaveLength(0);
    expect(await session.listSecretPaths()).toEqual(["a/b"]);
    expect(await session.metadata("a/b")).toBe(metadata);
    expect(await session.readVersion("a/b", 2)).toEqual({ k: "value of v2" });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ nexusUrl: "https://nexus:8553", env: { SPIKE_TRUST_ROOT_NEXUS: "spike.ist" } });
    expect(seen[0]!.signal).toBeInstanceOf(AbortSignal);
    expect(log).toEqual(["list signal=true", "metadata a/b", "get a/b v2"]);
  });

  it("forgets a failed connect so that the next call (Refresh) tries again", async () => {
    let attempts = 0;
    session = createNexusSession({
      settings: () => ({}),
      env: {},
      connect: async () => {
        attempts++;
        if (attempts === 1) throw Object.assign(new Error("workload-api: unreachable"), { name: "WorkloadApiError", code: "unreachable" });
        return fakeBackend([]);
      },
    });
    await expect(session.listSecretPaths()).rejects.toThrow("workload-api: unreachable");
    expect(await session.listSecretPaths()).toEqual(["a/b"]);
    expect(attempts).toBe(2);
  });

  it("reset closes the client and aborts its signal; the next call reconnects with new settings", async () => {
    const log: string[] = [];
    const signals: AbortSignal[] = [];
    let url = "https://one";
    const urls: Array<string | undefined> = [];
    session = createNexusSession({
      settings: () => ({ nexusUrl: url }),
      env: {},
      connect: async (o) => {
        signals.push(o.signal!);
        urls.push(o.nexusUrl);
        return fakeBackend(log);
      },
    });
    await session.listSecretPaths();
    url = "https://two";
    await session.reset();
    expect(signals[0]!.aborted).toBe(true);
    expect(log).toContain("close");
    await session.listSecretPaths();
    expect(urls).toEqual(["https://one", "https://two"]);
  });

  it("refuses calls after close, and close is idempotent", async () => {
    const log: string[] = [];
    session = createNexusSession({ settings: () => ({}), env: {}, connect: async () => fakeBackend(log) });
    await session.listSecretPaths();
    await session.close();
    await session.close();
    expect(log.filter((l) => l === "close")).toHaveLength(1);
    await expect(session.listSecretPaths()).rejects.toSatisfy((e) => ExtensionError.is(e, "closed"));
  });

  it("validates its options", () => {
    expect(() => createNexusSession({} as never)).toThrow(/needs a settings\(\) function/);
  });
});
