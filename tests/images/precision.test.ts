// `--precision f32` on image models: Float32Array storage for parameters, gradients and every
// buffer (patches, products, pooled images), arithmetic in doubles between loads and stores. From
// the same float32-representable weights, f32 agrees with f64 within float32 tolerance
// (tolerances of tests/lowering-precision.test.ts), batched and per-sample, for a sample and for
// a minibatch.

import { describe, expect, it } from "vitest";
import { testRandom } from "../helpers/fd.js";
import { moduleOf, randomParams, replayRng, sampleOf } from "./harness.js";
import { IMAGE_MODELS } from "./models.js";

type Vec = Float32Array | Float64Array;
interface Mod {
  predict(p: Vec, x: ArrayLike<number>): Vec;
  predictBatch(p: Vec, xs: number[][]): Vec;
  loss(p: Vec, x: ArrayLike<number>, y: ArrayLike<number>): number;
  grad(p: Vec, x: ArrayLike<number>, y: ArrayLike<number>, g: Vec, rng?: unknown): number;
  model: { paramCount: number };
}

/** |a − b| relative to the larger magnitude, with an absolute floor `scale`. */
function close(a: number, b: number, tol: number, scale = 1): boolean {
  return Math.abs(a - b) <= tol * Math.max(Math.abs(a), Math.abs(b), scale);
}

const MODELS = ["conv_dilated", "pools_same", "raw_reshape", "cnn", "mnist_sized"];
const STRATEGIES = [
  { label: "batched", options: { batch: "always" } },
  { label: "per-sample loops", options: { batch: "never", unroll: "never" } },
] as const;

describe.each(MODELS.flatMap((name) => STRATEGIES.map((s) => ({ name, ...s }))))("$name in f32, $label", ({ name, options }) => {
  it("agrees with f64 within float32 tolerance", async () => {
    const m = IMAGE_MODELS.find((x) => x.name === name)!;
    const f32 = await moduleOf(m, { ...options, precision: "f32" });
    const f64 = await moduleOf(m, options);
    expect(f32.code).toContain("type Vec = Float32Array");
    expect(f32.code).not.toMatch(/Float64Array/);
    const m32 = f32.mod as unknown as Mod;
    const m64 = f64.mod as unknown as Mod;
    const p32 = Float32Array.from(randomParams(m64.model.paramCount, 31));
    const p64 = Float64Array.from(p32);
    const random = testRandom(41);
    for (let trial = 0; trial < 2; trial++) {
      const { x, y } = sampleOf(m, random, trial);
      const out32 = m32.predict(p32, x);
      const out64 = m64.predict(p64, x);
      expect(out32).toBeInstanceOf(Float32Array);
      out64.forEach((v, i) => expect(close(out32[i]!, v, 1e-5), `output ${i}: ${out32[i]} vs ${v}`).toBe(true));
      expect(close(m32.loss(p32, x, y), m64.loss(p64, x, y), 1e-5)).toBe(true);
      const g32 = new Float32Array(p32.length);
      const g64 = new Float64Array(p64.length);
      // Dropout: both draw the same mask.
      expect(close(m32.grad(p32, x, y, g32, replayRng(9)), m64.grad(p64, x, y, g64, replayRng(9)), 1e-5)).toBe(true);
      const gmax = g64.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
      expect(gmax).toBeGreaterThan(1e-6);
      let worst = -1;
      g64.forEach((v, i) => {
        if (!close(g32[i]!, v, 1e-4, gmax) && worst < 0) worst = i;
      });
      expect(worst, worst < 0 ? "" : `grad ${worst}: ${g32[worst]} vs ${g64[worst]}`).toBe(-1);
    }
    const xs = Array.from({ length: 5 }, (_, k) => sampleOf(m, random, k).x);
    const b32 = m32.predictBatch(p32, xs);
    const b64 = m64.predictBatch(p64, xs);
    b64.forEach((v, i) => expect(close(b32[i]!, v, 1e-5), `batch output ${i}`).toBe(true));
  });
});
