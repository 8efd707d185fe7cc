// Very long expressions compile without overflowing the stack anywhere in the pipeline:
// elaboration walks left-folded chains and unary chains with loops, constant arguments are
// folded iteratively, every analysis of the graph (batching, naming) visits nodes inputs-first
// without recursion, lowering bounds how deeply fused operations nest in one expression, and
// `nnc grad` gives a deep expression equations of its own. (Each of these once threw
// RangeError: Maximum call stack size exceeded.)

import { describe, expect, it } from "vitest";
import { analyze, type CompileOptions } from "../../compiler/compile.js";
import { gradReport } from "../../compiler/cli/grad-command.js";
import { compileAndImport } from "../helpers/generated.js";

const HEAD = "model long\ninput x[2]\ntarget y[1]\nparam W[1, 2] ~ glorot_uniform\n";
const N = 8000;
const params = Float64Array.of(0.5, 0.25);
const x = [2, 4];

/** The deepest nesting of parentheses in generated code. */
function deepestParentheses(code: string): number {
  let depth = 0;
  let deepest = 0;
  for (const ch of code) {
    if (ch === "(") deepest = Math.max(deepest, ++depth);
    else if (ch === ")") depth--;
  }
  return deepest;
}

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

  // W x = 0.5·2 + 0.25·4 = 2 for the parameters and input above.
  const terms = 10_000;
  const sum = HEAD + `h = ${Array.from({ length: terms }, () => "W @ x").join(" + ")}\nloss = mean((h - y)^2)\n`;
  it.each<[string, CompileOptions]>([
    ["batched kernels", { batch: "always" }],
    ["per-sample loops", { batch: "never", unroll: "never" }],
  ])(`compiles a ${terms}-term sum into %s that compute it`, async (_what, options) => {
    const { mod, code } = await compileAndImport(sum, "long.nn", { format: false, ...options });
    // No expression nests more than the lowering's bound (32 fused ops) deep.
    expect(deepestParentheses(code)).toBeLessThan(80);
    const out = mod.predict(params, x)[0]!;
    expect(out).toBeCloseTo(terms * 2, 6);
    expect(mod.loss(params, x, [1])).toBeCloseTo((out - 1) ** 2, 0);
    const g = new Float64Array(2);
    mod.grad(params, x, [1], g);
    // ∂/∂W (terms·W x − 1)² = 2 (terms·2 − 1) · terms · x
    expect(g[0]! / (2 * (terms * 2 - 1) * terms * 2)).toBeCloseTo(1, 9);
    expect(g[1]! / (2 * (terms * 2 - 1) * terms * 4)).toBeCloseTo(1, 9);
  });

  it("compiles 5000 chained statements, and nnc grad prints them", async () => {
    const steps = 5000;
    // h_{k+1} = h_k · 1 + 0.001 from h_0 = W x = 2: h_steps = 2 + 5.
    const chain = HEAD + "h0 = W @ x\n" + Array.from({ length: steps }, (_, i) => `h${i + 1} = h${i} * 1 + 0.001`).join("\n") + `\nloss = mean((h${steps} - y)^2)\n`;
    const { mod } = await compileAndImport(chain, "long.nn", { format: false, batch: "always" });
    expect(mod.predict(params, x)[0]).toBeCloseTo(2 + steps * 0.001, 9);
    const text = await gradReport(chain, "long.nn");
    expect(text).toContain("∂L/∂W");
    expect((await gradReport(sum, "long.nn")).split("\n").length).toBeGreaterThan(10);
  });
});
