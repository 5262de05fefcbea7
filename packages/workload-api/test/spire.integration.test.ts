/**
 * Our Workload API client and X509Source against a real SPIRE v1.13.3 agent
 * (built by scripts/peers/build). Fails when SPIRE is not built, unless
 * SPIKE_TS_ALLOW_MISSING_PEERS=1. Every wait is on an event, a health check or a poll with
 * a deadline; there are no fixed sleeps.
 */
import { X509Certificate } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SpiffeError, TrustDomain, X509Bundle, parseAndValidateJwtSvid, verifyX509Svid } from "@spike-ts/spiffe";
import type { X509Svid } from "@spike-ts/spiffe";
import { WorkloadApiError, createJwtSource, createWorkloadApiClient, createX509Source } from "../src/index.js";
import type { WorkloadApiClient, WorkloadX509Source } from "../src/index.js";
import { locateGoPeers, locateSpire, peerDirOrSkip, pollUntil } from "./support/peers.js";
import { runX509Fetch } from "./support/peers-go.js";
import { startSpire, type SpireDeployment } from "./support/peers-spire.js";

const spireDir = peerDirOrSkip(locateSpire(), "CI_REQUIRE_SPIRE");
const goPeers = locateGoPeers();
const goDir = goPeers.found ? goPeers.dir : undefined;

/** X509-SVID TTL of the test entry, seconds (SPIRE accepts any positive value). */
const TTL = 20;
const TD = "spike-ts.test";
const WORKLOAD_ID = `spiffe://${TD}/workload/integration`;
const AUDIENCE = "spiffe://spike-ts.test/audience/integration";

const serial = (svid: X509Svid) => new X509Certificate(svid.certificates[0]!).serialNumber;

/** Resolves after `n` onUpdate calls of `source`, handing each fresh SVID to `check`. */
function nextUpdates(source: WorkloadX509Source, n: number, timeoutMs: number, check: (svid: X509Svid) => void): Promise<X509Svid[]> {
  return new Promise((resolve, reject) => {
    const seen: X509Svid[] = [];
    const timer = setTimeout(() => {
      off();
      reject(new Error(`saw ${seen.length} of ${n} X.509 updates in ${timeoutMs} ms; last error: ${source.lastError?.message ?? "none"}`));
    }, timeoutMs);
    const off = source.onUpdate(() => {
      try {
        const svid = source.getX509Svid();
        check(svid);
        seen.push(svid);
      } catch (err) {
        clearTimeout(timer);
        off();
        reject(err);
        return;
      }
      if (seen.length === n) {
        clearTimeout(timer);
        off();
        resolve(seen);
      }
    });
  });
}

/** Resolves with the first source error whose code is one of `codes`. */
function nextError(source: WorkloadX509Source, codes: ReadonlyArray<WorkloadApiError["code"]>, timeoutMs: number): Promise<WorkloadApiError> {
  return new Promise((resolve, reject) => {
    const seen: string[] = [];
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${codes.join("/")} error from the source in ${timeoutMs} ms; saw: ${seen.join(", ") || "none"}`));
    }, timeoutMs);
    const off = source.onError((err) => {
      seen.push(err.code);
      if (codes.includes(err.code)) {
        clearTimeout(timer);
        off();
        resolve(err);
      }
    });
  });
}

describe.skipIf(spireDir === undefined)("real SPIRE v1.13.3 agent", () => {
  let spire: SpireDeployment;
  let entryId: string;
  const open: Array<{ close(): Promise<void> }> = [];
  const track = <T extends { close(): Promise<void> }>(x: T): T => {
    open.push(x);
    return x;
  };

  beforeAll(async () => {
    spire = await startSpire({ binDir: spireDir!, trustDomain: TD });
    entryId = await spire.createEntry({
      spiffeId: WORKLOAD_ID,
      selectors: [`unix:uid:${process.getuid!()}`],
      x509SvidTtlSeconds: TTL,
    });
    // The agent learns about the entry on its next sync (every 5 s): until then it
    // answers PERMISSION_DENIED. Wait for the first SVID.
    const client = createWorkloadApiClient({ address: spire.workloadApiAddress });
    try {
      await pollUntil("the agent to issue the entry's SVID", () => client.fetchX509Context({ signal: AbortSignal.timeout(10_000) }), {
        timeoutMs: 60_000,
        intervalMs: 500,
        describe: () => spire.logs(),
      });
    } finally {
      await client.close();
    }
  });

  beforeEach(async () => {
    // Keeps one failed test (say, during the agent-restart test) from failing the next ones.
    if (spire.agent().hasExited()) await spire.restartAgent();
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((x) => x.close()));
  });

  afterAll(async () => {
    await spire?.close();
  });

  it("serves the registered X509-SVID, and its chain verifies against the server's bundle", async () => {
    const client: WorkloadApiClient = track(createWorkloadApiClient({ address: spire.workloadApiAddress }));
    const ctx = await client.fetchX509Context({ signal: AbortSignal.timeout(30_000) });

    expect(ctx.svids).toHaveLength(1);
    const svid = ctx.defaultSvid;
    expect(svid.id.toString()).toBe(WORKLOAD_ID);
    expect(svid.certificates.length).toBeGreaterThanOrEqual(1);

    const td = TrustDomain.parse(TD);
    const serverBundle = X509Bundle.parsePem(td, await spire.bundlePem());
    expect(serverBundle.isEmpty()).toBe(false);
    expect(ctx.bundles.get(td)?.equals(serverBundle)).toBe(true);

    const verified = verifyX509Svid(svid.certificates, ctx.bundles);
    expect(verified.id.toString()).toBe(WORKLOAD_ID);
    expect(verifyX509Svid(svid.certificates, serverBundle).id.equals(svid.id)).toBe(true);

    // The entry's TTL is honoured (SPIRE back-dates notBefore by a few seconds).
    const lifetimeS = (svid.notAfter.getTime() - svid.notBefore.getTime()) / 1000;
    expect(lifetimeS).toBeGreaterThanOrEqual(TTL);
    expect(lifetimeS).toBeLessThanOrEqual(TTL + 15);

    const bundles = await client.fetchX509Bundles({ signal: AbortSignal.timeout(30_000) });
    expect(bundles.get(td)?.equals(serverBundle)).toBe(true);
  });

  it("issues a JWT-SVID that validates locally against the JWT bundle and through the agent", async () => {
    const client = track(createWorkloadApiClient({ address: spire.workloadApiAddress }));
    const jwt = await client.fetchJwtSvid({ audience: [AUDIENCE] });
    expect(jwt.id.toString()).toBe(WORKLOAD_ID);
    expect(jwt.audience).toEqual([AUDIENCE]);
    expect(jwt.token.split(".")).toHaveLength(3);

    const jwtBundles = await client.fetchJwtBundles({ signal: AbortSignal.timeout(30_000) });
    const local = parseAndValidateJwtSvid(jwt.token, jwtBundles, [AUDIENCE]);
    expect(local.id.toString()).toBe(WORKLOAD_ID);

    const remote = await client.validateJwtSvid(jwt.token, AUDIENCE, { signal: AbortSignal.timeout(30_000) });
    expect(remote.id.toString()).toBe(WORKLOAD_ID);

    const wrong = await client.validateJwtSvid(jwt.token, "spiffe://spike-ts.test/someone-else").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(WorkloadApiError.is(wrong, "invalid_argument")).toBe(true);
  });

  it.runIf(goDir !== undefined)("go-spiffe sees the same identity and bundle as our client, and SPIRE's header check", async () => {
    const client = track(createWorkloadApiClient({ address: spire.workloadApiAddress }));
    const ours = await client.fetchX509Context({ signal: AbortSignal.timeout(30_000) });
    const r = await runX509Fetch(goDir!, spire.workloadApiAddress, ["-ops", "header-probe,x509,jwt,validate", "-audience", AUDIENCE]);
    expect(r.code, JSON.stringify(r.events)).toBe(0);

    const x = r.one("x509_context");
    expect(x.defaultSpiffeId).toBe(WORKLOAD_ID);
    const [goSvid] = x.svids as Array<Record<string, unknown>>;
    expect(goSvid!.chainVerified).toBe(true);
    expect(x.bundles).toEqual([{ trustDomain: TD, authorities: ours.bundles.get(TrustDomain.parse(TD))!.authorities.length }]);
    expect(r.one("jwt_svid").spiffeId).toBe(WORKLOAD_ID);
    expect(r.one("jwt_validate_local").ok).toBe(true);
    expect(r.one("jwt_validate_remote").ok).toBe(true);

    // The reference server's answers to each header variant (what our dev server must mirror).
    const probe = r.one("header_probe").results as Array<Record<string, unknown>>;
    const byVariant = Object.fromEntries(probe.map((p) => [p.variant, p]));
    expect(byVariant.missing).toMatchObject({ code: "InvalidArgument", grpcMessage: "security header missing from request" });
    expect(byVariant["wrong-value"]).toMatchObject({ code: "InvalidArgument" });
    expect(byVariant.duplicated).toMatchObject({ code: "InvalidArgument" });
    expect(byVariant.present).toMatchObject({ code: "OK", svids: 1 });
  });

  it("hands out every matching entry with its hint; the X509 source picks by hint, the JWT source by subject", async () => {
    const alpha = `spiffe://${TD}/workload/hinted-alpha`;
    const beta = `spiffe://${TD}/workload/hinted-beta`;
    const selectors = [`unix:uid:${process.getuid!()}`];
    const ids = [await spire.createEntry({ spiffeId: alpha, selectors, hint: "alpha" }), await spire.createEntry({ spiffeId: beta, selectors, hint: "beta" })];
    const client = track(createWorkloadApiClient({ address: spire.workloadApiAddress }));
    const svidCount = async (n: number) => {
      const ctx = await client.fetchX509Context({ signal: AbortSignal.timeout(10_000) });
      return ctx.svids.length === n ? ctx : undefined;
    };
    try {
      const ctx = await pollUntil("the agent to serve 3 SVIDs", () => svidCount(3), { timeoutMs: 60_000, intervalMs: 500 });
      // SPIRE orders SVIDs by entry ID, so which one is first is arbitrary: compare as a set.
      expect(Object.fromEntries(ctx.svids.map((s) => [s.id.toString(), s.hint]))).toEqual({ [WORKLOAD_ID]: "", [alpha]: "alpha", [beta]: "beta" });
      for (const s of ctx.svids) expect(verifyX509Svid(s.certificates, ctx.bundles).id.equals(s.id)).toBe(true);

      const source = track(await createX509Source({ address: spire.workloadApiAddress, pick: { hint: "beta" }, timeoutMs: 30_000 }));
      expect(source.getX509Svid().id.toString()).toBe(beta);
      expect(source.getX509Svids()).toHaveLength(3);

      const jwtSource = track(await createJwtSource({ address: spire.workloadApiAddress, timeoutMs: 30_000 }));
      const jwt = await jwtSource.fetchJwtSvid({ audience: AUDIENCE, subject: alpha });
      expect(jwt.id.toString()).toBe(alpha);
      expect(jwt.hint).toBe("alpha");
      expect(parseAndValidateJwtSvid(jwt.token, jwtSource, [AUDIENCE]).id.toString()).toBe(alpha);
      const all = await jwtSource.fetchJwtSvids({ audience: AUDIENCE });
      expect(all.map((j) => j.id.toString()).sort()).toEqual([WORKLOAD_ID, alpha, beta].sort());
    } finally {
      for (const id of ids) await spire.deleteEntry(id);
      // Leave the agent serving only the main entry for the tests below.
      await pollUntil("the agent to drop the hinted entries", () => svidCount(1), { timeoutMs: 60_000, intervalMs: 500 });
    }
  });

  it(`rotates a ${TTL} s SVID: every update is a new SVID that verifies and is not expired`, async () => {
    const source = track(await createX509Source({ address: spire.workloadApiAddress, timeoutMs: 30_000 }));
    let previous = source.getX509Svid();
    const first = previous;
    const updates = await nextUpdates(source, 2, TTL * 3 * 1000, (svid) => {
      expect(svid.id.toString()).toBe(WORKLOAD_ID);
      expect(serial(svid)).not.toBe(serial(previous));
      expect(svid.notAfter.getTime()).toBeGreaterThan(previous.notAfter.getTime());
      expect(svid.notAfter.getTime()).toBeGreaterThan(Date.now());
      expect(verifyX509Svid(svid.certificates, source).id.equals(svid.id)).toBe(true);
      previous = svid;
    });
    expect(updates).toHaveLength(2);
    expect(new Set([first, ...updates].map(serial)).size).toBe(3);
  });

  it("survives a SIGKILLed agent: keeps serving until expiry, never hands out an expired SVID, recovers after restart", async () => {
    const source = track(await createX509Source({ address: spire.workloadApiAddress, timeoutMs: 30_000 }));
    const before = source.getX509Svid();

    // A dead agent is a refused connection: "unreachable" (or "unavailable" while the channel reconnects).
    const unavailable = nextError(source, ["unreachable", "unavailable"], 30_000);
    await spire.killAgent("SIGKILL");
    const err = await unavailable;
    expect(err.message).toMatch(/^workload-api: /);
    expect(err.grpcCode).toBe(14); // UNAVAILABLE

    // While the agent is down the source serves the last SVID only while it is
    // valid; once notAfter passes it refuses with svid_expired.
    const served: X509Svid[] = [];
    const refusal = await pollUntil(
      "the held SVID to expire",
      () => {
        try {
          const svid = source.getX509Svid();
          expect(svid.notAfter.getTime()).toBeGreaterThan(Date.now());
          served.push(svid);
          return undefined;
        } catch (e) {
          if (SpiffeError.is(e, "svid_expired")) return e;
          throw e;
        }
      },
      { timeoutMs: (TTL + 20) * 1000, intervalMs: 200 },
    );
    expect(refusal.message).toContain("expired");
    // The agent renews at about half-life, so the held SVID had seconds left: it was served meanwhile.
    expect(served.length).toBeGreaterThan(0);

    const recovered = nextUpdates(source, 1, 60_000, (svid) => {
      expect(svid.notAfter.getTime()).toBeGreaterThan(Date.now());
    });
    await spire.restartAgent();
    const [fresh] = await recovered;
    expect(fresh!.id.toString()).toBe(WORKLOAD_ID);
    expect(serial(fresh!)).not.toBe(serial(before));
    expect(source.getX509Svid()).toBe(fresh);
    expect(verifyX509Svid(fresh!.certificates, source).id.toString()).toBe(WORKLOAD_ID);
  });

  it("reports a deleted entry as no identity (source error, fetch, and a new source's timeout)", async () => {
    const source = track(await createX509Source({ address: spire.workloadApiAddress, timeoutMs: 30_000 }));
    const denied = nextError(source, ["no_identity"], 30_000);
    await spire.deleteEntry(entryId);
    const err = await denied;
    expect(err.grpcCode).toBe(7); // PERMISSION_DENIED
    expect(err.message).toMatch(/no identity/i);

    const client = track(createWorkloadApiClient({ address: spire.workloadApiAddress }));
    const fetchErr = await client.fetchX509Context({ signal: AbortSignal.timeout(10_000) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(WorkloadApiError.is(fetchErr, "no_identity")).toBe(true);

    const timedOut = await createX509Source({ address: spire.workloadApiAddress, timeoutMs: 3_000 }).then(
      (s) => track(s),
      (e: unknown) => e,
    );
    expect(WorkloadApiError.is(timedOut, "timeout")).toBe(true);
    expect((timedOut as Error).message).toMatch(/no identity/i);
  });
});
