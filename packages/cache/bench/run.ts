// Benchmarks @spike-ts/cache: cache-hit throughput against a plain Map.get baseline over the
// same keys, and the memory 10,000 cached ~200-byte secrets take. Prints numbers; asserts nothing.
import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createSecretCache } from "../src/index.js";

type Secret = Record<string, string>;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const ENTRIES = 10_000;
const ROUNDS = 15;
const OPS = 1_000_000;
const MASK = 8191; // cycle through the first 8,192 keys without a modulo in the loop

function secretFor(i: number): Secret {
  // ~200 bytes of payload: a username, a 160-character password and a host.
  const password = (i.toString(36) + "x".repeat(160)).slice(0, 160);
  return { username: `svc-${i}`, password, host: `db-${i % 97}.internal:5432` };
}

const paths = Array.from({ length: ENTRIES }, (_, i) => `apps/service-${i}/db`);

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1] as number;
};

let sink = 0;

/** Ops per second of one run of `body`. */
function rate(body: (ops: number) => number, ops: number): number {
  const t0 = performance.now();
  sink += body(ops);
  return ops / ((performance.now() - t0) / 1000);
}

/**
 * Runs baseline and candidate in alternating rounds (the machine may be shared and busy, so
 * paired rounds see the same load) and reports medians and the median of per-round ratios.
 */
function compare(baseline: (ops: number) => number, candidate: (ops: number) => number, ops = OPS) {
  rate(baseline, 200_000);
  rate(candidate, 200_000); // warm up the JIT
  const b: number[] = [];
  const c: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const rb = rate(baseline, ops);
    const rc = rate(candidate, ops);
    b.push(rb);
    c.push(rc);
    ratios.push(rc / rb);
  }
  return { baseline: median(b), candidate: median(c), ratio: median(ratios) };
}

async function compareAsync(baseline: (ops: number) => Promise<number>, candidate: (ops: number) => Promise<number>, ops: number) {
  const arate = async (body: (ops: number) => Promise<number>, n: number) => {
    const t0 = performance.now();
    sink += await body(n);
    return n / ((performance.now() - t0) / 1000);
  };
  await arate(baseline, 100_000);
  await arate(candidate, 100_000);
  const b: number[] = [];
  const c: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const rb = await arate(baseline, ops);
    const rc = await arate(candidate, ops);
    b.push(rb);
    c.push(rc);
    ratios.push(rc / rb);
  }
  return { baseline: median(b), candidate: median(c), ratio: median(ratios) };
}

async function throughput(): Promise<void> {
  const map = new Map<string, Secret>();
  for (let i = 0; i < ENTRIES; i++) map.set(paths[i] as string, secretFor(i));
  const cache = createSecretCache<Secret>({
    load: async (path) => {
      const found = map.get(path);
      if (found === undefined) throw new Error("bench: no such secret");
      return { ...found };
    },
    ttlMs: 10 * 60_000,
    maxEntries: ENTRIES,
  });
  await Promise.all(paths.map((p) => cache.get(p)));

  const mapGet = (ops: number) => {
    let n = 0;
    for (let i = 0; i < ops; i++) if (map.get(paths[i & MASK] as string) !== undefined) n++;
    return n;
  };
  const fresh = compare(mapGet, (ops) => {
    let n = 0;
    for (let i = 0; i < ops; i++) if (cache.getIfFresh(paths[i & MASK] as string) !== undefined) n++;
    return n;
  });
  const promised = compare(mapGet, (ops) => {
    let n = 0;
    for (let i = 0; i < ops; i++) if (cache.get(paths[i & MASK] as string) !== undefined) n++;
    return n;
  });
  // Awaiting costs a microtask turn per call whatever the cache does: compare with awaiting Map.get.
  const awaited = await compareAsync(
    async (ops) => {
      let n = 0;
      for (let i = 0; i < ops; i++) if ((await map.get(paths[i & MASK] as string)) !== undefined) n++;
      return n;
    },
    async (ops) => {
      let n = 0;
      for (let i = 0; i < ops; i++) if ((await cache.get(paths[i & MASK] as string)) !== undefined) n++;
      return n;
    },
    200_000,
  );

  const stats = cache.stats();
  await cache.close();

  const fmt = (n: number) => `${(n / 1e6).toFixed(2)} M/s`;
  const line = (name: string, r: { baseline: number; candidate: number; ratio: number }, base: string) =>
    console.log(`  ${name.padEnd(30)}${fmt(r.candidate).padStart(11)}   ${base} ${fmt(r.baseline).padStart(11)}   ratio ${r.ratio.toFixed(2)}`);
  console.log(`cache-hit throughput: ${ENTRIES} entries, medians of ${ROUNDS} alternating rounds, node ${process.version}`);
  line("cache.getIfFresh(path)", fresh, "Map.get");
  line("cache.get(path), not awaited", promised, "Map.get");
  line("await cache.get(path)", awaited, "await Map.get");
  console.log(`  stats: hits ${stats.hits}, misses ${stats.misses}, loads ${stats.loads}`);
}

function snapshot(): { heap: number; rss: number } {
  gc();
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
}

async function memory(): Promise<void> {
  const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
  const per = (n: number) => `${(n / ENTRIES).toFixed(0)} B/entry`;

  // Baseline: the same secrets in a plain Map.
  let before = snapshot();
  let map: Map<string, Secret> | undefined = new Map();
  for (let i = 0; i < ENTRIES; i++) map.set(`m/${paths[i]}`, secretFor(i));
  const mapAfter = snapshot();
  const mapHeap = mapAfter.heap - before.heap;
  const mapRss = mapAfter.rss - before.rss;
  if (map.size !== ENTRIES) throw new Error("bench: map lost entries");
  map = undefined;

  before = snapshot();
  let cache: ReturnType<typeof createSecretCache<Secret>> | undefined = createSecretCache<Secret>({
    load: async (path) => secretFor(Number(/service-(\d+)/.exec(path)?.[1] ?? 0)),
    ttlMs: 10 * 60_000,
    maxEntries: ENTRIES,
  });
  const c = cache;
  await Promise.all(paths.map((p) => c.get(p)));
  const after = snapshot();
  const heap = after.heap - before.heap;
  const rss = after.rss - before.rss;
  const payload = JSON.stringify(secretFor(1)).length;
  console.log(`memory of ${ENTRIES} cached secrets (~${payload}-byte JSON values, real clock and timers)`);
  console.log(`  plain Map baseline   heapUsed +${kib(mapHeap)} (${per(mapHeap)}), rss +${kib(mapRss)}`);
  console.log(`  secret cache         heapUsed +${kib(heap)} (${per(heap)}), rss +${kib(rss)}`);
  console.log(`  ratio heapUsed cache / Map ${(heap / mapHeap).toFixed(2)}, overhead ${per(heap - mapHeap)}`);
  await cache.close();
  cache = undefined;
}

await throughput();
await memory();
if (sink === -1) console.log("unreachable");
