import { describe, expect, it } from "vitest";
import { exponentialBackoff, linearBackoff, timerDelay } from "./backoff.js";

const take = (b: { next(): number }, n: number) => Array.from({ length: n }, () => b.next());

describe("linearBackoff", () => {
  it("matches go-spiffe: 1 s steps up to 30 s, reset after a message", () => {
    const b = linearBackoff().newBackoff();
    const seq = take(b, 32);
    expect(seq.slice(0, 4)).toEqual([1000, 2000, 3000, 4000]);
    expect(seq.slice(28)).toEqual([29_000, 30_000, 30_000, 30_000]);
    b.reset();
    expect(b.next()).toBe(1000);
  });
  it("gives every watch its own sequence", () => {
    const s = linearBackoff({ stepMs: 10, maxMs: 25 });
    const a = s.newBackoff();
    const b = s.newBackoff();
    expect(take(a, 4)).toEqual([10, 20, 25, 25]);
    expect(b.next()).toBe(10);
  });
  it("rejects nonsense", () => {
    expect(() => linearBackoff({ stepMs: -1 })).toThrowError(/stepMs/);
  });
});

describe("exponentialBackoff", () => {
  it("doubles up to the cap", () => {
    expect(take(exponentialBackoff().newBackoff(), 8)).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]);
  });
  it("applies jitter from the random source", () => {
    const b = exponentialBackoff({ initialMs: 100, jitter: 0.5, random: () => 0.5 }).newBackoff();
    expect(take(b, 2)).toEqual([75, 150]);
  });
});

describe("timerDelay", () => {
  it("keeps delays a timer honours and maps the rest so a retry loop never spins", () => {
    expect([timerDelay(0), timerDelay(5), timerDelay(30_000)]).toEqual([0, 5, 30_000]);
    // Node fires timers beyond 2^31-1 ms after 1 ms: clamp instead
    expect([timerDelay(Number.POSITIVE_INFINITY), timerDelay(1e12)]).toEqual([2 ** 31 - 1, 2 ** 31 - 1]);
    expect([timerDelay(Number.NaN), timerDelay(-1), timerDelay(undefined), timerDelay("5")]).toEqual([1000, 1000, 1000, 1000]);
  });
});
