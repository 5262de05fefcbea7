// One-run benchmark: our mTLS agent vs a plain undici Agent with static certificates, against the
// same https server in the same process. Prints numbers and ratios; asserts nothing.
//   pnpm --filter @spike-ts/spiffe build && pnpm bench
import { once } from "node:events";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { authorizeId } from "@spike-ts/spiffe";
import { createStaticX509Source, createTestCa } from "@spike-ts/spiffe/testing";
import { Agent, type Dispatcher } from "undici";
import { createMtlsAgent } from "../src/index.js";

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 5_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const HANDSHAKES = Number(process.env.BENCH_HANDSHAKES ?? 300);
const ROUNDS = 2;

const ca = createTestCa({ trustDomain: "example.org" });
const serverSvid = ca.issueSvid("spiffe://example.org/bench/server");
const clientSvid = ca.issueSvid("spiffe://example.org/bench/client");

const server = createServer(
  { cert: serverSvid.certPem, key: serverSvid.keyPem, requestCert: true, rejectUnauthorized: false },
  (req, res) => {
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
    });
    req.on("end", () => res.end(`{"ok":true,"n":${size}}`));
  },
);
server.listen(0, "127.0.0.1");
await once(server, "listening");
const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

const source = createStaticX509Source(clientSvid.svid, ca.bundle);
const authorize = authorizeId("spiffe://example.org/bench/server");
const plainTls = {
  cert: clientSvid.certPem,
  key: clientSvid.keyPem,
  ca: ca.bundle.toPem(),
  rejectUnauthorized: true,
  // The server SVID has no DNS name; a plain client can only skip the name check.
  checkServerIdentity: () => undefined,
};

type Maker = (opts: { connections?: number }) => Dispatcher;
const ours: Maker = (o) => createMtlsAgent({ source, authorize, ...o });
const plain: Maker = (o) => new Agent({ ...o, connect: { ...plainTls, maxCachedSessions: 0 } });
const plainResumed: Maker = (o) => new Agent({ ...o, connect: plainTls });

const body = JSON.stringify({ path: "app/db", versions: [1] });

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

async function throughput(make: Maker): Promise<{ rps: number; p50: number; p99: number }> {
  const dispatcher = make({ connections: 4 });
  const post = async (): Promise<number> => {
    const t = performance.now();
    const res = await dispatcher.request({ origin, path: "/v1/store/secrets?action=get", method: "POST", body });
    await res.body.text();
    if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
    return performance.now() - t;
  };
  for (let i = 0; i < 200; i++) await post(); // warm-up, opens connections
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        next++;
        latencies.push(await post());
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  await dispatcher.close();
  latencies.sort((a, b) => a - b);
  return { rps: latencies.length / seconds, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) };
}

async function handshakes(make: Maker): Promise<{ mean: number; p50: number }> {
  const dispatcher = make({});
  const times: number[] = [];
  for (let i = 0; i < HANDSHAKES + 20; i++) {
    const t = performance.now();
    // reset: true closes the connection after the response, so each request pays a handshake.
    const res = await dispatcher.request({ origin, path: "/", method: "GET", reset: true });
    await res.body.text();
    if (i >= 20) times.push(performance.now() - t);
  }
  await dispatcher.close();
  times.sort((a, b) => a - b);
  return { mean: times.reduce((a, b) => a + b, 0) / times.length, p50: quantile(times, 0.5) };
}

function best<T extends object>(runs: T[], pick: (run: T) => number, higherIsBetter: boolean): T {
  const first = runs[0];
  if (first === undefined) throw new Error("no runs");
  return runs.reduce((a, b) => ((higherIsBetter ? pick(b) > pick(a) : pick(b) < pick(a)) ? b : a), first);
}

const tOurs: Array<{ rps: number; p50: number; p99: number }> = [];
const tPlain: Array<{ rps: number; p50: number; p99: number }> = [];
const hOurs: Array<{ mean: number; p50: number }> = [];
const hPlain: Array<{ mean: number; p50: number }> = [];
const hPlainResumed: Array<{ mean: number; p50: number }> = [];
for (let round = 0; round < ROUNDS; round++) {
  // Alternate the order so neither side always runs warm.
  if (round % 2 === 0) {
    tOurs.push(await throughput(ours));
    tPlain.push(await throughput(plain));
  } else {
    tPlain.push(await throughput(plain));
    tOurs.push(await throughput(ours));
  }
  hOurs.push(await handshakes(ours));
  hPlain.push(await handshakes(plain));
  hPlainResumed.push(await handshakes(plainResumed));
}

const o = best(tOurs, (r) => r.rps, true);
const p = best(tPlain, (r) => r.rps, true);
const ho = best(hOurs, (r) => r.mean, false);
const hp = best(hPlain, (r) => r.mean, false);
const hr = best(hPlainResumed, (r) => r.mean, false);
const f = (n: number, d = 2) => n.toFixed(d);
console.log(`node ${process.version}, ${REQUESTS} POSTs x ${ROUNDS} rounds, concurrency ${CONCURRENCY}, 4 keep-alive connections`);
console.log(`keep-alive  ours : ${f(o.rps, 0)} req/s  p50 ${f(o.p50)} ms  p99 ${f(o.p99)} ms`);
console.log(`keep-alive  plain: ${f(p.rps, 0)} req/s  p50 ${f(p.p50)} ms  p99 ${f(p.p99)} ms`);
console.log(`ratio ours/plain : req/s ${f(o.rps / p.rps)}  p50 ${f(o.p50 / p.p50)}  p99 ${f(o.p99 / p.p99)}`);
console.log(`new connection (full handshake + 1 GET), ${HANDSHAKES} sequential:`);
console.log(`  ours  ${f(ho.mean)} ms mean, ${f(ho.p50)} ms p50`);
console.log(`  plain ${f(hp.mean)} ms mean, ${f(hp.p50)} ms p50 (no resumption)`);
console.log(`  plain ${f(hr.mean)} ms mean, ${f(hr.p50)} ms p50 (undici default: session resumption)`);
console.log(`ratio ours/plain full handshake: mean ${f(ho.mean / hp.mean)}  p50 ${f(ho.p50 / hp.p50)}; ours/plain-resumed: ${f(ho.mean / hr.mean)}`);

await source.close();
server.close();
server.closeAllConnections();
