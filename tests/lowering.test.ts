// Lowering strategies compute the same numbers: unrolled, loops, mixed and split per-sample
// kernels against the reference interpreter, and the batched (matrix-matrix) kernels against
// the per-sample ones (predictions, summed losses, summed gradients via a recording optimizer).

import { describe, expect, it } from "vitest";
import { analyze, compile, type CompileOptions } from "../compiler/compile.js";
import { evaluate as interpret } from "../compiler/interpret.js";
import { FUNCTION_TOKEN_BUDGET } from "../compiler/lower/budget.js";
import { tokensOfText } from "./helpers/tokens.js";
import { relError, testRandom } from "./helpers/fd.js";
import { importCode } from "./helpers/generated.js";

const MODELS: Record<string, string> = {
  // Several small layers: too big for one function, each op small enough to stay unrolled (split).
  deep: `model deep
input x[8]
target y[4]
h1 = dense(x, 16, relu)
h2 = dense(h1, 16, elu)
h3 = dense(h2, 16, tanh)
h4 = dense(h3, 16, sigmoid)
out = dense(h4, 4, softmax)
loss categorical_crossentropy(out, y)
optimizer adam(lr = 0.01)
`,
  // A hidden layer too wide to unroll (mixed: loops and unrolled ops), L2 penalty, dropout, softmax.
  wide: `model wide
input x[12]
target y[5]
h = dense(x, 96, tanh, l2 = 0.001)
d = dropout(h, 0.25)
out = dense(d, 5, softmax)
loss categorical_crossentropy(out, y)
optimizer sgd(lr = 0.1)
`,
  // Hand-written math with a penalty and a subtraction in the gradient.
  math: `model math
input x[7]
target y[3]
param W1[9, 7] ~ glorot_uniform
param b1[9] ~ zeros
param W2[3, 9] ~ glorot_uniform
hh = sigmoid(W1 @ x + b1)
p = W2 @ hh
loss = mean((p - y) ^ 2) + 1e-3 * sum(W1 ^ 2) - 1e-3 * sum(abs(W2))
optimizer sgd(lr = 0.1)
`,
  // A reduction of a layer's output: its gradient is a broadcast, which the batched weight
  // gradient (a matrix product) needs in memory. (Once: "internal error: stored index map broadcast".)
  reduced: `model reduced
input x[60]
target y[1]
out = dense(x, 9)
loss = mean((sum(out) - y) ^ 2)
`,
};

async function load(name: string, options: CompileOptions) {
  const compiled = await compile(MODELS[name]!, `${name}.nn`, { format: false, ...options });
  return { compiled, mod: await importCode(compiled.code) };
}

function sample(random: () => number, n: number) {
  return Array.from({ length: n }, () => random() * 2 - 1);
}

describe.each([
  ["deep", "auto"],
  ["wide", "auto"],
  ["wide", "never"],
  ["math", "always"],
  ["math", "never"],
] as const)("per-sample kernels of %s with --unroll %s", (name, unroll) => {
  it("match the reference interpreter", async () => {
    const { compiled, mod } = await load(name, { unroll, batch: "never" });
    const { model, derived } = analyze(MODELS[name]!, `${name}.nn`);
    const random = testRandom(5);
    const params = mod.init(3);
    const x = sample(random, model.input.shape[0]!);
    const y = Array.from({ length: model.target.shape[0]! }, (_, i) => (i === 1 ? 1 : 0));
    const values = new Map<string, Float64Array>([
      [model.input.name, Float64Array.from(x)],
      [model.target.name, Float64Array.from(y)],
    ]);
    for (const p of mod.model.params) values.set(p.name, params.subarray(p.offset, p.offset + p.size));
    const ref = interpret([derived.inferLoss, derived.predict], { values });
    expect(relError(mod.loss(params, x, y), ref.get(derived.inferLoss.id)![0]!)).toBeLessThan(1e-12);
    const out = mod.predict(params, x);
    ref.get(derived.predict.id)!.forEach((v, i) => expect(relError(out[i]!, v)).toBeLessThan(1e-12));
    if (unroll === "auto") expect(compiled.strategy).toBe(name === "deep" ? "split" : "mixed");
  });
});

describe("split kernels", () => {
  it("keep every generated function within the token budget", async () => {
    const { compiled } = await load("deep", { batch: "never" });
    const bodies = compiled.code.split(/\n(?=function )/).filter((f) => /^function \w+Sample/.test(f));
    expect(bodies.length).toBeGreaterThan(3);
    for (const f of bodies) expect(tokensOfText(f.split("\n"))).toBeLessThanOrEqual(FUNCTION_TOKEN_BUDGET + 50);
  });
});

describe.each(["deep", "wide", "math", "reduced"])("batched kernels of %s", (name) => {
  it("predict, sum losses and sum gradients as the per-sample kernels do", async () => {
    const { mod: batched, compiled } = await load(name, { batch: "always" });
    const { mod: single } = await load(name, { batch: "never" });
    expect(compiled.batched).toBe(true);
    const random = testRandom(11);
    const inSize = batched.model.params.length > 0 ? compiled.model.input.shape[0]! : 0;
    const outSize = compiled.model.target.shape[0]!;
    const n = 7; // odd: exercises the remainder rows of every tile
    const xs = Array.from({ length: n }, () => sample(random, inSize));
    const ys = Array.from({ length: n }, (_, r) => Array.from({ length: outSize }, (_, i) => (i === r % outSize ? 1 : 0)));
    const params = batched.init(2);

    const pb = batched.predictBatch(params, xs);
    const ps = single.predictBatch(params, xs);
    pb.forEach((v, i) => expect(relError(v, ps[i]!)).toBeLessThan(1e-12));
    expect(relError(batched.evaluate(params, xs, ys).loss, single.evaluate(params, xs, ys).loss)).toBeLessThan(1e-12);

    // A recording optimizer sees the batch-mean gradient; the trainer draws dropout from the same seed.
    const meanGrad = async (mod: typeof batched) => {
      let seen = new Float64Array(0);
      const optimizer = { step: (_p: Float64Array, g: Float64Array) => void (seen = g.slice()), iterations: 0, learningRate: 0 };
      const trainer = mod.createTrainer(params.slice(), { optimizer, seed: 4 });
      const loss = trainer.step(Float64Array.from(xs.flat()), Float64Array.from(ys.flat()), n);
      return { loss, seen };
    };
    const a = await meanGrad(batched);
    const b = await meanGrad(single);
    expect(relError(a.loss, b.loss)).toBeLessThan(1e-12);
    expect(a.seen.length).toBe(params.length);
    a.seen.forEach((v, i) => expect(Math.abs(v - b.seen[i]!)).toBeLessThan(1e-12 * (1 + Math.abs(b.seen[i]!))));
  });
});
