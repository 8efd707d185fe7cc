import { describe, expect, it } from "vitest";
import { INITIALIZERS, initParams } from "../../runtime/init.js";
import type { ParamInfo } from "../../runtime/core.js";

function tensor(name: string, shape: number[], offset: number, init: ParamInfo["init"]): ParamInfo {
  return { name, shape, offset, size: shape.reduce((a, b) => a * b, 1), init };
}

function stats(xs: ArrayLike<number>): { mean: number; variance: number; maxAbs: number } {
  let sum = 0;
  let maxAbs = 0;
  for (let i = 0; i < xs.length; i++) {
    sum += xs[i];
    maxAbs = Math.max(maxAbs, Math.abs(xs[i]));
  }
  const mean = sum / xs.length;
  let sq = 0;
  for (let i = 0; i < xs.length; i++) sq += (xs[i] - mean) ** 2;
  return { mean, variance: sq / xs.length, maxAbs };
}

// W is [out, in] = [200, 300]: fan_in = 300, fan_out = 200 (our layout, W @ x).
const FAN_IN = 300;
const FAN_OUT = 200;
const TRUNC = 0.87962566103423978;
// Keras' VarianceScaling: target variance = scale / fan.
const CASES: [string, number][] = [
  ["glorot_uniform", 2 / (FAN_IN + FAN_OUT)],
  ["glorot_normal", 2 / (FAN_IN + FAN_OUT)],
  ["he_uniform", 2 / FAN_IN],
  ["he_normal", 2 / FAN_IN],
  ["lecun_uniform", 1 / FAN_IN],
  ["lecun_normal", 1 / FAN_IN],
];

describe("initParams", () => {
  for (const [name, variance] of CASES) {
    it(`${name}: mean 0, variance = Keras formula, bounds respected`, () => {
      const p = tensor("W", [FAN_OUT, FAN_IN], 0, { name });
      const s = stats(initParams([p], p.size, 11));
      const n = p.size;
      // Sample mean: standard error sqrt(var/n); allow 5 standard errors.
      expect(Math.abs(s.mean)).toBeLessThan(5 * Math.sqrt(variance / n));
      // Sample variance within 3% (standard error is ~0.5% at n = 60000).
      expect(Math.abs(s.variance / variance - 1)).toBeLessThan(0.03);
      if (name.endsWith("_uniform")) {
        const limit = Math.sqrt(3 * variance); // e.g. glorot: sqrt(6 / (fan_in + fan_out))
        expect(s.maxAbs).toBeLessThanOrEqual(limit);
        expect(s.maxAbs).toBeGreaterThan(0.999 * limit);
      } else {
        const stddev = Math.sqrt(variance) / TRUNC; // truncated at ±2 stddev
        expect(s.maxAbs).toBeLessThanOrEqual(2 * stddev);
        expect(s.maxAbs).toBeGreaterThan(1.99 * stddev);
      }
    });
  }

  it("uses fan_in = fan_out = shape[0] for 1-D tensors and 1 for scalars", () => {
    const v = tensor("v", [50_000], 0, { name: "he_uniform" });
    const s = stats(initParams([v], v.size, 1));
    expect(Math.abs(s.variance / (2 / 50_000) - 1)).toBeLessThan(0.03);
    const g = tensor("g", [20_000], 0, { name: "glorot_uniform" }); // (n + n)/2 = n
    expect(stats(initParams([g], g.size, 1)).maxAbs).toBeLessThanOrEqual(Math.sqrt(3 / 20_000));
    const scalar = tensor("s", [], 0, { name: "lecun_uniform" });
    const x = initParams([scalar], 1, 1)[0];
    expect(Math.abs(x)).toBeLessThanOrEqual(Math.sqrt(3));
  });

  it("fills zeros, ones and constant(value)", () => {
    const ps = [
      tensor("a", [3], 0, { name: "zeros" }),
      tensor("b", [2, 2], 3, { name: "ones" }),
      tensor("c", [2], 7, { name: "constant", value: 0.25 }),
    ];
    expect(Array.from(initParams(ps, 9, 0))).toEqual([0, 0, 0, 1, 1, 1, 1, 0.25, 0.25]);
  });

  it("is deterministic, seed-dependent, and per-tensor independent of other tensors", () => {
    const W = tensor("W", [4, 3], 0, { name: "glorot_normal" });
    const b = tensor("b", [4], 12, { name: "he_uniform" });
    const one = initParams([W, b], 16, 5);
    expect(Array.from(initParams([W, b], 16, 5))).toEqual(Array.from(one));
    expect(Array.from(initParams([W, b], 16, 6))).not.toEqual(Array.from(one));
    // Adding a tensor before W (shifting its offset and index) does not change W's values.
    const extra = tensor("extra", [5], 0, { name: "lecun_normal" });
    const shifted = initParams([extra, { ...W, offset: 5 }, { ...b, offset: 17 }], 21, 5);
    expect(Array.from(shifted.subarray(5, 21))).toEqual(Array.from(one));
  });

  it("throws on unknown initializers, missing constant values and bad layouts", () => {
    expect(() => initParams([tensor("W", [2], 0, { name: "random_uniform" })], 2, 0)).toThrow(/parameter 'W': unknown initializer 'random_uniform'/);
    expect(() => initParams([tensor("c", [2], 0, { name: "constant" })], 2, 0)).toThrow(/constant initializer needs a finite value/);
    expect(() => initParams([tensor("W", [2, 2], 1, { name: "zeros" })], 4, 0)).toThrow(/does not fit 4 parameters/);
  });

  it("exports every supported initializer name", () => {
    expect([...INITIALIZERS].sort()).toEqual(
      ["constant", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform", "lecun_normal", "lecun_uniform", "ones", "zeros"],
    );
    for (const name of INITIALIZERS) {
      const p = tensor("t", [3], 0, name === "constant" ? { name, value: 1 } : { name });
      expect(initParams([p], 3, 0).every(Number.isFinite)).toBe(true);
    }
  });
});
