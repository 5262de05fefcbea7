import { describe, expect, it } from "vitest";
import { parseWorkloadApiAddress, resolveWorkloadApiAddress } from "./address.js";
import { WorkloadApiError } from "./errors.js";

const ok: Array<[string, object]> = [
  ["unix:///tmp/spire-agent/public/api.sock", { kind: "unix", path: "/tmp/spire-agent/public/api.sock", target: "unix:/tmp/spire-agent/public/api.sock" }],
  ["unix:/tmp/agent.sock", { kind: "unix", path: "/tmp/agent.sock", target: "unix:/tmp/agent.sock" }],
  ["tcp://127.0.0.1:8000", { kind: "tcp", host: "127.0.0.1", port: 8000, target: "ipv4:127.0.0.1:8000" }],
  ["tcp://[::1]:8000", { kind: "tcp", host: "::1", port: 8000, target: "ipv6:[::1]:8000" }],
];

const bad: Array<[string, RegExp]> = [
  ["unix:tmp/agent.sock", /must not be opaque/],
  ["unix://", /must include a path/],
  ["unix:", /must include a path/],
  ["unix://foo", /must not include an authority/],
  ["unix://host/tmp/a.sock", /must not include an authority/],
  ["unix:///tmp/a.sock?x=1", /must not include query values/],
  ["unix:///tmp/a.sock#x", /must not include a fragment/],
  ["unix://john:doe@foo/path", /must not include user info/],
  ["/tmp/agent.sock", /write unix:\/\/\/tmp\/agent\.sock/],
  ["tcp://localhost:8000", /must be an IP:port/],
  ["tcp://127.0.0.1", /must include a port/],
  ["tcp://127.0.0.1:8000/foo", /must not include a path/],
  ["tcp://1.2.3.4:5?x", /must not include query values/],
  ["tcp://1.2.3.4:5#x", /must not include a fragment/],
  ["tcp:opaque", /must not be opaque/],
  ["tcp://", /must include a host/],
  ["tcp://u:p@1.2.3.4:5", /must not include user info/],
  ["http://1.2.3.4:5", /"tcp" or "unix" scheme/],
  ["blah", /"tcp" or "unix" scheme/],
  ["\t", /not a valid URI/],
  ["", /not a valid URI/],
  ["tcp://1.2.3.4:99999", /from 1 to 65535/],
  ["tcp://1.2.3.4:0", /from 1 to 65535/],
  ["tcp://[::1]", /must include a port/],
  ["tcp://[fe80::1", /must be an IP:port/],
  ["tcp://::1:80", /must be an IP:port/],
  [`unix:///tmp/${"a".repeat(120)}.sock`, /at most 107 bytes/],
  ["unix:///tmp/a%00b.sock", /control character/],
  ["unix:/tmp/agent.sock%0A", /control character/],
  ["unix:///tmp/%7Fx", /control character/],
];

describe("parseWorkloadApiAddress", () => {
  it.each(ok)("accepts %s", (input, want) => {
    expect(parseWorkloadApiAddress(input)).toEqual(want);
  });

  it.each(bad)("rejects %j", (input, why) => {
    let err: unknown;
    try {
      parseWorkloadApiAddress(input);
    } catch (e) {
      err = e;
    }
    expect(WorkloadApiError.is(err, "address_invalid")).toBe(true);
    const message = (err as Error).message;
    expect(message).toMatch(why);
    expect(message).toContain(JSON.stringify(input));
    expect(message).toContain("accepted forms: unix:///absolute/path.sock, unix:/absolute/path.sock, tcp://<ip>:<port>");
  });

  it("decodes percent-encoded path bytes", () => {
    expect(parseWorkloadApiAddress("unix:///tmp/a%20b.sock")).toMatchObject({ path: "/tmp/a b.sock", target: "unix:/tmp/a b.sock" });
  });
});

describe("resolveWorkloadApiAddress", () => {
  it("prefers the option over the environment", () => {
    expect(resolveWorkloadApiAddress("unix:/opt/a.sock", { SPIFFE_ENDPOINT_SOCKET: "unix:/opt/b.sock" }).target).toBe("unix:/opt/a.sock");
  });
  it("falls back to SPIFFE_ENDPOINT_SOCKET", () => {
    expect(resolveWorkloadApiAddress(undefined, { SPIFFE_ENDPOINT_SOCKET: "unix:/opt/b.sock" }).target).toBe("unix:/opt/b.sock");
  });
  it("fails with address_missing when nothing is configured", () => {
    expect(() => resolveWorkloadApiAddress(undefined, {})).toThrowError(/workload endpoint socket address is not configured/);
    const err = (() => {
      try {
        resolveWorkloadApiAddress(undefined, { SPIFFE_ENDPOINT_SOCKET: "" });
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(WorkloadApiError.is(err, "address_missing")).toBe(true);
  });
  it("validates the environment value too", () => {
    expect(() => resolveWorkloadApiAddress(undefined, { SPIFFE_ENDPOINT_SOCKET: "/tmp/agent.sock" })).toThrowError(/write unix:/);
  });
});

describe("parseWorkloadApiAddress properties", () => {
  it("never throws anything but address_invalid, and every accepted value has a dialable target", async () => {
    const fc = await import("fast-check");
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constantFrom("unix:", "unix://", "tcp://").chain((p) => fc.string().map((s) => p + s))), (input) => {
        try {
          const a = parseWorkloadApiAddress(input);
          expect(a.target).toMatch(a.kind === "unix" ? /^unix:\// : /^ipv[46]:/);
        } catch (e) {
          expect(WorkloadApiError.is(e, "address_invalid")).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("round-trips absolute unix paths in both spellings", async () => {
    const fc = await import("fast-check");
    const segment = fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/);
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 5 }), (segs) => {
        const path = `/${segs.join("/")}`;
        expect(parseWorkloadApiAddress(`unix://${path}`)).toEqual({ kind: "unix", path, target: `unix:${path}` });
        expect(parseWorkloadApiAddress(`unix:${path}`)).toEqual({ kind: "unix", path, target: `unix:${path}` });
      }),
    );
  });
});
