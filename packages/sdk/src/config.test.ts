import { describe, expect, it } from "vitest";
import { resolveConfig } from "./config.js";
import { SpikeError } from "./errors.js";

function configError(f: () => unknown): SpikeError {
  try {
    f();
  } catch (e) {
    if (SpikeError.is(e, "config_invalid")) return e;
    throw e;
  }
  throw new Error("expected config_invalid");
}

describe("resolveConfig", () => {
  it("uses the Go SDK defaults when nothing is set", () => {
    const c = resolveConfig({ env: {} });
    expect(c).toEqual({
      endpointSocket: "unix:///tmp/spire-agent/public/api.sock",
      nexusUrl: "https://localhost:8553",
      nexusTrustRoots: ["spike.ist"],
      sourceTimeoutMs: 30_000,
      requestTimeoutMs: 60_000,
      connectTimeoutMs: 30_000,
      headersTimeoutMs: 10_000,
      keepAliveTimeoutMs: 30_000,
      maxConnections: 10,
    });
  });

  it("reads the Go SDK environment variables", () => {
    const c = resolveConfig({
      env: {
        SPIFFE_ENDPOINT_SOCKET: "unix:///tmp/agent.sock",
        SPIKE_NEXUS_API_URL: "https://nexus.test:9443/prefix",
        SPIKE_TRUST_ROOT_NEXUS: " a.org , b.org ",
        SPIKE_SPIFFE_SOURCE_TIMEOUT: "1m30s",
        SPIKE_HTTP_CLIENT_TIMEOUT: "5s",
        SPIKE_HTTP_CLIENT_DIALER_TIMEOUT: "2s",
        SPIKE_HTTP_CLIENT_RESPONSE_HEADER_TIMEOUT: "3s",
        SPIKE_HTTP_CLIENT_IDLE_CONN_TIMEOUT: "4s",
        SPIKE_HTTP_CLIENT_MAX_CONNS_PER_HOST: "3",
      },
    });
    expect(c.endpointSocket).toBe("unix:///tmp/agent.sock");
    expect(c.nexusUrl).toBe("https://nexus.test:9443/prefix");
    expect(c.nexusTrustRoots).toEqual(["a.org", "b.org"]);
    expect(c.sourceTimeoutMs).toBe(90_000);
    expect(c.requestTimeoutMs).toBe(5_000);
    expect(c.connectTimeoutMs).toBe(2_000);
    expect(c.headersTimeoutMs).toBe(3_000);
    expect(c.keepAliveTimeoutMs).toBe(4_000);
    expect(c.maxConnections).toBe(3);
  });

  it("takes SPIKE_NEXUS_URL as an alias, SPIKE_NEXUS_API_URL first", () => {
    expect(resolveConfig({ env: { SPIKE_NEXUS_URL: "https://alias:1" } }).nexusUrl).toBe("https://alias:1");
    expect(
      resolveConfig({ env: { SPIKE_NEXUS_URL: "https://alias:1", SPIKE_NEXUS_API_URL: "https://main:2" } }).nexusUrl,
    ).toBe("https://main:2");
  });

  it("lets options override the environment", () => {
    const c = resolveConfig({
      env: { SPIFFE_ENDPOINT_SOCKET: "unix:///env.sock", SPIKE_NEXUS_API_URL: "https://env:1", SPIKE_TRUST_ROOT_NEXUS: "env.org" },
      endpointSocket: "unix:///opt.sock",
      nexusUrl: "https://opt:2",
      nexusTrustRoots: ["opt.org"],
      sourceTimeoutMs: 1234,
      requestTimeoutMs: 4321,
    });
    expect(c.endpointSocket).toBe("unix:///opt.sock");
    expect(c.nexusUrl).toBe("https://opt:2");
    expect(c.nexusTrustRoots).toEqual(["opt.org"]);
    expect(c.sourceTimeoutMs).toBe(1234);
    expect(c.requestTimeoutMs).toBe(4321);
  });

  it("treats empty variables as unset", () => {
    const c = resolveConfig({ env: { SPIKE_NEXUS_API_URL: "", SPIKE_TRUST_ROOT_NEXUS: "  ", SPIKE_SPIFFE_SOURCE_TIMEOUT: "" } });
    expect(c.nexusUrl).toBe("https://localhost:8553");
    expect(c.nexusTrustRoots).toEqual(["spike.ist"]);
    expect(c.sourceTimeoutMs).toBe(30_000);
  });

  it("refuses a trailing comma in SPIKE_TRUST_ROOT_NEXUS (the Go SDK would exit)", () => {
    const e = configError(() => resolveConfig({ env: { SPIKE_TRUST_ROOT_NEXUS: "a.org," } }));
    expect(e.setting).toBe("SPIKE_TRUST_ROOT_NEXUS");
    expect(e.message).toMatch(/^spike: .*empty entry/);
  });

  it("refuses a non-https or malformed nexus URL, naming the variable", () => {
    expect(configError(() => resolveConfig({ env: { SPIKE_NEXUS_API_URL: "http://x:1" } })).message).toContain(
      "SPIKE_NEXUS_API_URL must use https",
    );
    expect(configError(() => resolveConfig({ env: { SPIKE_NEXUS_URL: "not a url" } })).setting).toBe("SPIKE_NEXUS_URL");
    expect(configError(() => resolveConfig({ env: {}, nexusUrl: "https://u:p@x" })).setting).toBe("nexusUrl");
  });

  it("refuses malformed durations and counts", () => {
    expect(configError(() => resolveConfig({ env: { SPIKE_SPIFFE_SOURCE_TIMEOUT: "30" } })).setting).toBe(
      "SPIKE_SPIFFE_SOURCE_TIMEOUT",
    );
    expect(configError(() => resolveConfig({ env: { SPIKE_HTTP_CLIENT_TIMEOUT: "0s" } })).setting).toBe(
      "SPIKE_HTTP_CLIENT_TIMEOUT",
    );
    expect(configError(() => resolveConfig({ env: { SPIKE_HTTP_CLIENT_MAX_CONNS_PER_HOST: "-1" } })).setting).toBe(
      "SPIKE_HTTP_CLIENT_MAX_CONNS_PER_HOST",
    );
    expect(configError(() => resolveConfig({ env: {}, sourceTimeoutMs: -5 })).setting).toBe("sourceTimeoutMs");
  });
});
