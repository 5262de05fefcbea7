import { createServer } from "node:https";
import { inspect } from "node:util";
import { authorizeId } from "@spike-ts/spiffe";
import { createStaticX509Source, createTestCa } from "@spike-ts/spiffe/testing";
import { describe, expect, it } from "vitest";
import { createMtlsAgent } from "./agent.js";
import { MtlsError } from "./errors.js";
import { createMtlsServerOptions } from "./server-options.js";

const ca = createTestCa();
const source = createStaticX509Source(ca.issueSvid("spiffe://example.org/self").svid, ca.bundle);
const authorize = authorizeId("spiffe://example.org/peer");

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return MtlsError.is(e) ? e.code : `other: ${String(e)}`;
  }
  return undefined;
}

describe("createMtlsAgent options", () => {
  it("validates on the spot", () => {
    expect(codeOf(() => createMtlsAgent(undefined as never))).toBe("invalid_options");
    expect(codeOf(() => createMtlsAgent({ source: {} as never, authorize }))).toBe("invalid_options");
    expect(codeOf(() => createMtlsAgent({ source, authorize: undefined as never }))).toBe("invalid_options");
    expect(codeOf(() => createMtlsAgent({ source, authorize, now: 5 as never }))).toBe("invalid_options");
    expect(codeOf(() => createMtlsAgent({ source, authorize, connect: { ca: "x" } as never }))).toBe("invalid_options");
    expect(codeOf(() => createMtlsAgent({ source, authorize, connect: { rejectUnauthorized: true } as never }))).toBe(
      "invalid_options",
    );
    expect(codeOf(() => createMtlsAgent({ source, authorize, connect: (() => {}) as never }))).toBe("invalid_options");
    expect(codeOf(() => createMtlsAgent({ source, authorize, connect: { timeout: -1 } }))).toBe("invalid_options");
    expect(codeOf(() => createMtlsAgent({ source, authorize, connect: { timeout: Number.POSITIVE_INFINITY } }))).toBe(
      "invalid_options",
    );
    expect(codeOf(() => createMtlsAgent({ source, authorize, factory: (() => {}) as never } as never))).toBe(
      "invalid_options",
    );
  });

  it("returns a dispatcher that closes idempotently", async () => {
    const agent = createMtlsAgent({ source, authorize, connect: { timeout: 1_000 } });
    expect(typeof agent.request).toBe("function");
    await agent.close();
    await agent.close();
    await agent.destroy();
  });
});

describe("createMtlsServerOptions", () => {
  it("validates on the spot and requires client certificates", () => {
    expect(codeOf(() => createMtlsServerOptions({ source: {} as never, authorize }))).toBe("invalid_options");
    expect(codeOf(() => createMtlsServerOptions({ source, authorize: "x" as never }))).toBe("invalid_options");
    const mtls = createMtlsServerOptions({ source, authorize });
    expect([mtls.requestCert, mtls.rejectUnauthorized, mtls.minVersion]).toEqual([true, false, "TLSv1.2"]);
    expect(mtls.cert).toContain("BEGIN CERTIFICATE");
    expect(Object.keys(mtls)).not.toContain("attach");
  });

  it("keeps the key out of inspect and JSON", () => {
    const mtls = createMtlsServerOptions({ source, authorize });
    expect(inspect(mtls)).not.toContain("PRIVATE KEY");
    expect(JSON.stringify(mtls)).not.toContain("PRIVATE KEY");
    expect(JSON.parse(JSON.stringify(mtls)).key).toBe("[redacted]");
  });

  it("attach() refuses non-TLS servers and servers whose client-certificate settings were overridden", () => {
    const mtls = createMtlsServerOptions({ source, authorize });
    expect(codeOf(() => mtls.attach({} as never))).toBe("invalid_options");
    expect(codeOf(() => mtls.attach(createServer({ ...mtls, requestCert: false })))).toBe("invalid_options");
    expect(codeOf(() => mtls.attach(createServer({ ...mtls, rejectUnauthorized: true })))).toBe("invalid_options");
    const ok = createServer(mtls);
    expect(mtls.attach(ok)).toBe(ok);
    expect(mtls.attach(ok)).toBe(ok);
    expect(ok.listenerCount("secureConnection")).toBe(1);
  });
});
