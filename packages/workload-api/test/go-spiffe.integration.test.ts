/**
 * go-spiffe v2.9.0 (the reference client, via our peers/go/cmd/x509-fetch) against
 * our dev Workload API server: what the reference implementation sees is what a
 * SPIRE agent would show it. Fails when the Go peers are not built, unless
 * SPIKE_TS_ALLOW_MISSING_PEERS=1.
 */
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createTestCa } from "@spike-ts/spiffe/testing";
import { startDevWorkloadApi } from "../src/testing/index.js";
import type { DevWorkloadApi, DevWorkloadApiOptions } from "../src/testing/index.js";
import { locateGoPeers, peerDirOrSkip, startPeerProcess, type PeerProcess } from "./support/peers.js";
import { parseGoPeerEvents, runGoMtlsClient, runX509Fetch, startGoMtlsServer, type GoMtlsServer, type GoPeerEvent } from "./support/peers-go.js";

const goDir = peerDirOrSkip(locateGoPeers(), "CI_REQUIRE_GO_PEERS");

const AUDIENCE = "spiffe://example.org/audience/go-spiffe";
const MAIN_ID = "spiffe://example.org/workload/go";
const SECOND_ID = "spiffe://example.org/workload/second";

describe.skipIf(goDir === undefined)("go-spiffe v2.9.0 against the dev Workload API", () => {
  const servers: DevWorkloadApi[] = [];
  const procs: PeerProcess[] = [];
  const goServers: GoMtlsServer[] = [];

  const dev = async (options: DevWorkloadApiOptions) => {
    const d = await startDevWorkloadApi(options);
    servers.push(d);
    return d;
  };

  afterEach(async () => {
    await Promise.all(procs.splice(0).map((p) => p.stop("SIGKILL")));
    await Promise.all(goServers.splice(0).map((g) => g.close()));
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it("fetches the X.509 context, verifies every SVID chain, and sees own and federated bundles", async () => {
    const federated = createTestCa({ trustDomain: "partner.org" });
    const d = await dev({
      identities: [
        { spiffeId: MAIN_ID, hint: "internal" },
        { spiffeId: SECOND_ID, hint: "external" },
      ],
      federatedBundles: { "partner.org": federated.bundle },
    });
    const r = await runX509Fetch(goDir!, d.address, ["-ops", "x509,x509bundles"]);
    expect(r.code, JSON.stringify(r.events)).toBe(0);

    const ctx = r.one("x509_context");
    expect(ctx.defaultSpiffeId).toBe(MAIN_ID);
    const svids = ctx.svids as Array<Record<string, unknown>>;
    expect(svids.map((s) => [s.spiffeId, s.hint, s.chainVerified])).toEqual([
      [MAIN_ID, "internal", true],
      [SECOND_ID, "external", true],
    ]);
    // go-spiffe reads the same certificate our server issued.
    const issued = d.svids[0]!.svid;
    expect(svids[0]!.notAfter).toBe(issued.notAfter.toISOString().replace(/\.\d{3}Z$/, "Z"));
    expect(svids[0]!.expiredAtOutput).toBe(false);
    expect(ctx.bundles).toEqual([
      { trustDomain: "example.org", authorities: d.bundle.authorities.length },
      { trustDomain: "partner.org", authorities: 1 },
    ]);
    expect(r.one("x509_bundles").bundles).toEqual(ctx.bundles);

    // Every call go-spiffe made carried exactly one security header value "true".
    expect(d.calls.length).toBeGreaterThanOrEqual(2);
    for (const call of d.calls) expect(call.securityHeader).toEqual(["true"]);
  });

  it("fetches a JWT-SVID and validates it against the JWT bundle and with ValidateJWTSVID", async () => {
    const d = await dev({ identities: [{ spiffeId: MAIN_ID }] });
    const r = await runX509Fetch(goDir!, d.address, ["-ops", "jwt,jwtbundles,validate", "-audience", `${AUDIENCE},spiffe://example.org/extra`]);
    expect(r.code, JSON.stringify(r.events)).toBe(0);

    const jwt = r.one("jwt_svid");
    expect(jwt.spiffeId).toBe(MAIN_ID);
    expect(jwt.audience).toEqual([AUDIENCE, "spiffe://example.org/extra"]);
    expect(jwt.tokenParts).toBe(3);
    const bundles = r.one("jwt_bundles").bundles as Array<Record<string, unknown>>;
    expect(bundles).toEqual([{ trustDomain: "example.org", keyIds: [d.ca.jwtKid], keys: 1 }]);
    expect(r.one("jwt_validate_local")).toMatchObject({ ok: true, spiffeId: MAIN_ID });
    expect(r.one("jwt_validate_remote")).toMatchObject({ ok: true, spiffeId: MAIN_ID });
  });

  it("validates tokens minted by our test CA, and refuses an expired one both locally and remotely", async () => {
    const ca = createTestCa({ trustDomain: "example.org" });
    const d = await dev({ ca, identities: [{ spiffeId: MAIN_ID }] });

    const good = ca.issueJwtSvid(SECOND_ID, { audience: [AUDIENCE] });
    const ok = await runX509Fetch(goDir!, d.address, ["-ops", "validate", "-token", good, "-audience", AUDIENCE]);
    expect(ok.code, JSON.stringify(ok.events)).toBe(0);
    expect(ok.one("jwt_validate_local")).toMatchObject({ ok: true, spiffeId: SECOND_ID, audience: [AUDIENCE] });
    expect(ok.one("jwt_validate_remote")).toMatchObject({ ok: true, spiffeId: SECOND_ID });
    // The token never appears in the output.
    expect(JSON.stringify(ok.events)).not.toContain(good);

    const nowS = Math.floor(Date.now() / 1000);
    const expired = ca.issueJwtSvid(SECOND_ID, { audience: [AUDIENCE], claims: { iat: nowS - 600, exp: nowS - 300 } });
    const bad = await runX509Fetch(goDir!, d.address, ["-ops", "validate", "-token", expired, "-audience", AUDIENCE]);
    expect(bad.code).toBe(1);
    const local = bad.one("jwt_validate_local");
    expect(local.ok).toBe(false);
    expect(String(local.message)).toMatch(/expired/);
    expect(bad.one("jwt_validate_remote")).toMatchObject({ ok: false, code: "InvalidArgument" });
  });

  it("gets SPIRE's answers to every security-header variant (missing, wrong, duplicated, present)", async () => {
    const d = await dev({ identities: [{ spiffeId: MAIN_ID }] });
    const r = await runX509Fetch(goDir!, d.address, ["-ops", "header-probe"]);
    expect(r.code, JSON.stringify(r.events)).toBe(0);
    const results = r.one("header_probe").results as Array<Record<string, unknown>>;
    const by = Object.fromEntries(results.map((x) => [x.variant, x]));
    // The same expectations the SPIRE suite checks against the real agent.
    expect(by.missing).toMatchObject({ code: "InvalidArgument", grpcMessage: "security header missing from request" });
    expect(by["wrong-value"]).toMatchObject({ code: "InvalidArgument" });
    expect(by.duplicated).toMatchObject({ code: "InvalidArgument" });
    expect(by.present).toMatchObject({ code: "OK", svids: 1 });
    // What the server saw (Node's HTTP/2 layer joins a repeated header into "true, true").
    const headers = d.calls.map((c) => c.securityHeader);
    expect(headers).toHaveLength(4);
    expect([headers[0], headers[1], headers[3]]).toEqual([[], ["false"], ["true"]]);
    expect(headers[2]).not.toEqual(["true"]);
    expect(headers[2]!.join(",").replace(/\s/g, "")).toBe("true,true");
  });

  it("sees no identity as PermissionDenied 'no identity issued' on every fetch", async () => {
    const d = await dev({ identities: [] });
    const r = await runX509Fetch(goDir!, d.address, ["-ops", "x509,x509bundles,jwt,jwtbundles", "-audience", AUDIENCE]);
    expect(r.code).toBe(1);
    const errors = Object.fromEntries(r.all("error").map((e) => [e.op, e]));
    for (const op of ["fetch_x509_context", "fetch_x509_bundles", "fetch_jwt_svid", "fetch_jwt_bundles"]) {
      expect(errors[op], `${op}: ${JSON.stringify(r.events)}`).toMatchObject({ code: "PermissionDenied", grpcMessage: "no identity issued" });
    }
    expect(r.one("done").ok).toBe(false);
  });

  it("watches: rotation, identities dropping to zero (PermissionDenied, retried) and coming back", async () => {
    const d = await dev({ identities: [{ spiffeId: MAIN_ID }] });
    const proc = startPeerProcess("x509-fetch", join(goDir!, "x509-fetch"), ["-addr", d.address, "-ops", "", "-watch", "3", "-timeout", "60s"]);
    procs.push(proc);
    const events = () => parseGoPeerEvents(proc.stdoutLines().join("\n"));
    const update = async (n: number): Promise<GoPeerEvent> => {
      await proc.waitForLine((l) => l.includes('"event":"x509_update"') && l.includes(`"n":${n},`), { timeoutMs: 30_000, stream: "stdout" });
      return events().find((e) => e.event === "x509_update" && e.n === n)!;
    };
    const leaf = (e: GoPeerEvent) => (e.svids as Array<Record<string, unknown>>)[0]!.leafSha256;

    const u0 = await update(0);
    expect(u0.defaultSpiffeId).toBe(MAIN_ID);

    d.rotate();
    const u1 = await update(1);
    expect(leaf(u1)).not.toBe(leaf(u0));

    d.setIdentities([]);
    await proc.waitForLine((l) => l.includes('"event":"watch_error"') && l.includes("PermissionDenied"), { timeoutMs: 30_000, stream: "stdout" });
    const denied = events().find((e) => e.event === "watch_error")!;
    expect(denied).toMatchObject({ code: "PermissionDenied", grpcMessage: "no identity issued" });

    // go-spiffe retries after its backoff (1 s) and gets the identity back.
    d.setIdentities([{ spiffeId: SECOND_ID }]);
    const u2 = await update(2);
    expect(u2.defaultSpiffeId).toBe(SECOND_ID);

    d.rotate();
    const u3 = await update(3);
    expect(leaf(u3)).not.toBe(leaf(u2));
    expect(await proc.exited).toBe(0);
    expect(events().find((e) => e.event === "watch_done")).toMatchObject({ updates: 3 });
  });

  it("follows a dev-server restart (UNAVAILABLE, then the same identity again)", async () => {
    const d = await dev({ identities: [{ spiffeId: MAIN_ID }] });
    const proc = startPeerProcess("x509-fetch", join(goDir!, "x509-fetch"), ["-addr", d.address, "-ops", "", "-watch", "1", "-timeout", "60s"]);
    procs.push(proc);
    await proc.waitForLine((l) => l.includes('"event":"x509_update"'), { timeoutMs: 30_000, stream: "stdout" });
    await d.restart();
    await proc.waitForLine((l) => l.includes('"event":"watch_done"'), { timeoutMs: 30_000, stream: "stdout" });
    const evs = parseGoPeerEvents(proc.stdoutLines().join("\n"));
    expect(evs.filter((e) => e.event === "watch_error").map((e) => e.code)).toContain("Unavailable");
    expect(evs.filter((e) => e.event === "x509_update").map((e) => e.defaultSpiffeId)).toEqual([MAIN_ID, MAIN_ID]);
    expect(await proc.exited).toBe(0);
  });

  it("runs the go-spiffe mTLS pair on dev identities (one dev server per identity, one shared CA)", async () => {
    const ca = createTestCa({ trustDomain: "example.org" });
    const serverSide = await dev({ ca, identities: [{ spiffeId: "spiffe://example.org/go-server" }] });
    const clientSide = await dev({ ca, identities: [{ spiffeId: "spiffe://example.org/go-client" }] });
    const intruderSide = await dev({ ca, identities: [{ spiffeId: "spiffe://example.org/intruder" }] });

    const server = await startGoMtlsServer(goDir!, serverSide.address, { id: "spiffe://example.org/go-client" });
    goServers.push(server);
    expect(server.spiffeId).toBe("spiffe://example.org/go-server");
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);

    const ok = await runGoMtlsClient(goDir!, clientSide.address, `${server.url}whoami`, { id: "spiffe://example.org/go-server" }, ["-count", "2"]);
    expect(ok.code, JSON.stringify(ok.events)).toBe(0);
    const responses = ok.all("response");
    expect(responses.map((r) => [r.status, r.serverId])).toEqual([
      [200, "spiffe://example.org/go-server"],
      [200, "spiffe://example.org/go-server"],
    ]);
    expect(JSON.parse(String(responses[0]!.body))).toEqual({ peerId: "spiffe://example.org/go-client", method: "GET", path: "/whoami" });

    // The client refuses a server with the wrong ID; the server refuses a client it does not authorize.
    const wrongServer = await runGoMtlsClient(goDir!, clientSide.address, server.url, { id: "spiffe://example.org/someone-else" });
    expect(wrongServer.code).toBe(1);
    expect(String(wrongServer.one("error").message)).toContain('unexpected ID "spiffe://example.org/go-server"');

    const intruder = await runGoMtlsClient(goDir!, intruderSide.address, server.url, { any: true });
    expect(intruder.code).toBe(1);
    await server.process.waitForLine((l) => l.includes('"event":"tls_error"') && l.includes("spiffe://example.org/intruder"), { timeoutMs: 10_000, stream: "stdout" });
    expect(server.events().filter((e) => e.event === "request").map((e) => e.peerId)).toEqual([
      "spiffe://example.org/go-client",
      "spiffe://example.org/go-client",
    ]);
  });
});
