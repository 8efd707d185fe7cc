import { describe, expect, it } from "vitest";
import { createRng, deriveSeed, fnv1a32 } from "../../runtime/rng.js";

function draws(seed: number, n: number, f: (r: ReturnType<typeof createRng>) => number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => f(rng));
}

function meanVar(xs: number[]): [number, number] {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
  return [mean, variance];
}

describe("createRng", () => {
  it("is deterministic per seed and differs between seeds", () => {
    expect(draws(7, 50, (r) => r.uniform())).toEqual(draws(7, 50, (r) => r.uniform()));
    expect(draws(7, 50, (r) => r.normal())).toEqual(draws(7, 50, (r) => r.normal()));
    expect(draws(7, 20, (r) => r.uniform())).not.toEqual(draws(8, 20, (r) => r.uniform()));
    // Seeds beyond 32 bits and negative seeds are distinct streams too.
    const a = draws(0, 5, (r) => r.uniform());
    expect(draws(2 ** 32, 5, (r) => r.uniform())).not.toEqual(a);
    expect(draws(-1, 5, (r) => r.uniform())).not.toEqual(a);
  });

  it("keeps the same stream across versions (regression golden values)", () => {
    // Pinned so that a change to the generator or seeding is noticed; any machine must match.
    const u = draws(42, 4, (r) => Math.round(r.uniform() * 2 ** 32));
    expect(u).toEqual(GOLDEN_42);
  });

  it("is sfc32: matches the reference implementation from the same state", () => {
    // Reference sfc32 (Doty-Humphrey, as popularized in bryc/code): tmp = a + b + counter++.
    function sfc32(a: number, b: number, c: number, d: number): () => number {
      return () => {
        const t = (((a + b) | 0) + d) | 0;
        d = (d + 1) | 0;
        a = b ^ (b >>> 9);
        b = (c + (c << 3)) | 0;
        c = (((c << 21) | (c >>> 11)) + t) | 0;
        return t >>> 0;
      };
    }
    const rng = createRng(5) as unknown as { a: number; b: number; c: number; d: number; nextUint32(): number };
    const ref = sfc32(rng.a, rng.b, rng.c, rng.d);
    for (let i = 0; i < 1000; i++) expect(rng.nextUint32()).toBe(ref());
  });

  it("gives uniform() in [0,1) with 32 bits, mean 1/2 and variance 1/12", () => {
    const xs = draws(1, 200_000, (r) => r.uniform());
    expect(xs.every((x) => x >= 0 && x < 1 && Number.isInteger(x * 2 ** 32))).toBe(true);
    const [mean, variance] = meanVar(xs);
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.003);
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.001);
  });

  it("gives normal() with mean 0, variance 1 and plausible tails", () => {
    const xs = draws(2, 200_000, (r) => r.normal());
    const [mean, variance] = meanVar(xs);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.015);
    const beyond2 = xs.filter((x) => Math.abs(x) > 2).length / xs.length;
    expect(Math.abs(beyond2 - 0.0455)).toBeLessThan(0.003);
    expect(xs.every(Number.isFinite)).toBe(true);
  });

  it("gives int(n) uniformly in [0, n) and rejects bad n", () => {
    const counts = new Array(10).fill(0);
    const rng = createRng(3);
    const N = 100_000;
    for (let i = 0; i < N; i++) {
      counts[rng.int(10)]++;
    }
    expect(counts.reduce((a, c) => a + c, 0)).toBe(N);
    // Chi-square with 9 degrees of freedom: 27.9 is the 0.1% critical value.
    const chi2 = counts.reduce((a, c) => a + (c - N / 10) ** 2 / (N / 10), 0);
    expect(chi2).toBeLessThan(27.9);
    expect(rng.int(1)).toBe(0);
    expect(() => rng.int(0)).toThrow(/integer n/);
    expect(() => rng.int(2.5)).toThrow(/integer n/);
  });

  it("rejects seeds that are not safe integers", () => {
    expect(() => createRng(0.5)).toThrow(/safe integer/);
    expect(() => createRng(NaN)).toThrow(/safe integer/);
  });
});

describe("deriveSeed / fnv1a32", () => {
  it("derives distinct, deterministic sub-stream seeds", () => {
    expect(deriveSeed(1, "W")).toBe(deriveSeed(1, "W"));
    const seeds = new Set([deriveSeed(1, "W"), deriveSeed(1, "b"), deriveSeed(2, "W"), deriveSeed(0, "shuffle"), deriveSeed(0, "dropout")]);
    expect(seeds.size).toBe(5);
  });

  it("matches the FNV-1a reference values", () => {
    // Published FNV-1a 32-bit test vectors.
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c);
    expect(fnv1a32("foobar")).toBe(0xbf9cf968);
  });
});

const GOLDEN_42: number[] = [1028872839, 2516511472, 400437680, 853279530];
