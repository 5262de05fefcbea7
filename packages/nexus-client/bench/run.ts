// Micro-benchmark of the nexus-client warm path: getSecret vs a raw undici request over the same
// Agent to the same local server, in one run (interleaved batches, median of per-batch ratios, so
// machine load hits both alike). Prints numbers; asserts nothing.
//   pnpm bench            (BENCH_BATCHES, BENCH_PER_BATCH to change the sample size)
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { Agent } from "undici";
// `BENCH_DIST=1` measures the build (`pnpm build` first), as the SDK bench does; default: the sources.
const { createNexusClient } = (
  process.env.BENCH_DIST === "1" ? await import("../dist/index.js" as string) : await import("../src/index.js")
) as typeof import("../src/index.js");

const BATCHES = Number(process.env.BENCH_BATCHES ?? 60);
const PER_BATCH = Number(process.env.BENCH_PER_BATCH ?? 200);
const CONCURRENT = 100;

const answer = JSON.stringify({ data: { username: "bench", password: "p".repeat(32) } });
const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.setHeader("content-type", "application/json");
    res.end(answer);
  });
});
server.listen(0, "127.0.0.1");
await once(server, "listening");
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const agent = new Agent({ connections: 1 });
const nexus = createNexusClient({ baseUrl: origin, dispatcher: agent });
const path = "bench/warm";
const body = JSON.stringify({ path });

const rawGet = async (): Promise<Record<string, string>> => {
  const res = await agent.request({
    origin,
    path: "/v1/store/secrets?action=get",
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  const json = (await res.body.json()) as { data: Record<string, string> };
  if (res.statusCode !== 200) throw new Error(`raw get: ${res.statusCode}`);
  return json.data;
};
const withSignal = new AbortController().signal;
const variants = {
  raw: rawGet,
  nexusClient: () => nexus.getSecret(path),
  nexusClientWithSignal: () => nexus.getSecret(path, { signal: withSignal }),
};
type Name = keyof typeof variants;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

async function timeOps(n: number, op: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await op();
  return ((performance.now() - t0) * 1000) / n; // µs per op
}

let warnings = 0;
process.on("warning", (w) => {
  if (w.name === "MaxListenersExceededWarning") warnings++;
});

try {
  for (const f of Object.values(variants)) await timeOps(500, f);
  const names = Object.keys(variants) as Name[];
  const us: Record<Name, number[]> = { raw: [], nexusClient: [], nexusClientWithSignal: [] };
  for (let b = 0; b < BATCHES; b++) {
    const order = b % 2 === 0 ? names : [...names].reverse();
    for (const name of order) us[name].push(await timeOps(PER_BATCH, variants[name]));
  }
  const over = (name: Name): string => ((median(us[name].map((x, i) => x / (us.raw[i] as number))) - 1) * 100).toFixed(1);
  const overUs = (name: Name): string => median(us[name].map((x, i) => x - (us.raw[i] as number))).toFixed(1);
  console.log(`warm getSecret, sequential over one kept-alive http connection (${BATCHES} interleaved batches x ${PER_BATCH} ops)`);
  console.log(`  raw undici request:          ${median(us.raw).toFixed(1)} µs/op`);
  console.log(`  nexus-client getSecret:      ${median(us.nexusClient).toFixed(1)} µs/op (+${overUs("nexusClient")} µs, ${over("nexusClient")} % over raw)`);
  console.log(
    `  ... with a caller signal:    ${median(us.nexusClientWithSignal).toFixed(1)} µs/op (+${overUs("nexusClientWithSignal")} µs, ${over("nexusClientWithSignal")} % over raw)`,
  );

  const wide = new Agent({ connections: CONCURRENT });
  const wideClient = createNexusClient({ baseUrl: origin, dispatcher: wide });
  await Promise.all(Array.from({ length: CONCURRENT }, () => wideClient.getSecret(path, { signal: withSignal })));
  await Promise.all(Array.from({ length: CONCURRENT }, () => wideClient.getSecret(path)));
  await new Promise<void>((resolve) => setImmediate(resolve));
  console.log(`${CONCURRENT} concurrent calls (with and without one shared caller signal): ${warnings} MaxListenersExceededWarning`);
  await wideClient.close();
  await wide.close();
} finally {
  await nexus.close();
  await agent.close();
  server.close();
}
