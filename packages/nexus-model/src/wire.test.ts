import { describe, expect, it } from "vitest";
import { formatCipherBlob, parseCipherBlob, parseMaxCipherBytes } from "./cipher-blob.js";
import { findEndpoint, NEXUS_ENDPOINTS } from "./endpoints.js";
import { NexusModelError } from "./errors.js";
import { formatGoTime, isGoZeroTime, parseGoTime } from "./go-time.js";
import { joinNexusUrl, nexusBaseUrlFromEnv, parseNexusBaseUrl } from "./nexus-url.js";
import { formatRecoveryShard, parseRecoveryShard } from "./recovery-shard.js";
import { NEXUS_ERROR_STATUS } from "./wire-errors.js";

describe("endpoints", () => {
  it("route by exact path and action", () => {
    expect(findEndpoint("/v1/store/secrets", "")?.operation).toBe("secret.put");
    expect(findEndpoint("/v1/store/secrets", "get")?.operation).toBe("secret.get");
    expect(findEndpoint("/v1/store/secrets/metadata", "get")?.operation).toBe("secret.metadata");
    expect(findEndpoint("/v1/acl/policy", "list")?.operation).toBe("policy.list");
    expect(findEndpoint("/v1/store/secrets/", "get")).toBeUndefined();
    expect(findEndpoint("/v1/store/secrets", "read")).toBeUndefined();
    expect(findEndpoint("/v1/auth/initialization", "")).toBeUndefined();
  });
  it("carry the permission table of §4.6", () => {
    expect(NEXUS_ENDPOINTS["secret.list"].auth).toEqual({ kind: "policy", resource: "spike/system/secret", permission: "list" });
    expect(NEXUS_ENDPOINTS["secret.delete"].auth).toEqual({ kind: "policy", resource: "request-path", permission: "write" });
    expect(NEXUS_ENDPOINTS["policy.get"].auth).toEqual({ kind: "policy", resource: "spike/system/acl", permission: "read" });
    expect(NEXUS_ENDPOINTS["cipher.decrypt"].auth).toEqual({ kind: "policy", resource: "spike/system/cipher/exec", permission: "execute" });
    expect(NEXUS_ENDPOINTS["operator.restore"].auth).toEqual({ kind: "role", role: "restore" });
    expect(Object.values(NEXUS_ENDPOINTS).filter((e) => e.skipsReadinessGate).map((e) => e.operation)).toEqual([
      "operator.recover",
      "operator.restore",
    ]);
    expect(Object.values(NEXUS_ENDPOINTS).filter((e) => e.lite).length).toBe(5);
  });
  it("statuses of the five wire codes", () => {
    expect(NEXUS_ERROR_STATUS).toEqual({
      api_bad_request: 400,
      access_unauthorized: 401,
      api_not_found: 404,
      api_internal_error: 500,
      state_not_ready: 503,
    });
  });
});

describe("joinNexusUrl (Go url.JoinPath)", () => {
  it.each([
    ["https://localhost:8553", "/v1/store/secrets", "", "https://localhost:8553/v1/store/secrets"],
    ["https://localhost:8553/", "/v1/store/secrets", "get", "https://localhost:8553/v1/store/secrets?action=get"],
    ["https://n.example/prefix", "/v1/acl/policy", "list", "https://n.example/prefix/v1/acl/policy?action=list"],
    ["https://n.example/prefix//", "v1/acl/policy", "", "https://n.example/prefix/v1/acl/policy"],
    ["https://n.example/a/./b/../c/", "/v1/cipher/encrypt", "", "https://n.example/a/c/v1/cipher/encrypt"],
    ["http://127.0.0.1:9000", "/v1/operator/recover", "", "http://127.0.0.1:9000/v1/operator/recover"],
  ])("%s + %s", (base, path, action, want) => {
    expect(joinNexusUrl(base, path, action)).toBe(want);
  });
  it("refuses bad base URLs with a typed error", () => {
    expect(() => parseNexusBaseUrl("localhost:8553")).toThrow(/scheme localhost: is not supported/);
    expect(() => parseNexusBaseUrl("not a url")).toThrow(NexusModelError);
    expect(() => parseNexusBaseUrl("https://u:secretpw@h")).toThrow("nexus-model: base url must not carry credentials; nexus authenticates with mTLS");
    expect(() => parseNexusBaseUrl("https://h/?x=1")).toThrow(/must not have a query/);
  });
  it("reads SPIKE_NEXUS_API_URL with the default", () => {
    expect(nexusBaseUrlFromEnv({})).toBe("https://localhost:8553");
    expect(nexusBaseUrlFromEnv({ SPIKE_NEXUS_API_URL: "" })).toBe("https://localhost:8553");
    expect(nexusBaseUrlFromEnv({ SPIKE_NEXUS_API_URL: "https://n:1/p" })).toBe("https://n:1/p");
  });
});

describe("cipher blob", () => {
  it("round-trips version, nonce and ciphertext", () => {
    const nonce = Uint8Array.from({ length: 12 }, (_, i) => i + 1);
    const ct = Uint8Array.from([9, 8, 7]);
    const blob = formatCipherBlob({ version: 1, nonce, ciphertext: ct });
    expect([...blob]).toEqual([1, ...nonce, 9, 8, 7]);
    const back = parseCipherBlob(blob);
    expect(back.version).toBe(1);
    expect([...back.nonce]).toEqual([...nonce]);
    expect([...back.ciphertext]).toEqual([9, 8, 7]);
  });
  it("refuses short blobs, other versions and bad nonces", () => {
    expect(() => parseCipherBlob(new Uint8Array(5))).toThrow(/needs at least 13/);
    expect(() => parseCipherBlob(new Uint8Array(20).fill(2))).toThrow("nexus-model: cipher blob version 2 is not supported; only 1 is");
    expect(() => formatCipherBlob({ version: 1, nonce: new Uint8Array(11), ciphertext: new Uint8Array() })).toThrow(/must be 12/);
  });
  it("reads the max size like the Go env accessor", () => {
    expect(parseMaxCipherBytes(undefined)).toBe(65536);
    expect(parseMaxCipherBytes("1024")).toBe(1024);
    expect(parseMaxCipherBytes("0")).toBe(65536);
    expect(parseMaxCipherBytes("-5")).toBe(65536);
    expect(parseMaxCipherBytes("12k")).toBe(65536);
  });
});

describe("recovery shards", () => {
  it("format and parse spike:<i>:<hex>", () => {
    const shard = Uint8Array.from({ length: 32 }, (_, i) => i);
    const text = formatRecoveryShard({ index: 2, shard });
    expect(text).toBe(`spike:2:${[...shard].map((b) => b.toString(16).padStart(2, "0")).join("")}`);
    const back = parseRecoveryShard(`${text}\n`);
    expect(back.index).toBe(2);
    expect([...back.shard]).toEqual([...shard]);
  });
  it("refuses malformed and all-zero shards without echoing them", () => {
    expect(() => parseRecoveryShard("spike:1:abcd")).toThrow(/spike:<index>:<64 hex characters>/);
    expect(() => parseRecoveryShard(`spike:0:${"ab".repeat(32)}`)).toThrow(NexusModelError);
    expect(() => parseRecoveryShard(`spike:1:${"00".repeat(32)}`)).toThrow("nexus-model: recovery shard is all zero; nexus refuses it");
    try {
      parseRecoveryShard(`spike:1:${"zz".repeat(32)}`);
    } catch (e) {
      expect((e as Error).message).not.toContain("zz");
    }
  });
});

describe("Go times", () => {
  it("parse nanosecond RFC 3339 into Date", () => {
    expect(parseGoTime("2026-07-25T10:00:00.123456789Z").toISOString()).toBe("2026-07-25T10:00:00.123Z");
    expect(parseGoTime("2026-07-25T10:00:00.5Z").toISOString()).toBe("2026-07-25T10:00:00.500Z");
    expect(parseGoTime("2026-07-25T12:00:00+02:00").toISOString()).toBe("2026-07-25T10:00:00.000Z");
    expect(parseGoTime("2026-07-25 10:00:00-01:30").toISOString()).toBe("2026-07-25T11:30:00.000Z");
  });
  it("recognise Go's zero time", () => {
    expect(isGoZeroTime("0001-01-01T00:00:00Z")).toBe(true);
    expect(parseGoTime("0001-01-01T00:00:00Z").getUTCFullYear()).toBe(1);
    expect(isGoZeroTime("2026-07-25T10:00:00Z")).toBe(false);
    expect(isGoZeroTime("garbage")).toBe(false);
  });
  it("refuse other strings", () => {
    expect(() => parseGoTime("yesterday")).toThrow(NexusModelError);
    expect(() => parseGoTime("2026-13-01T00:00:00Z")).toThrow(/not a valid time/);
  });
  it("format like Go, trimming zeros", () => {
    expect(formatGoTime(new Date("2026-07-25T10:00:00.500Z"))).toBe("2026-07-25T10:00:00.5Z");
    expect(formatGoTime(new Date("2026-07-25T10:00:00.000Z"))).toBe("2026-07-25T10:00:00Z");
    expect(formatGoTime(new Date("2026-07-25T10:00:00.123Z"))).toBe("2026-07-25T10:00:00.123Z");
  });
});

describe("Go times: every field in range (no silent roll-over)", () => {
  for (const bad of [
    "2026-02-29T00:00:00Z",
    "2026-02-31T00:00:00Z",
    "2026-04-31T00:00:00Z",
    "2026-00-10T00:00:00Z",
    "2026-01-00T00:00:00Z",
    "2026-01-01T24:00:00Z",
    "2026-01-01T00:60:00Z",
    "2026-01-01T00:00:60Z",
    "2026-01-01T00:00:00+24:00",
    "2026-01-01T00:00:00+01:60",
  ]) {
    it(`refuses ${bad}`, () => {
      expect(() => parseGoTime(bad)).toThrow(expect.objectContaining({ code: "time_invalid" }));
    });
  }
  it("accepts the real edges", () => {
    expect(parseGoTime("2028-02-29T23:59:59Z").toISOString()).toBe("2028-02-29T23:59:59.000Z");
    expect(parseGoTime("2026-12-31T00:00:00-23:59").toISOString()).toBe("2026-12-31T23:59:00.000Z");
    expect(parseGoTime("0001-01-01T00:00:00Z").toISOString()).toBe("0001-01-01T00:00:00.000Z");
    expect(parseGoTime("0099-03-01T00:00:00Z").getUTCFullYear()).toBe(99);
  });
});
