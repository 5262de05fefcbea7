import { X509Certificate } from "node:crypto";
import { lstat, mkdtemp, rm, writeFile } from "node:fs/promises";
import { status } from "@grpc/grpc-js";
import { X509Bundle, parseAndValidateJwtSvid, parseX509Svid } from "@spike-ts/spiffe";
import { createTestCa } from "@spike-ts/spiffe/testing";
import { describe, expect, it } from "vitest";
import { messages } from "../src/proto/messages.js";
import { structToJson } from "../src/proto/struct.js";
import { startDevWorkloadApi } from "../src/testing/index.js";
import { header, rawClient, rawStream, rawUnary, useCleanup } from "./helpers.js";

const cleanup = useCleanup();
const API = "spiffe://example.org/api";

async function agentWith(opts: Partial<Parameters<typeof startDevWorkloadApi>[0]> = {}) {
  const agent = await startDevWorkloadApi({ identities: [{ spiffeId: API }], ...opts });
  cleanup(() => agent.close());
  return agent;
}

function raw(address: string, options: Record<string, string | number> = {}) {
  const c = rawClient(address, options);
  cleanup(() => c.close());
  return c;
}

describe("dev Workload API server: header enforcement", () => {
  const streaming = ["FetchX509SVID", "FetchX509Bundles", "FetchJWTBundles", "FetchWITSVID", "FetchWITBundles"] as const;
  it.each(streaming)("%s without the header fails INVALID_ARGUMENT", async (rpc) => {
    const agent = await agentWith();
    const r = await rawStream(raw(agent.address), rpc, header());
    expect(r.status.code).toBe(status.INVALID_ARGUMENT);
    expect(r.status.details).toBe("security header missing from request");
    expect(r.messages).toHaveLength(0);
  });

  it("unary RPCs without the header fail INVALID_ARGUMENT", async () => {
    const agent = await agentWith();
    const c = raw(agent.address);
    const a = await rawUnary(c, "FetchJWTSVID", header(), messages.JWTSVIDRequest.encode({ audience: ["x"], spiffe_id: "" }));
    const b = await rawUnary(c, "ValidateJWTSVID", header(), messages.ValidateJWTSVIDRequest.encode({ audience: "x", svid: "y" }));
    expect([a.status?.code, a.status?.details]).toEqual([status.INVALID_ARGUMENT, "security header missing from request"]);
    expect([b.status?.code, b.status?.details]).toEqual([status.INVALID_ARGUMENT, "security header missing from request"]);
  });

  it("rejects a wrong value and a doubled header", async () => {
    const agent = await agentWith();
    const c = raw(agent.address);
    expect((await rawStream(c, "FetchX509SVID", header("false"))).status.code).toBe(status.INVALID_ARGUMENT);
    expect((await rawStream(c, "FetchX509SVID", header("true", "true"))).status.code).toBe(status.INVALID_ARGUMENT);
    expect((await rawStream(c, "FetchX509SVID", header("TRUE"))).status.code).toBe(status.INVALID_ARGUMENT);
    const ok = await rawStream(c, "FetchX509SVID", header("true"));
    expect(ok.messages).toHaveLength(1);
  });

  it("accepts any :authority (e.g. the percent-encoded socket path other stacks send)", async () => {
    const agent = await agentWith();
    const c = raw(agent.address, { "grpc.default_authority": encodeURIComponent(agent.socketPath) });
    const r = await rawStream(c, "FetchX509SVID", header("true"));
    expect(r.messages).toHaveLength(1);
    expect(agent.calls.at(-1)?.authority).toBe(encodeURIComponent(agent.socketPath));
  });
});

describe("dev Workload API server: RPC behaviour", () => {
  it("serves the X.509 state like SPIRE: leaf chain, PKCS#8 key, own bundle, federated map", async () => {
    const fed = createTestCa({ trustDomain: "partner.org" });
    const agent = await agentWith({
      identities: [{ spiffeId: API, hint: "internal" }, { spiffeId: "spiffe://example.org/web", hint: "internal" }, { spiffeId: "spiffe://example.org/db" }],
      federatedBundles: { "partner.org": fed.bundle },
    });
    const r = await rawStream(raw(agent.address), "FetchX509SVID", header("true"));
    const msg = messages.X509SVIDResponse.decode(r.messages[0] as Buffer);
    // the later "internal" entry is dropped (older entry wins), the hint-less one is kept
    expect(msg.svids.map((s) => [s.spiffe_id, s.hint])).toEqual([[API, "internal"], ["spiffe://example.org/db", ""]]);
    const first = msg.svids[0];
    if (!first) throw new Error("no svid");
    const svid = parseX509Svid(first.x509_svid, first.x509_svid_key);
    expect(svid.id.toString()).toBe(API);
    expect(svid.certificates).toHaveLength(1);
    expect(Buffer.from(first.bundle).equals(Buffer.from(agent.ca.rootDer))).toBe(true);
    expect(Object.keys(msg.federated_bundles)).toEqual(["spiffe://partner.org"]);
    expect(Buffer.from(msg.federated_bundles["spiffe://partner.org"] as Buffer).equals(Buffer.from(fed.rootDer))).toBe(true);
    expect(msg.crl).toEqual([]);
  });

  it("answers a workload without identity PERMISSION_DENIED no identity issued", async () => {
    const agent = await agentWith({ identities: [] });
    const c = raw(agent.address);
    for (const rpc of ["FetchX509SVID", "FetchX509Bundles", "FetchJWTBundles"] as const) {
      const r = await rawStream(c, rpc, header("true"));
      expect([rpc, r.status.code, r.status.details]).toEqual([rpc, status.PERMISSION_DENIED, "no identity issued"]);
    }
    const j = await rawUnary(c, "FetchJWTSVID", header("true"), messages.JWTSVIDRequest.encode({ audience: ["x"], spiffe_id: "" }));
    expect([j.status?.code, j.status?.details]).toEqual([status.PERMISSION_DENIED, "no identity issued"]);
  });

  it("serves own-TD bundles to callers without identity when allowUnauthenticatedVerifiers is set", async () => {
    const agent = await agentWith({ identities: [], allowUnauthenticatedVerifiers: true });
    const r = await rawStream(raw(agent.address), "FetchX509Bundles", header("true"));
    expect(Object.keys(messages.X509BundlesResponse.decode(r.messages[0] as Buffer).bundles)).toEqual(["spiffe://example.org"]);
  });

  it("answers the WIT RPCs UNIMPLEMENTED", async () => {
    const agent = await agentWith();
    const c = raw(agent.address);
    const a = await rawStream(c, "FetchWITSVID", header("true"));
    const b = await rawStream(c, "FetchWITBundles", header("true"));
    expect([a.status.code, a.status.details]).toEqual([status.UNIMPLEMENTED, "fetching WIT-SVIDs is not implemented"]);
    expect(b.status.code).toBe(status.UNIMPLEMENTED);
  });

  it("checks FetchJWTSVID arguments like SPIRE", async () => {
    const agent = await agentWith();
    const c = raw(agent.address);
    const noAud = await rawUnary(c, "FetchJWTSVID", header("true"), messages.JWTSVIDRequest.encode({ audience: [], spiffe_id: "" }));
    expect([noAud.status?.code, noAud.status?.details]).toEqual([status.INVALID_ARGUMENT, "audience must be specified"]);
    const badId = await rawUnary(c, "FetchJWTSVID", header("true"), messages.JWTSVIDRequest.encode({ audience: ["x"], spiffe_id: "spiffe://Bad/x" }));
    expect(badId.status?.code).toBe(status.INVALID_ARGUMENT);
    expect(badId.status?.details).toMatch(/^invalid requested SPIFFE ID: /);
    const other = await rawUnary(c, "FetchJWTSVID", header("true"), messages.JWTSVIDRequest.encode({ audience: ["x"], spiffe_id: "spiffe://example.org/nope" }));
    expect([other.status?.code, other.status?.details]).toEqual([status.PERMISSION_DENIED, "no identity issued"]);
  });

  it("mints ES256 JWT-SVIDs cached per (ID, sorted audiences) until half-life", async () => {
    let nowMs = Date.parse("2026-12-03T12:00:00Z");
    const agent = await agentWith({ now: () => new Date(nowMs), jwtTtlMs: 60_000 });
    const c = raw(agent.address);
    const fetch = async (audience: string[]) => {
      const r = await rawUnary(c, "FetchJWTSVID", header("true"), messages.JWTSVIDRequest.encode({ audience, spiffe_id: "" }));
      return messages.JWTSVIDResponse.decode(r.value as Buffer).svids[0]?.svid as string;
    };
    const t1 = await fetch(["b", "a"]);
    const [h, p] = t1.split(".").slice(0, 2).map((s) => JSON.parse(Buffer.from(s as string, "base64url").toString()));
    expect(h).toEqual({ alg: "ES256", kid: agent.ca.jwtKid, typ: "JWT" });
    expect(p).toMatchObject({ sub: API, aud: ["b", "a"], exp: nowMs / 1000 + 60, iat: nowMs / 1000 });
    expect(await fetch(["a", "b"])).toBe(t1);
    expect(await fetch(["a"])).not.toBe(t1);
    nowMs += 29_000;
    expect(await fetch(["a", "b"])).toBe(t1);
    nowMs += 2_000;
    expect(await fetch(["a", "b"])).not.toBe(t1);
  });

  it("validates JWT-SVIDs and returns claims with aud as a list", async () => {
    const agent = await agentWith();
    const c = raw(agent.address);
    const token = agent.ca.issueJwtSvid(API, { audience: "db" });
    const ok = await rawUnary(c, "ValidateJWTSVID", header("true"), messages.ValidateJWTSVIDRequest.encode({ audience: "db", svid: token }));
    const body = messages.ValidateJWTSVIDResponse.decode(ok.value as Buffer);
    expect(body.spiffe_id).toBe(API);
    expect(structToJson(body.claims)).toMatchObject({ sub: API, aud: ["db"] });
    const wrongAud = await rawUnary(c, "ValidateJWTSVID", header("true"), messages.ValidateJWTSVIDRequest.encode({ audience: "other", svid: token }));
    expect(wrongAud.status?.code).toBe(status.INVALID_ARGUMENT);
    const foreign = createTestCa({ trustDomain: "example.org" }).issueJwtSvid(API, { audience: "db" });
    const untrusted = await rawUnary(c, "ValidateJWTSVID", header("true"), messages.ValidateJWTSVIDRequest.encode({ audience: "db", svid: foreign }));
    expect(untrusted.status?.code).toBe(status.INVALID_ARGUMENT);
    const empty = await rawUnary(c, "ValidateJWTSVID", header("true"), messages.ValidateJWTSVIDRequest.encode({ audience: "db", svid: "" }));
    expect([empty.status?.code, empty.status?.details]).toEqual([status.INVALID_ARGUMENT, "svid must be specified"]);
    const noAud = await rawUnary(c, "ValidateJWTSVID", header("true"), messages.ValidateJWTSVIDRequest.encode({ audience: "", svid: token }));
    expect(noAud.status?.details).toBe("audience must be specified");
  });

  it("returns only sub, aud and exp for a federated token", async () => {
    const partner = createTestCa({ trustDomain: "partner.org" });
    const agent = await agentWith({ federatedJwtBundles: { "partner.org": partner.jwtBundle() } });
    const token = partner.issueJwtSvid("spiffe://partner.org/x", { audience: "db", claims: { secret_claim: "s" } });
    const r = await rawUnary(raw(agent.address), "ValidateJWTSVID", header("true"), messages.ValidateJWTSVIDRequest.encode({ audience: "db", svid: token }));
    const claims = structToJson(messages.ValidateJWTSVIDResponse.decode(r.value as Buffer).claims);
    expect(Object.keys(claims).sort()).toEqual(["aud", "exp", "sub"]);
  });

  it("serves JWT bundles (own + federated) that verify its tokens", async () => {
    const partner = createTestCa({ trustDomain: "partner.org" });
    const agent = await agentWith({ federatedJwtBundles: { "partner.org": partner.jwtBundle() } });
    const r = await rawStream(raw(agent.address), "FetchJWTBundles", header("true"));
    const msg = messages.JWTBundlesResponse.decode(r.messages[0] as Buffer);
    expect(Object.keys(msg.bundles).sort()).toEqual(["spiffe://example.org", "spiffe://partner.org"]);
    const jwks = JSON.parse(Buffer.from(msg.bundles["spiffe://example.org"] as Buffer).toString()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys.map((k) => k["kid"])).toEqual([agent.ca.jwtKid]);
    expect(jwks.keys[0]).not.toHaveProperty("use");
    expect(jwks.keys[0]).toMatchObject({ kty: "EC", crv: "P-256" });
    const token = agent.ca.issueJwtSvid(API, { audience: "x" });
    expect(parseAndValidateJwtSvid(token, agent.ca.jwtBundle(), ["x"]).id.toString()).toBe(API);
  });
});

describe("dev Workload API server: socket handling", () => {
  it("chmods the socket 0777 and removes a stale socket", async () => {
    const a = await agentWith();
    expect((await lstat(a.socketPath)).mode & 0o777).toBe(0o777);
    // A second agent on the same path replaces the first one's socket, as SPIRE does.
    const b = await agentWith({ socketPath: a.socketPath, identities: [{ spiffeId: "spiffe://example.org/second" }] });
    const r = await rawStream(raw(b.address), "FetchX509SVID", header("true"));
    expect(messages.X509SVIDResponse.decode(r.messages[0] as Buffer).svids[0]?.spiffe_id).toBe("spiffe://example.org/second");
  });

  it("refuses to replace a file that is not a socket", async () => {
    const dir = await mkdtemp("/tmp/sts-");
    cleanup(() => rm(dir, { recursive: true, force: true }));
    await writeFile(`${dir}/agent.sock`, "data");
    await expect(startDevWorkloadApi({ socketPath: `${dir}/agent.sock`, identities: [] })).rejects.toThrowError(/is not a socket/);
  });

  it("restart ends open streams with UNAVAILABLE and listens again", async () => {
    const agent = await agentWith();
    const c = raw(agent.address);
    const pending = rawStream(c, "FetchX509SVID", header("true"), 2);
    await agent.waitForStreams("FetchX509SVID");
    await agent.restart();
    const r = await pending;
    expect(r.messages).toHaveLength(1);
    expect(r.status.code).toBe(status.UNAVAILABLE);
    const again = await rawStream(c, "FetchX509SVID", header("true"));
    expect(again.messages).toHaveLength(1);
  });

  it("removes its temp dir on close", async () => {
    const agent = await startDevWorkloadApi({ identities: [] });
    await agent.close();
    await expect(lstat(agent.socketPath)).rejects.toThrowError(/ENOENT/);
  });
});

describe("dev Workload API server: identity changes", () => {
  it("keeps the SVIDs of unchanged entries when the entry set changes", async () => {
    const agent = await agentWith();
    const before = Buffer.from(agent.svids[0]?.certificates[0] as Uint8Array);
    agent.setIdentities([{ spiffeId: API }, { spiffeId: "spiffe://example.org/new" }]);
    expect(agent.svids).toHaveLength(2);
    expect(Buffer.from(agent.svids[0]?.certificates[0] as Uint8Array).equals(before)).toBe(true);
    agent.rotate();
    expect(Buffer.from(agent.svids[0]?.certificates[0] as Uint8Array).equals(before)).toBe(false);
  });

  it("ends open X.509 streams with PERMISSION_DENIED when the identities drop to zero", async () => {
    const agent = await agentWith();
    const c = raw(agent.address);
    const pending = rawStream(c, "FetchX509SVID", header("true"), 5);
    await agent.waitForStreams("FetchX509SVID");
    agent.setIdentities([]);
    const r = await pending;
    expect(r.messages).toHaveLength(1);
    expect([r.status.code, r.status.details]).toEqual([status.PERMISSION_DENIED, "no identity issued"]);
  });
});

describe("dev Workload API server: CA rotation stages", () => {
  it("prepare publishes the next CA; activate signs with it; the old CA stays trusted", async () => {
    const agent = await agentWith();
    const oldCa = agent.ca;
    const c = raw(agent.address);
    const pending = rawStream(c, "FetchX509SVID", header("true"), 3);
    await agent.waitForStreams("FetchX509SVID");
    agent.prepareCa();
    expect(agent.ca).toBe(oldCa);
    expect(agent.bundle.authorities).toHaveLength(2);
    agent.activateCa();
    expect(agent.ca).not.toBe(oldCa);
    const r = await pending;
    const [m0, m1, m2] = r.messages.map((m) => messages.X509SVIDResponse.decode(m));
    const issuerIsRoot = (m: typeof m0, root: Uint8Array) =>
      new X509Certificate(m?.svids[0]?.x509_svid as Buffer).checkIssued(new X509Certificate(Buffer.from(root)));
    expect(X509Bundle.parseRaw("example.org", m0?.svids[0]?.bundle as Buffer).authorities).toHaveLength(1);
    expect(X509Bundle.parseRaw("example.org", m1?.svids[0]?.bundle as Buffer).authorities).toHaveLength(2);
    expect(issuerIsRoot(m1, oldCa.rootDer)).toBe(true);
    expect(issuerIsRoot(m2, agent.ca.rootDer)).toBe(true);
    expect(X509Bundle.parseRaw("example.org", m2?.svids[0]?.bundle as Buffer).hasAuthority(oldCa.rootDer)).toBe(true);
  });
});

describe("dev Workload API server: options", () => {
  it("validates options on the spot", async () => {
    await expect(startDevWorkloadApi({ identities: [{ spiffeId: "spiffe://other.org/x" }] })).rejects.toThrowError(/not in trust domain example.org/);
    await expect(startDevWorkloadApi({ identities: [], svidTtlMs: 0 })).rejects.toThrowError(/svidTtlMs/);
    await expect(startDevWorkloadApi({ identities: [], socketPath: "relative.sock" })).rejects.toThrowError(/absolute/);
  });
});
