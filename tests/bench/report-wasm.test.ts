// bench/RESULTS.md's WebAssembly parts (bench/report-wasm.ts, report-wasm-why.ts) from made-up
// measurements: the fraction of the WebAssembly SIMD yardstick, issue 16's 60% target row with
// how far it is missed, and the profile's account of why (products against JavaScript parts).

import { describe, expect, it } from "vitest";
import type { FunctionTime } from "../../bench/function-profile.js";
import type { Row } from "../../bench/report.js";
import { issue16Section, wasmNotes, wasmYardstick } from "../../bench/report-wasm.js";

const fn = (name: string, ms: number): FunctionTime => ({ fn: name, what: "", msPerCall: ms, share: ms, flopsPerCall: 0, blocks: [] });
const peak = (gflops: number) => ({ gflops, kernel: `k ${gflops}`, all: [{ kernel: `k ${gflops}`, gflops }] });

// 8,000 samples of 409,600 flops; the f32 step's fastest run took 0.21845 s: 15.0 GFLOP/s.
const row = {
  workload: { name: "mnist32" },
  samples: 8000,
  flops: 8000 * 409600,
  evalWhat: "",
  results: {
    "nnc step": { seconds: 0.8, loss: 1, accuracy: 0.5 },
    "nnc wasm f64 step": { seconds: 0.3, loss: 1, accuracy: 0.5 },
    "nnc wasm f32 step": { seconds: 0.21845, loss: 1, accuracy: 0.5 },
  },
  wasmPaired: { f64: { gflops: 12, peak: 30 }, f32: { gflops: 15, peak: 60 } },
} as unknown as Row;
const yardstick = {
  ...wasmYardstick({ f32: [peak(55), peak(62.5)], f64: [peak(31.25)] }, { f32: [peak(60)], f64: [peak(30)] }),
  // 1 ms per step: 0.3 in WebAssembly, the rest JavaScript.
  mnist32Profile: { profile: [fn("adamUpdate", 0.5), fn("wasm gradRows_4", 0.15), fn("wasm predictRows_1", 0.15), fn("scaleAndSquare", 0.2)], fusedRows: 27 },
};

describe("the WebAssembly yardstick in RESULTS.md", () => {
  it("takes the best measurement of the run per precision", () => {
    expect(yardstick.best.f32.gflops).toBe(62.5);
    expect(yardstick.best.f64.gflops).toBe(31.25);
    expect(yardstick.measured.f32).toEqual([55, 62.5, 60]);
  });

  it("gives each wasm row's fraction of the yardstick measured just before it and of the run's best", () => {
    const notes = wasmNotes(row, yardstick).join("\n");
    expect(notes).toContain("nnc wasm f32 step 15.00 GFLOP/s: **25.0%** of the WebAssembly SIMD f32 yardstick measured just before its fastest run (60.00 GFLOP/s), 24.0% of the run's best (62.50)");
    expect(notes).toContain("nnc wasm f64 step 12.00 GFLOP/s: **40.0%**");
  });

  it("writes issue 16's 60% target row, by how much it is missed, and why from the profile", () => {
    const text = issue16Section([row], yardstick).join("\n");
    expect(text).toContain("| MNIST batch 32: nnc wasm f32 step, fraction of the WebAssembly SIMD yardstick (f32x4) measured just before | 25.0% | ≥ 60% | no (0.42 of the goal, 35.0 points short) |");
    expect(text).toContain("| mnist32 | nnc wasm f32 step | 15.00 | 60.00 | 25.0% | 24.0% |");
    // 32 × 409,600 flops in 0.3 ms of WebAssembly: 43.69 GFLOP/s, 73% of 60.
    expect(text).toContain("The WebAssembly products take 0.300 of the 1.000 ms per step (30%) and do 13.1 of the step's\n13.1 MFLOP: 43.69 GFLOP/s, 73% of the yardstick");
    expect(text).toContain("its matrix products alone run at 73% of it; the step loses the rest to the parts around them,");
    expect(text).toContain("70% of the step for none of its product flops, the largest: adamUpdate 0.500 ms, scaleAndSquare 0.200 ms.");
    expect(text).toContain("which serves up to 27 rows (its `trainStepRows`), so the optimizer is a JavaScript pass of its own: adamUpdate, 0.500 ms.");
    expect(text).toMatch(/\| adamUpdate \| JavaScript \| the optimizer: Adam's update of every parameter \(runtime\/optimizers\.ts\) \| 0\.500 \|/);
    expect(text).toMatch(/\| gradRows_4 \| WebAssembly \| matrix products \| 0\.150 \|/);
  });

  it("counts the generic step's WebAssembly passes (applyGradient_1, _2) among the parts around the products, not as products", () => {
    const profile = [fn("wasm gradRows_4", 0.15), fn("wasm predictRows_1", 0.15), fn("wasm applyGradient_2", 0.4), fn("wasm applyGradient_1", 0.1), fn("gradRowsInMemory", 0.2)];
    const text = issue16Section([row], { ...yardstick, mnist32Profile: { profile, fusedRows: 6 } }).join("\n");
    expect(text).toContain("The WebAssembly products take 0.300 of the 1.000 ms per step (30%)");
    expect(text).toContain("70% of the step for none of its product flops, the largest: wasm applyGradient_2 0.400 ms, gradRowsInMemory 0.200 ms, wasm applyGradient_1 0.100 ms.");
    expect(text).toMatch(/\| applyGradient_2 \| WebAssembly \| the generic step's pass over the parameters: the gradient's norm, or the optimizer's update \| 0\.400 \|/);
    expect(text).not.toContain("a JavaScript pass of its own");
  });

  it("counts row loops in WebAssembly (KERNEL_loopK) among the parts around the products", () => {
    const profile = [fn("wasm gradRows_7", 0.3), fn("wasm gradRows_loop5", 0.5), fn("gradRowsInMemory", 0.2)];
    const text = issue16Section([row], { ...yardstick, mnist32Profile: { profile, fusedRows: 6 } }).join("\n");
    expect(text).toContain("The WebAssembly products take 0.300 of the 1.000 ms per step (30%)");
    expect(text).toMatch(/\| gradRows_loop5 \| WebAssembly \| row loops between the products \(im2col, bias, activations, pooling, col2im\) \| 0\.500 \|/);
    expect(text).toContain("the largest: wasm gradRows_loop5 0.500 ms, gradRowsInMemory 0.200 ms.");
  });

  it("adds the CNN's 60% target row when the CNN ran", () => {
    const text = issue16Section([row], yardstick, { gflops: 9, peak: 60 }).join("\n");
    expect(text).toContain("| MNIST CNN batch 32: nnc wasm f32 step, fraction of the WebAssembly SIMD yardstick (f32x4) measured just before | 15.0% | ≥ 60% | no (0.25 of the goal, 45.0 points short) |");
  });

  it("writes the target as met when the step reaches 60%", () => {
    const met = { ...row, wasmPaired: { f32: { gflops: 40, peak: 60 } } } as Row;
    expect(issue16Section([met], yardstick).join("\n")).toContain("| 66.7% | ≥ 60% | yes |");
  });
});
