// How values are named, in `nnc grad` and in the buffers of generated code: a forward value
// never reads as a gradient (once `out − y`, found equal to the adjoint δz_out by a rewrite,
// took its name and showed as `δz_out = W_out x + b_out − y` in the forward pass); a stored
// value with no name of its own is named after an operand that has one (`2 * x` is mul_x, not
// t18); and what a reshape shows is named as the reshape, per sample as in batched code.

import { describe, expect, it } from "vitest";
import { analyze, lowerSource } from "../../compiler/compile.js";
import { derivation as derive } from "../../compiler/explain/derivation.js";
import { topoOrder } from "../../compiler/ir/node.js";
import { STRATEGIES } from "../helpers/agree.js";
import { ALL_MODELS } from "../explain/helpers.js";

const MODELS = [
  // Not the MNIST CNN: too large to unroll per sample (`--unroll always` refuses it, C13); the
  // small image model below has the same layers.
  ...ALL_MODELS.filter((m) => m.name !== "mnist_cnn"),
  // mse of a layer's output: the loss's residual is also its adjoint
  { name: "residual", file: "residual.nn", source: "model residual\ninput x[3]\ntarget y[2]\nout = dense(x, 2)\nloss mse(out, y)\n" },
  { name: "wide residual", file: "wide.nn", source: "model wide\ninput x[30]\ntarget y[20]\nh = dense(x, 40, tanh)\nout = dense(h, 20)\nloss mse(out, y)\n" },
  // an image model whose output is flattened (a reshape) before the last layer
  {
    name: "image",
    file: "image.nn",
    source: `model image\ninput x[6, 6, 1]\ntarget y[2]\nh = conv2d(x, 2, 3, activation = tanh)\np = max_pool2d(h, 2)\nout = dense(flatten(p), 2)\nloss mse(out, y)\n`,
  },
];

/** The names the derivation would give an adjoint: d + a value's name (δ in math). */
function adjointNames(names: ReadonlyMap<number, string>, params: readonly string[]): Set<string> {
  return new Set([...names.values(), ...params].map((n) => `d${n}`));
}

describe.each(MODELS)("value names of $name", (m) => {
  const { model, derived } = analyze(m.source, m.file);
  const params = model.params.map((p) => p.name);

  it("give no forward value a gradient's name, in nnc grad and in every strategy's buffers", () => {
    const derivation = derive(model, derived);
    expect(derivation.forward.map((e) => e.lhs).filter((lhs) => lhs.startsWith("δ"))).toEqual([]);
    const adjoints = adjointNames(derived.names, params);
    const roots = [derived.predict, derived.inferLoss, derived.trainLoss, derived.trainOutput, ...derived.grads.values()];
    const forward = topoOrder(roots).filter((n) => n.role === "forward" && derived.names.has(n.id));
    expect(forward.map((n) => derived.names.get(n.id)!).filter((name) => adjoints.has(name))).toEqual([]);
    for (const [, options] of STRATEGIES) {
      const { program } = lowerSource(m.source, m.file, options);
      expect(program.buffers.filter((b) => b.role === "forward" && adjoints.has(b.name)).map((b) => b.name)).toEqual([]);
    }
  });
});

describe("stored values without a name of their own", () => {
  it("are named after an operand that has one, whichever operand that is", () => {
    const source = "model m\ninput x[5]\ntarget y[1]\nh = dense(x * 2, 4, tanh)\ng = dense(0.5 * h, 3)\nout = dense(g, 1)\nloss mse(out, y)\n";
    for (const [, options] of STRATEGIES) {
      const names = lowerSource(source, "m.nn", options).program.buffers.map((b) => b.name);
      expect(names.filter((n) => /^t\d+$/.test(n))).toEqual([]);
    }
    const batched = lowerSource(source, "m.nn", { batch: "always" }).program.buffers.map((b) => b.name);
    expect(batched).toEqual(expect.arrayContaining(["mul_x", "mul_h"]));
  });

  it("under a reshape are named as the reshape, per sample as in batched code", () => {
    const image = MODELS.find((m) => m.name === "image")!;
    const perSample = lowerSource(image.source, image.file, { batch: "never", unroll: "never" }).program.buffers.map((b) => b.name);
    const batched = lowerSource(image.source, image.file, { batch: "always" }).program.buffers.map((b) => b.name);
    // δp, the gradient of the pooled image, is Wᵀ δz_out seen as [2, 2, 2]: stored under its name.
    expect(perSample).toContain("dp");
    expect(batched).toContain("dp");
    expect(perSample.filter((n) => n.startsWith("matvec_t"))).toEqual([]);
  });
});
