// Very long expressions compile without overflowing the stack anywhere in the pipeline:
// `build` walks left-folded chains and unary chains with loops, constant arguments are folded
// iteratively, and lowering bounds how deeply fused operations nest in one expression.
// (Before those fixes each of these threw RangeError: Maximum call stack size exceeded.)

import { describe, expect, it } from "vitest";
import { analyze } from "../../compiler/compile.js";
import { compileAndImport } from "../helpers/generated.js";

const HEAD = "model long\ninput x[2]\ntarget y[1]\nparam W[1, 2] ~ glorot_uniform\n";
const N = 8000;

describe("long expressions", () => {
  it(`analyzes a ${N}-term sum, ${N} unary minus signs and a ${N}-term constant argument`, () => {
    const source =
      HEAD +
      `h = W @ x${" + 1".repeat(N)}\n` +
      `loss = mean((h - y)^2) + ${"-".repeat(N)}1\n` +
      `optimizer sgd(lr = 0.1${" + 0".repeat(N)})\n`;
    const { model } = analyze(source, "long.nn");
    expect(model.optimizer.options["learningRate"]).toBeCloseTo(0.1, 12);
    expect(model.params.map((p) => p.name)).toEqual(["W"]);
  });

  it("compiles a 1500-term sum into code that computes it", async () => {
    const terms = 1500;
    const source = HEAD + `h = ${Array.from({ length: terms }, () => "W @ x").join(" + ")}\nloss = mean((h - y)^2)\n`;
    const { mod, code } = await compileAndImport(source, "long.nn", { format: false });
    // No expression nests more than the lowering's bound (32 fused ops) deep.
    let depth = 0;
    let deepest = 0;
    for (const ch of code) {
      if (ch === "(") deepest = Math.max(deepest, ++depth);
      else if (ch === ")") depth--;
    }
    expect(deepest).toBeLessThan(80);
    const params = Float64Array.of(0.5, -0.25);
    const x = [2, 4];
    const out = mod.predict(params, x)[0]!;
    expect(out).toBeCloseTo(terms * (0.5 * 2 - 0.25 * 4), 9);
    expect(mod.loss(params, x, [1])).toBeCloseTo((out - 1) ** 2, 6);
  });
});
