// Time from createX509Source() to the first SVID against the dev Workload API server, with a
// baseline in the same run: a bare grpc-js FetchX509SVID call on a fresh channel until its first
// message arrives (no parsing). Both pay for a new channel + unix socket connect each iteration.
import { performance } from "node:perf_hooks";
import { Client, Metadata, credentials } from "@grpc/grpc-js";
import { createX509Source } from "../src/index.js";
import { startDevWorkloadApi } from "../src/testing/index.js";

const ITERATIONS = Number(process.env["BENCH_ITERATIONS"] ?? 200);
const WARMUP = 20;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}
const p = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))] as number;

async function bareFirstMessage(target: string): Promise<number> {
  const t0 = performance.now();
  const client = new Client(target, credentials.createInsecure());
  const md = new Metadata();
  md.set("workload.spiffe.io", "true");
  await new Promise<void>((resolve, reject) => {
    const call = client.makeServerStreamRequest<Buffer, Buffer>("/SpiffeWorkloadAPI/FetchX509SVID", (b) => b, (b) => b, Buffer.alloc(0), md);
    call.on("data", () => {
      call.cancel();
      resolve();
    });
    call.on("error", (e: { code: number }) => {
      if (e.code !== 1) reject(e);
    });
  });
  const dt = performance.now() - t0;
  client.close();
  return dt;
}

async function sourceFirstSvid(address: string): Promise<number> {
  const t0 = performance.now();
  const source = await createX509Source({ address });
  source.getX509Svid();
  const dt = performance.now() - t0;
  await source.close();
  return dt;
}

const agent = await startDevWorkloadApi({ identities: [{ spiffeId: "spiffe://example.org/bench" }] });
const target = `unix:${agent.socketPath}`;
try {
  for (let i = 0; i < WARMUP; i++) {
    await bareFirstMessage(target);
    await sourceFirstSvid(agent.address);
  }
  const bare: number[] = [];
  const source: number[] = [];
  // interleave so drift affects both equally
  for (let i = 0; i < ITERATIONS; i++) {
    bare.push(await bareFirstMessage(target));
    source.push(await sourceFirstSvid(agent.address));
  }
  const row = (name: string, xs: number[]) =>
    `${name.padEnd(42)} median ${median(xs).toFixed(3)} ms   p90 ${p(xs, 0.9).toFixed(3)} ms   p99 ${p(xs, 0.99).toFixed(3)} ms`;
  console.log(`workload-api bench (${ITERATIONS} iterations, node ${process.version})`);
  console.log(row("baseline: bare grpc-js first message", bare));
  console.log(row("createX509Source() -> first SVID", source));
  console.log(`ratio (median source / median baseline): ${(median(source) / median(bare)).toFixed(2)}x`);
} finally {
  await agent.close();
}
