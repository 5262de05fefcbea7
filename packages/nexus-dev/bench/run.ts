// Benchmark: get and put against the dev Nexus over mTLS keep-alive, from one caller and from
// 8 concurrent callers, through @spike-ts/nexus-client on @spike-ts/mtls-transport, with a raw
// undici Agent on static certificates as the baseline. The dev Nexus runs in its own process
// (the built spike-dev bin), so its capacity is measured apart from the client's CPU.
// Prints numbers and ratios; asserts nothing. Run: pnpm build && pnpm bench
import { spawn } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { createMtlsAgent } from "@spike-ts/mtls-transport";
import { createNexusClient, type NexusClient } from "@spike-ts/nexus-client";
import { authorizeId, TrustDomain } from "@spike-ts/spiffe";
import { createX509Source } from "@spike-ts/workload-api";
import { Agent, request } from "undici";

const OPS = Number(process.env["BENCH_OPS"] ?? 2000);
const CALLERS = 8;
const PATHS = 100;
const bin = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "bin", "spike-dev.js");

interface Result { name: string; ops: number; seconds: number; p50: number; p99: number }

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

const ROUNDS = 3;

/** Runs a scenario ROUNDS times and keeps the median round (by throughput): the machine may be shared. */
async function measure(name: string, callers: number, perCaller: number, op: (i: number) => Promise<void>): Promise<Result> {
  const rounds: Result[] = [];
  for (let r = 0; r < ROUNDS; r++) rounds.push(await measureOnce(name, callers, perCaller, op));
  rounds.sort((a, b) => a.ops / a.seconds - b.ops / b.seconds);
  return rounds[Math.floor(ROUNDS / 2)] as Result;
}

async function measureOnce(name: string, callers: number, perCaller: number, op: (i: number) => Promise<void>): Promise<Result> {
  for (let i = 0; i < 100; i++) await op(i); // warm-up
  const lat: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async (_, c) => {
      for (let i = 0; i < perCaller; i++) {
        const s = performance.now();
        await op(c * perCaller + i);
        lat.push(performance.now() - s);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  return { name, ops: callers * perCaller, seconds, p50: pct(lat, 0.5), p99: pct(lat, 0.99) };
}

async function main(): Promise<void> {
  const child = spawn(process.execPath, [bin, "--listen", "127.0.0.1:0", "--json", "--trust-domain", "example.org"], { stdio: ["ignore", "pipe", "inherit"] });
  const stack = await new Promise<{ nexusUrl: string; pilot: Record<string, string> }>((resolve, reject) => {
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve(JSON.parse(line) as { nexusUrl: string; pilot: Record<string, string> });
    });
    child.once("exit", () => reject(new Error(`spike-dev exited; is the package built? (${bin})`)));
  });
  const source = await createX509Source({ address: stack.pilot["SPIFFE_ENDPOINT_SOCKET"] });
  const nexusId = "spiffe://example.org/spike/nexus";
  const mtls = createMtlsAgent({ source, authorize: authorizeId(nexusId), connections: CALLERS });
  const client: NexusClient = createNexusClient({ baseUrl: stack.nexusUrl, dispatcher: mtls, retry: false });
  const svid = source.getX509Svid();
  const raw = new Agent({
    connections: CALLERS,
    connect: {
      cert: svid.certificatesPem(),
      key: svid.privateKeyPem(),
      ca: source.getX509BundleForTrustDomain(TrustDomain.parse("example.org")).toPem(),
      checkServerIdentity: () => undefined, // SPIFFE: no host names; the CA check stays on
    },
  });
  const rawPost = async (path: string, body: string): Promise<void> => {
    const res = await request(`${stack.nexusUrl}${path}`, { method: "POST", body, dispatcher: raw, headers: { "content-type": "application/json" } });
    await res.body.text();
    if (res.statusCode !== 200) throw new Error(`raw ${path} answered ${res.statusCode}`);
  };
  const value = { username: "app", password: "x".repeat(64) };
  for (let i = 0; i < PATHS; i++) await client.putSecret(`bench/p${i}`, value);

  // warm both processes' JITs on every path measured below, so row order does not bias the numbers
  for (let i = 0; i < 1500; i++) {
    await client.getSecret(`bench/p${i % PATHS}`);
    await client.putSecret(`bench/p${i % PATHS}`, value);
    await rawPost("/v1/store/secrets?action=get", JSON.stringify({ path: `bench/p${i % PATHS}` }));
    await rawPost("/v1/store/secrets", JSON.stringify({ path: `bench/p${i % PATHS}`, values: value }));
  }

  const results: Result[] = [];
  const per8 = Math.ceil(OPS / CALLERS);
  results.push(await measure("get  client 1x", 1, OPS, (i) => client.getSecret(`bench/p${i % PATHS}`).then(() => undefined)));
  results.push(await measure("get  raw    1x", 1, OPS, (i) => rawPost("/v1/store/secrets?action=get", JSON.stringify({ path: `bench/p${i % PATHS}` }))));
  results.push(await measure("get  client 8x", CALLERS, per8, (i) => client.getSecret(`bench/p${i % PATHS}`).then(() => undefined)));
  results.push(await measure("get  raw    8x", CALLERS, per8, (i) => rawPost("/v1/store/secrets?action=get", JSON.stringify({ path: `bench/p${i % PATHS}` }))));
  results.push(await measure("put  client 1x", 1, OPS, (i) => client.putSecret(`bench/p${i % PATHS}`, value)));
  results.push(await measure("put  raw    1x", 1, OPS, (i) => rawPost("/v1/store/secrets", JSON.stringify({ path: `bench/p${i % PATHS}`, values: value }))));
  results.push(await measure("put  client 8x", CALLERS, per8, (i) => client.putSecret(`bench/p${i % PATHS}`, value)));
  results.push(await measure("put  raw    8x", CALLERS, per8, (i) => rawPost("/v1/store/secrets", JSON.stringify({ path: `bench/p${i % PATHS}`, values: value }))));

  console.log(`dev nexus bench: ${cpus().length} cpus, node ${process.version}, ${OPS} ops per row, median of ${ROUNDS} rounds, nexus in its own process, load average ${loadavg()[0]?.toFixed(1)}`);
  console.log("scenario            ops/s     p50 ms   p99 ms");
  const rate = (r: Result): number => r.ops / r.seconds;
  for (const r of results) console.log(`${r.name.padEnd(16)} ${rate(r).toFixed(0).padStart(8)} ${r.p50.toFixed(3).padStart(9)} ${r.p99.toFixed(3).padStart(8)}`);
  console.log("ratios (client / raw undici baseline, throughput):");
  for (let i = 0; i < results.length; i += 2) {
    const c = results[i] as Result;
    const b = results[i + 1] as Result;
    console.log(`  ${c.name.replace("client ", "").padEnd(10)} ${(rate(c) / rate(b)).toFixed(2)}x   p50 ${(c.p50 / b.p50).toFixed(2)}x`);
  }
  const get1 = results[1] as Result;
  const get8 = results[3] as Result;
  console.log(`dev nexus capacity (raw get, 8 callers): ${rate(get8).toFixed(0)} ops/s; 8x/1x scaling ${(rate(get8) / rate(get1)).toFixed(2)}x`);

  await client.close();
  await mtls.close();
  await raw.close();
  await source.close();
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
