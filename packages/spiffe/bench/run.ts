// Benchmarks for @spike-ts/spiffe: SPIFFE ID parse rate and X.509-SVID verify rate, each next to
// a baseline measured in the same run. Prints numbers only; asserts nothing.
import { X509Certificate } from "node:crypto";
import { SpiffeId, X509BundleSet, verifyX509Svid } from "../src/index.js";
import { createTestCa } from "../src/testing/index.js";

const ROUNDS = 5;

function rateOf(fn: () => void, minMs: number): number {
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    for (let i = 0; i < 50; i++) fn();
    ops += 50;
    elapsed = performance.now() - start;
  }
  return (ops / elapsed) * 1000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/** Measures several cases in alternating rounds (so machine load hits all alike); median ops/s. */
function measureAll(cases: Array<[string, () => void]>, minMs = 300): number[] {
  for (const [, fn] of cases) for (let i = 0; i < 200; i++) fn(); // warm up
  const samples = cases.map(() => [] as number[]);
  for (let r = 0; r < ROUNDS; r++) cases.forEach(([, fn], i) => samples[i]?.push(rateOf(fn, minMs)));
  return cases.map(([name], i) => {
    const rate = median(samples[i] as number[]);
    console.log(`${name.padEnd(58)} ${Math.round(rate).toLocaleString("en-US").padStart(12)} ops/s`);
    return rate;
  });
}

function ratio(label: string, ours: number, baseline: number): void {
  console.log(`${label.padEnd(58)} ${(ours / baseline).toFixed(2).padStart(12)} x baseline`);
}

// --- SPIFFE ID parsing -------------------------------------------------------------------
const ids: string[] = [];
for (let i = 0; i < 500; i++) ids.push(`spiffe://example.org/ns/team-${i}/sa/service_${i}.v2`);
for (let i = 0; i < 250; i++) ids.push(`spiffe://td-${i}.prod.example.com/workload`);
for (let i = 0; i < 250; i++) {
  ids.push(
    [
      `spiffe://example.org/a/../b${i}`,
      `https://example.org/${i}`,
      `spiffe://Example.org/${i}`,
      `spiffe://example.org/x%2F${i}`,
      `spiffe://example.org/${i}/`,
    ][i % 5] as string,
  );
}
const idRegex = /^spiffe:\/\/[a-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;
let sink = 0;
console.log(`node ${process.version}, ${ids.length} ids (75% valid, 25% invalid)`);
const validOnly = ids.slice(0, 750);
let k = 0;
let v = 0;
let r = 0;
let u = 0;
const [parseRate, parseValidRate, regexRate, urlRate] = measureAll([
  [
    "SpiffeId.parse (throws on the invalid 25%)",
    () => {
      try {
        sink += SpiffeId.parse(ids[k++ % ids.length] as string).path.length;
      } catch {
        sink++;
      }
    },
  ],
  ["SpiffeId.parse (valid ids only)", () => (sink += SpiffeId.parse(validOnly[v++ % validOnly.length] as string).path.length)],
  ["baseline: regex test of the same strings", () => (sink += idRegex.test(ids[r++ % ids.length] as string) ? 1 : 0)],
  [
    "reference: new URL() of the same strings (unsafe)",
    () => {
      try {
        sink += new URL(ids[u++ % ids.length] as string).pathname.length;
      } catch {
        sink++;
      }
    },
  ],
]) as [number, number, number, number];
ratio("SpiffeId.parse vs regex", parseRate, regexRate);
ratio("SpiffeId.parse (valid only) vs regex", parseValidRate, regexRate);
ratio("SpiffeId.parse vs new URL()", parseRate, urlRate);

// --- X.509-SVID verification -------------------------------------------------------------
const ca = createTestCa();
const inter = ca.issueIntermediate();
const issued = inter.issueSvid("spiffe://example.org/ns/default/sa/web");
const chain = issued.certificates;
const bundles = new X509BundleSet(ca.bundle);
const x509 = [...chain, ca.rootDer].map((d) => new X509Certificate(d));
console.log(`\nchain: leaf + 1 intermediate, EC P-256, anchor = root in the bundle`);
const [leafX, interX, rootX] = x509 as [X509Certificate, X509Certificate, X509Certificate];
const [verifyCached, verifyFresh, bareVerify, bareParseVerify] = measureAll([
  ["verifyX509Svid (same buffers: parsed certs cached)", () => (sink += verifyX509Svid(chain, bundles).verifiedChain.length)],
  [
    "verifyX509Svid (fresh buffers: as on each handshake)",
    () => (sink += verifyX509Svid(chain.map((c) => new Uint8Array(c)), bundles).verifiedChain.length),
  ],
  [
    "baseline: bare X509Certificate#verify x2 (pre-parsed)",
    () => (sink += leafX.verify(interX.publicKey) && interX.verify(rootX.publicKey) ? 1 : 0),
  ],
  [
    "baseline: new X509Certificate x2 + verify x2",
    () => {
      const leaf = new X509Certificate(chain[0] as Uint8Array);
      const i = new X509Certificate(chain[1] as Uint8Array);
      sink += leaf.verify(i.publicKey) && i.verify(rootX.publicKey) ? 1 : 0;
    },
  ],
]) as [number, number, number, number];
ratio("verifyX509Svid cached vs bare verify", verifyCached, bareVerify);
ratio("verifyX509Svid fresh vs bare verify", verifyFresh, bareVerify);
ratio("verifyX509Svid fresh vs bare parse + verify", verifyFresh, bareParseVerify);
if (sink === -1) console.log(sink);
