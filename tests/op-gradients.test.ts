// Every op's derivative rule against central finite differences at random points.
// A new differentiable op without a row in tests/helpers/op-cases.ts fails the coverage test below.

import { describe, expect, it } from "vitest";
import type { Node } from "../compiler/ir/node.js";
import { sizeOf } from "../compiler/ir/node.js";
import { allOps, newGraph } from "../compiler/ops/registry.js";
import { differentiateLoss } from "../compiler/passes/autodiff.js";
import { rewrite } from "../compiler/passes/rewrite.js";
import { evaluate } from "../compiler/interpret.js";
import { finiteDifferences, relError, testRandom } from "./helpers/fd.js";
import { CASES, type Case, sample } from "./helpers/op-cases.js";

/** Ops whose derivative is zero almost everywhere, or that are leaves / not differentiable in their input. */
const NOT_DIFFERENTIABLE = new Set(["input", "param", "const", "dropout_mask", "batch_size", "step", "sign", "leaky_slope", "elu_slope", "in_range", "onehot"]);

function check(c: Case, seed: number, simplified: boolean): number {
  const random = testRandom(seed);
  const g = newGraph();
  const params = c.shapes.map((s, i) => g.param(`a${i}`, s));
  const y = c.build(g, params);
  // loss = Σ w ⊙ op(args) with random weights, so every output element matters differently.
  const w = g.param("w", y.shape);
  let loss = g.sum(g.mul(w, y));
  const { byParam } = differentiateLoss(g, loss, params);
  let grads = params.map((p) => byParam.get(p.id)!);
  if (simplified) {
    const out = rewrite(g, [loss, ...grads]);
    [loss, ...grads] = out.roots as [Node, ...Node[]];
  }
  const values = new Map<string, Float64Array>();
  c.shapes.forEach((s, i) => values.set(`a${i}`, Float64Array.from({ length: sizeOf(s) }, () => sample(random, c.domain?.[i] ?? "any"))));
  values.set("w", Float64Array.from({ length: sizeOf(y.shape) }, () => sample(random, "any")));
  const env = { values };
  const result = evaluate([loss, ...grads], env);
  let worst = 0;
  params.forEach((p, i) => {
    const v = values.get(`a${i}`)!;
    const fd = finiteDifferences(() => evaluate([loss], env).get(loss.id)![0]!, v);
    const analytic = result.get(grads[i]!.id)!;
    expect(analytic.length).toBe(fd.length);
    for (let k = 0; k < fd.length; k++) worst = Math.max(worst, relError(analytic[k]!, fd[k]!));
    void p;
  });
  return worst;
}

describe("derivative rules match central finite differences", () => {
  for (const c of CASES) {
    const label = `${c.op}(${c.shapes.map((s) => `[${s.join(",")}]`).join(", ")})`;
    it(`${label}`, () => {
      for (let seed = 1; seed <= 5; seed++) {
        expect(check(c, seed * 7919 + c.op.length, false)).toBeLessThan(1e-6);
        expect(check(c, seed * 104729 + 1, true)).toBeLessThan(1e-6);
      }
    });
  }

  it("covers every differentiable op in the op table", () => {
    const covered = new Set(CASES.map((c) => c.op));
    // Rows ops exist only in batched kernels, after differentiation.
    const missing = allOps()
      .filter((op) => op.kind !== "rows")
      .map((op) => op.name)
      .filter((name) => !covered.has(name) && !NOT_DIFFERENTIABLE.has(name));
    expect(missing).toEqual([]);
  });
});
