import { connect as tlsConnect, type PeerCertificate, type TLSSocket } from "node:tls";
import { hasRole, trustRootsFromEnv } from "@spike-ts/nexus-model";
import type { ResolvedConfig, SpikeClient } from "@spike-ts/sdk";
import type { X509BundleSet, X509Svid } from "@spike-ts/spiffe";
import type { WorkloadX509Source } from "@spike-ts/workload-api";
import type { CommandContext } from "../context.js";
import { CliError, usage } from "../errors.js";
import { formatHumanTime } from "../format.js";

/** One line of `spike doctor`. */
export interface DoctorCheck {
  /** Short name of the check. */
  readonly name: string;
  /** Whether it passed. */
  readonly ok: boolean;
  /** What was found. */
  readonly detail: string;
  /** What to do when it failed. */
  readonly fix?: string;
}

/** The text of the doctor report: one `OK`/`FAIL` line per check, with the fix on failures. */
export function formatDoctor(checks: readonly DoctorCheck[]): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  return checks.map((c) => `${c.ok ? "OK  " : "FAIL"}  ${c.name.padEnd(width)}  ${c.detail}${c.ok || !c.fix ? "" : `; fix: ${c.fix}`}\n`).join("");
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message.split("\n")[0]! : String(e);
}

function inWords(ms: number): string {
  const s = Math.round(ms / 1000);
  if (Math.abs(s) < 120) return `${s}s`;
  const m = Math.round(s / 60);
  if (Math.abs(m) < 120) return `${m}m`;
  return `${Math.round(m / 60)}h`;
}

function peerChain(socket: TLSSocket): Uint8Array[] {
  const chain: Uint8Array[] = [];
  let cert: PeerCertificate | undefined = socket.getPeerCertificate(true) as PeerCertificate;
  const seen = new Set<string>();
  while (cert && cert.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(new Uint8Array(cert.raw));
    const next: PeerCertificate | undefined = (cert as PeerCertificate & { issuerCertificate?: PeerCertificate }).issuerCertificate;
    if (!next || next === cert) break;
    cert = next;
  }
  return chain;
}

/** Connects to Nexus with this SVID and returns the server's certificate chain (DER, leaf first). */
function fetchServerChain(url: URL, svid: X509Svid, timeoutMs: number): Promise<Uint8Array[]> {
  return new Promise((resolve, reject) => {
    const host = url.hostname.replace(/^\[|\]$/g, "");
    const socket = tlsConnect({
      host,
      port: Number(url.port || 443),
      cert: svid.certificatesPem(),
      key: svid.privateKeyPem(),
      // The chain is checked below against the SPIFFE bundle, as go-spiffe does; no hostname check.
      rejectUnauthorized: false,
      ...(/^[\d.]+$|:/.test(host) ? {} : { servername: host }),
    });
    const timer = setTimeout(() => socket.destroy(new Error(`no TLS handshake within ${timeoutMs} ms`)), timeoutMs);
    socket.once("secureConnect", () => {
      clearTimeout(timer);
      const chain = peerChain(socket);
      socket.end();
      socket.destroy();
      resolve(chain);
    });
    socket.once("error", (e) => {
      clearTimeout(timer);
      socket.destroy();
      reject(e);
    });
  });
}

/** `spike doctor`: checks each layer once, with a bounded timeout, and never hangs. @internal */
export async function doctor(ctx: CommandContext): Promise<void> {
  // Loaded on use, so that help and usage errors start fast.
  const { createSpikeClient, isNexusId, parseGoDuration, resolveConfig } = await import("@spike-ts/sdk");
  const { verifyX509Svid } = await import("@spike-ts/spiffe");
  const { createX509Source } = await import("@spike-ts/workload-api");
  const timeoutText = typeof ctx.flags["timeout"] === "string" ? ctx.flags["timeout"] : "5s";
  const timeoutMs = parseGoDuration(timeoutText);
  if (timeoutMs === undefined || timeoutMs <= 0) throw usage(`--timeout must be a positive Go duration such as 5s or 1m, got ${JSON.stringify(timeoutText)}`);
  const now = ctx.io.now ?? (() => new Date());
  const checks: DoctorCheck[] = [];
  // A passing check carries no fix; every run reports the same checks, whatever fails.
  const add = (c: DoctorCheck): void => void checks.push(c.ok ? { name: c.name, ok: true, detail: c.detail } : c);

  let config: ResolvedConfig | undefined;
  try {
    config = resolveConfig({ env: ctx.env });
    add({ name: "config", ok: true, detail: "environment variables are well formed" });
  } catch (e) {
    add({ name: "config", ok: false, detail: messageOf(e), fix: "correct or unset the variable named above" });
  }

  let source: WorkloadX509Source | undefined;
  let client: SpikeClient | undefined;
  try {
    const address = config?.endpointSocket ?? ctx.env["SPIFFE_ENDPOINT_SOCKET"] ?? "(unset)";
    let svid: X509Svid | undefined;
    let bundles: X509BundleSet | undefined;
    try {
      // No agent at the socket fails at once (milliseconds), not after --timeout; an agent that
      // answers without an identity yet is still waited for, up to --timeout.
      source = await createX509Source({ address, timeoutMs, waitForAgent: false, ...(ctx.signal ? { signal: ctx.signal } : {}) });
      svid = source.getX509Svid();
      bundles = source.getX509Bundles();
      add({ name: "workload api", ok: true, detail: address });
    } catch (e) {
      add({
        name: "workload api",
        ok: false,
        detail: `${address}: ${messageOf(e)}`,
        fix: "start the SPIFFE agent, or point SPIFFE_ENDPOINT_SOCKET at its socket (unix:///path or tcp://ip:port)",
      });
    }

    if (svid) {
      const left = svid.notAfter.getTime() - now().getTime();
      add({
        name: "svid",
        ok: left > 0,
        detail: `${svid.id.toString()}, expires ${formatHumanTime(svid.notAfter)} (${left > 0 ? `in ${inWords(left)}` : `${inWords(-left)} ago`})`,
        fix: "the agent hands out an expired SVID: check its clock and its connection to the SPIFFE server",
      });
      const pilot = hasRole(svid.id.toString(), "superuser", trustRootsFromEnv(ctx.env));
      add({
        name: "role",
        ok: pilot,
        detail: pilot ? "pilot superuser" : `${svid.id.toString()} is not a pilot superuser (spiffe://<td>/spike/pilot/role/superuser)`,
        fix: "run spike with the Pilot's SPIFFE_ENDPOINT_SOCKET, or set SPIKE_TRUST_ROOT_PILOT to the trust domain of this ID",
      });
    } else {
      add({ name: "svid", ok: false, detail: "not fetched", fix: "fix the Workload API check first" });
      add({ name: "role", ok: false, detail: "not checked", fix: "fix the Workload API check first" });
    }

    if (svid && bundles) {
      const own = bundles.get(svid.id.trustDomain);
      const all = bundles.bundles().map((b) => `${b.trustDomain.name}: ${b.authorities.length} authorit${b.authorities.length === 1 ? "y" : "ies"}`);
      add({
        name: "bundle",
        ok: own !== undefined && !own.isEmpty(),
        detail: all.length > 0 ? all.join(", ") : "no bundles",
        fix: `the agent sent no CA certificates for ${svid.id.trustDomain.name}; check the SPIFFE server's bundle`,
      });
    } else {
      add({ name: "bundle", ok: false, detail: "not fetched", fix: "fix the Workload API check first" });
    }

    if (config) add({ name: "nexus url", ok: true, detail: config.nexusUrl });
    else add({ name: "nexus url", ok: false, detail: "not resolved", fix: "fix the config check first" });

    let idOk = false;
    if (config && svid && bundles) {
      try {
        const chain = await fetchServerChain(new URL(config.nexusUrl), svid, timeoutMs);
        const verified = verifyX509Svid(chain, bundles, { now: now() });
        const id = verified.id.toString();
        idOk = isNexusId(id, config.nexusTrustRoots);
        add({
          name: "nexus id",
          ok: idOk,
          detail: `${id} ${idOk ? "is" : "is not"} a Nexus ID for SPIKE_TRUST_ROOT_NEXUS=${config.nexusTrustRoots.join(",")}`,
          fix: `set SPIKE_TRUST_ROOT_NEXUS to ${verified.id.trustDomain.name} if this server is your Nexus; otherwise fix SPIKE_NEXUS_API_URL`,
        });
      } catch (e) {
        add({
          name: "nexus id",
          ok: false,
          detail: `${config.nexusUrl}: ${messageOf(e)}`,
          fix: "check that Nexus runs at SPIKE_NEXUS_API_URL and that its certificate chains to this trust bundle",
        });
      }
    } else {
      add({ name: "nexus id", ok: false, detail: "not checked", fix: "fix the checks above first" });
    }

    if (config && source && idOk) {
      try {
        const connect = ctx.io.connect ?? createSpikeClient;
        client = await connect({ env: ctx.env, source, requestTimeoutMs: timeoutMs, ...(ctx.signal ? { signal: ctx.signal } : {}) });
        const keys = await client.listSecretKeys({ signal: ctx.signal ?? AbortSignal.timeout(timeoutMs) });
        add({ name: "test call", ok: true, detail: `secret list answered: ${keys.length} path${keys.length === 1 ? "" : "s"}` });
      } catch (e) {
        add({ name: "test call", ok: false, detail: `secret list: ${messageOf(e)}`, fix: "see the message; a 401 means this SPIFFE ID has no list permission on spike/system/secret" });
      }
    } else {
      add({ name: "test call", ok: false, detail: "not made", fix: "fix the checks above first" });
    }
  } finally {
    await client?.close().catch(() => undefined);
    await source?.close().catch(() => undefined);
  }

  const failed = checks.filter((c) => !c.ok).length;
  await ctx.out(ctx.json ? `${JSON.stringify({ ok: failed === 0, checks })}\n` : formatDoctor(checks));
  if (failed > 0) {
    throw new CliError("doctor_failed", `spike: ${failed} of ${checks.length} doctor checks failed; follow the fix on each FAIL line`);
  }
}
