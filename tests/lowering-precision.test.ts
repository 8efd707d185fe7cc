// `--precision f32` (Float32Array storage for parameters, gradients, optimizer state and
// activations) against the default f64: from the same (float32-representable) weights, every
// example's predictions, losses and gradients agree within float32 tolerance, and a short
// training run ends at the same loss.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compile } from "../compiler/compile.js";
import { EXAMPLES, ROOT } from "../scripts/examples.js";
import { testRandom } from "./helpers/fd.js";
import { importCode } from "./helpers/generated.js";

type Vec = Float32Array | Float64Array;
interface Mod {
  init(seed?: number): Vec;
  predict(p: Vec, x: ArrayLike<number>): Vec;
  loss(p: Vec, x: ArrayLike<number>, y: ArrayLike<number>): number;
  grad(p: Vec, x: ArrayLike<number>, y: ArrayLike<number>, g: Vec): number;
  fit(p: Vec, xs: number[][], ys: number[][], o: Record<string, unknown>): { history: { loss: number[] } };
  model: { input: { shape: number[] }; target: { shape: number[] } };
}

/** |a − b| relative to the larger magnitude, with an absolute floor `scale`. */
function close(a: number, b: number, tol: number, scale = 1): boolean {
  return Math.abs(a - b) <= tol * Math.max(Math.abs(a), Math.abs(b), scale);
}

describe.each(EXAMPLES.map((e) => e.name))("example %s in f32", (name) => {
  it("agrees with f64 within float32 tolerance", async () => {
    const example = EXAMPLES.find((e) => e.name === name)!;
    const source = readFileSync(`${ROOT}${example.source}`, "utf8");
    const f32 = await compile(source, example.source, { precision: "f32" });
    const f64 = await compile(source, example.source, {});
    expect(f32.code).toContain("type Vec = Float32Array");
    expect(f32.code).not.toMatch(/Float64Array/);
    const m32 = (await importCode(f32.code)) as unknown as Mod;
    const m64 = (await importCode(f64.code)) as unknown as Mod;
    const p32 = m32.init(3);
    expect(p32).toBeInstanceOf(Float32Array);
    const p64 = Float64Array.from(p32);
    const random = testRandom(21);
    const inSize = m64.model.input.shape.reduce((a, b) => a * b, 1);
    const tSize = m64.model.target.shape.reduce((a, b) => a * b, 1);
    for (let trial = 0; trial < 3; trial++) {
      const x = Array.from({ length: inSize }, () => random());
      const y = Array.from({ length: tSize }, (_, i) => (tSize === 1 ? (random() < 0.5 ? 0 : 1) : i === trial ? 1 : 0));
      const out32 = m32.predict(p32, x);
      const out64 = m64.predict(p64, x);
      expect(out32).toBeInstanceOf(Float32Array);
      out64.forEach((v, i) => expect(close(out32[i]!, v, 1e-5), `output ${i}: ${out32[i]} vs ${v}`).toBe(true));
      expect(close(m32.loss(p32, x, y), m64.loss(p64, x, y), 1e-5)).toBe(true);
      const g32 = new Float32Array(p32.length);
      const g64 = new Float64Array(p64.length);
      m32.grad(p32, x, y, g32);
      m64.grad(p64, x, y, g64);
      const gmax = g64.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      // One assertion per trial (MNIST has 101,770 gradients): the worst element.
      let worst = -1;
      g64.forEach((v, i) => {
        if (!close(g32[i]!, v, 1e-4, gmax) && worst < 0) worst = i;
      });
      expect(worst, worst < 0 ? "" : `grad ${worst}: ${g32[worst]} vs ${g64[worst]}`).toBe(-1);
      expect(g32.some((v) => v !== 0)).toBe(true);
    }
  });
});

describe("f32 training", () => {
  it("ends xor's training at the f64 loss", async () => {
    const example = EXAMPLES.find((e) => e.name === "xor")!;
    const source = readFileSync(`${ROOT}${example.source}`, "utf8");
    const m32 = (await importCode((await compile(source, example.source, { precision: "f32" })).code)) as unknown as Mod;
    const m64 = (await importCode((await compile(source, example.source, {})).code)) as unknown as Mod;
    const xs = [[0, 0], [0, 1], [1, 0], [1, 1]];
    const ys = [[0], [1], [1], [0]];
    const p32 = m32.init(7);
    const p64 = Float64Array.from(p32);
    const l32 = m32.fit(p32, xs, ys, { epochs: 200, batchSize: 4, seed: 7 }).history.loss;
    const l64 = m64.fit(p64, xs, ys, { epochs: 200, batchSize: 4, seed: 7 }).history.loss;
    expect(Math.abs(l32[l32.length - 1]! - l64[l64.length - 1]!)).toBeLessThan(1e-3);
    expect(l64[l64.length - 1]!).toBeLessThan(l64[0]! / 2);
  });
});
