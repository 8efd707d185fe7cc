// Image models under every lowering strategy compute what the reference interpreter computes
// (to 1e-12): predictions, inference losses, training losses and per-sample gradients (dropout
// masks replayed), for every model of tests/images/models.ts compiled batched, per-sample as
// loops, per-sample as the compiler chooses, and unrolled where small. Then batched kernels
// against per-sample ones on a minibatch of an odd number of rows (predictions, evaluate's
// loss, and the batch-mean gradient a recording optimizer sees), also with fewer rows per call
// than the batch has (the trainer, predictBatch and evaluate then work in chunks).

import { describe, expect, it } from "vitest";
import { relError, testRandom } from "../helpers/fd.js";
import type { GeneratedModule } from "../helpers/generated.js";
import { moduleOf, randomParams, reference, replayRng, sampleOf, strategiesOf } from "./harness.js";
import { IMAGE_MODELS, type ImageModel } from "./models.js";

/** The largest relError between two arrays (the lengths must match). */
function worst(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let w = 0;
  for (let i = 0; i < a.length; i++) w = Math.max(w, relError(a[i]!, b[i]!));
  return w;
}

describe.each(IMAGE_MODELS.flatMap((m) => strategiesOf(m).map((s) => ({ m, s, name: m.name, label: s.label }))))("$name, $label", ({ m, s }) => {
  it("predicts, and computes losses and per-sample gradients, as the interpreter does", async () => {
    const { mod, batched } = await moduleOf(m, s.options);
    expect(batched).toBe(s.options.batch === "always");
    const random = testRandom(17);
    for (let trial = 0; trial < 2; trial++) {
      const params = randomParams(mod.model.paramCount, 100 + trial);
      const { x, y } = sampleOf(m, random, trial);
      const draws = 500 + trial;
      const ref = reference(m, params, mod.model.params, x, y, draws);
      expect(worst(mod.predict(params, x), ref.predict), "predict").toBeLessThan(1e-12);
      expect(relError(mod.loss(params, x, y), ref.inferLoss), "loss").toBeLessThan(1e-12);
      const g = new Float64Array(params.length);
      expect(relError(mod.grad(params, x, y, g, replayRng(draws)), ref.trainLoss), "training loss").toBeLessThan(1e-12);
      for (const p of mod.model.params) {
        const expected = ref.grads.get(p.name)!;
        expect(worst(g.subarray(p.offset, p.offset + p.size), expected), `∂loss/∂${p.name}`).toBeLessThan(1e-12);
      }
      // Something was compared: the gradient is not all zeros.
      expect(g.some((v) => Math.abs(v) > 1e-6)).toBe(true);
    }
  });
});

const ROWS = 7; // odd: the remainder rows of every register tile

/** Predictions, evaluate's loss and the batch-mean gradient (and loss) of one trainer step on `rows` rows. */
function minibatch(mod: GeneratedModule, m: ImageModel, params: Float64Array, rows = ROWS) {
  const random = testRandom(23);
  const samples = Array.from({ length: rows }, (_, k) => sampleOf(m, random, k));
  const xs = samples.map((s) => s.x);
  const ys = samples.map((s) => s.y);
  let seen = new Float64Array(0);
  const optimizer = { step: (_p: Float64Array, g: Float64Array) => void (seen = g.slice()), iterations: 0, learningRate: 0 };
  // The trainer draws dropout masks from its seed, in the per-sample order in both kinds of kernel.
  const trainer = mod.createTrainer(params.slice(), { optimizer, seed: 4 });
  const stepLoss = trainer.step(Float64Array.from(xs.flat()), Float64Array.from(ys.flat()), rows);
  return { predictions: mod.predictBatch(params, xs), loss: mod.evaluate(params, xs, ys).loss, stepLoss, grad: seen };
}

describe.each(IMAGE_MODELS)("batched kernels of $name", (m) => {
  it.each([
    ["as many as the compiler chooses", undefined],
    ["3, so every call works in chunks", 3],
  ] as const)("match the per-sample kernels on a minibatch of 7 rows (rows per call: %s)", async (_label, maxBatch) => {
    const batched = await moduleOf(m, { batch: "always" }, maxBatch);
    const single = await moduleOf(m, { batch: "never" });
    expect(batched.batched).toBe(true);
    if (maxBatch !== undefined) expect(batched.maxBatch).toBe(maxBatch);
    else expect(batched.maxBatch).toBeGreaterThan(ROWS);
    const params = randomParams(batched.mod.model.paramCount, 7);
    const a = minibatch(batched.mod, m, params);
    const b = minibatch(single.mod, m, params);
    expect(a.predictions.length).toBe(ROWS * (b.predictions.length / ROWS));
    expect(worst(a.predictions, b.predictions), "predictions").toBeLessThan(1e-12);
    expect(relError(a.loss, b.loss), "evaluate's loss").toBeLessThan(1e-12);
    expect(relError(a.stepLoss, b.stepLoss), "the step's loss").toBeLessThan(1e-12);
    expect(a.grad.length).toBe(params.length);
    expect(worst(a.grad, b.grad), "batch-mean gradient").toBeLessThan(1e-12);
    expect(b.grad.some((v) => Math.abs(v) > 1e-6)).toBe(true);
  });
});

describe("a model whose buffers would pass 48 MB at 256 rows", () => {
  it("gets fewer rows per call, and a minibatch of more rows than that still matches the per-sample kernels", async () => {
    const m = IMAGE_MODELS.find((x) => x.name === "mnist_sized")!;
    const batched = await moduleOf(m, { batch: "always" });
    const single = await moduleOf(m, { batch: "never" });
    expect(batched.maxBatch).toBeLessThan(256);
    const rows = 2 * batched.maxBatch + 3;
    const params = randomParams(batched.mod.model.paramCount, 8);
    const a = minibatch(batched.mod, m, params, rows);
    const b = minibatch(single.mod, m, params, rows);
    expect(a.predictions.length).toBe(rows * 10);
    expect(worst(a.predictions, b.predictions), "predictions").toBeLessThan(1e-12);
    expect(relError(a.loss, b.loss), "evaluate's loss").toBeLessThan(1e-12);
    expect(relError(a.stepLoss, b.stepLoss), "the step's loss").toBeLessThan(1e-12);
    expect(worst(a.grad, b.grad), "batch-mean gradient").toBeLessThan(1e-12);
  });
});

describe("the table", () => {
  it("reaches every per-sample strategy the compiler chooses: unrolled, mixed and split", async () => {
    const chosen = new Set<string>();
    for (const m of IMAGE_MODELS) chosen.add((await moduleOf(m, { batch: "never" })).strategy);
    expect([...chosen].sort()).toEqual(["mixed", "split", "unrolled"]);
  });
});
