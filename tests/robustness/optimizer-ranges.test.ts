// [M26] The model file's `optimizer` statement and the runtime's createOptimizer accept the same
// values for every option of every optimizer (Keras 3's and TensorFlow.js' ranges: epsilon may
// be 0, momentum 1), with one documented exception: the model file refuses a learning rate of
// 0, which the runtime allows for schedules (docs/errors.md M26, R7).

import { describe, expect, it } from "vitest";
import { analyze } from "../../compiler/compile.js";
import { NncError } from "../../compiler/diagnostics.js";
import type { ParamInfo } from "../../runtime/core.js";
import { CLIP_OPTIONS, OPTIMIZERS, OPTION_KERAS_NAMES, type OptimizerSpec } from "../../runtime/optimizer-options.js";
import { createAdam, createOptimizer } from "../../runtime/optimizers.js";

const MODEL = "model m\ninput x[2]\ntarget y[1]\nout = dense(x, 1)\nloss mse(out, y)\n";
const VALUES = [-1, -1e-7, 0, 1e-7, 0.5, 1, 1.5, 1e6];
const LAYOUT: ParamInfo[] = [{ name: "W", shape: [1, 2], offset: 0, size: 2, init: { name: "zeros" } }];

const kerasName = (option: string) => (OPTION_KERAS_NAMES as Record<string, string>)[option] ?? option;

function compilerAccepts(optimizer: string, option: string, value: number): boolean {
  try {
    analyze(`${MODEL}optimizer ${optimizer}(${kerasName(option)} = ${value})\n`, "m.nn");
    return true;
  } catch (e) {
    if (e instanceof NncError) return false;
    throw e;
  }
}

function runtimeAccepts(optimizer: string, option: string, value: number): boolean {
  try {
    createOptimizer({ name: optimizer, options: { [option]: value } } as OptimizerSpec, LAYOUT, 2);
    return true;
  } catch {
    return false;
  }
}

describe("optimizer option ranges", () => {
  for (const [optimizer, entry] of Object.entries(OPTIMIZERS)) {
    const numeric = [...Object.entries(entry.options).filter(([, d]) => typeof d === "number").map(([o]) => o), ...CLIP_OPTIONS];
    it(`[M26] ${optimizer}: the model file accepts exactly what createOptimizer accepts`, () => {
      const disagreements: string[] = [];
      for (const option of numeric) {
        for (const value of VALUES) {
          const dsl = compilerAccepts(optimizer, option, value);
          const runtime = runtimeAccepts(optimizer, option, value);
          const documented = option === "learningRate" && value === 0 && !dsl && runtime;
          if (dsl !== runtime && !documented) disagreements.push(`${kerasName(option)} = ${value}: model file ${dsl ? "accepts" : "refuses"}, createOptimizer ${runtime ? "accepts" : "refuses"}`);
        }
      }
      expect(disagreements).toEqual([]);
    });
  }

  it("epsilon = 0 and momentum = 1 compile into the module's optimizer", () => {
    const adam = analyze(`${MODEL}optimizer adam(epsilon = 0)\n`, "m.nn").model.optimizer;
    expect(adam.options["epsilon"]).toBe(0);
    const sgd = analyze(`${MODEL}optimizer sgd(momentum = 1)\n`, "m.nn").model.optimizer;
    expect(sgd.options["momentum"]).toBe(1);
  });

  it("what docs/language.md warns of: with epsilon = 0, a parameter whose gradient is exactly 0 becomes NaN (0 / 0)", () => {
    const step = (epsilon: number) => {
      const params = Float64Array.of(0.5, 0.5);
      createAdam(2, { epsilon }).step(params, Float64Array.of(0, 1));
      return Array.from(params);
    };
    // Step 1 by hand: m = 0.1 g, v = 0.001 g², so the step is lr · √0.001 / (√0.001 + ε) for g = 1.
    const [still, moved] = step(1e-7);
    expect(still).toBe(0.5);
    expect(moved).toBeCloseTo(0.5 - (0.001 * Math.sqrt(0.001)) / (Math.sqrt(0.001) + 1e-7), 15);
    const [zeroGrad, other] = step(0);
    expect(zeroGrad).toBeNaN();
    expect(other).toBeCloseTo(0.499, 12);
  });
});
