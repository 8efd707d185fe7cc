// The TensorFlow.js judge, exporting: `nnc export --format tfjs` of nnc's examples, of a model
// with every layer pattern the exporter writes and of two CNNs (MNIST-like, every image pattern)
// loads in tf.loadLayersModel and predicts what nnc predicts (1e-5 relative: the file holds
// float32 weights); its training config compiles in tfjs, and a few epochs of tfjs' fit from
// there end at nnc's fit's weights. Round trip: the export imported back (`nnc import`) is the
// same model: the same parameters (by name, float32), predictions and gradients.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyze } from "../../compiler/compile.js";
import { layoutOf } from "../../compiler/interop/layout.js";
import { exportTfjs } from "../../compiler/interop/tfjs/export.js";
import { importTfjs } from "../../compiler/interop/tfjs/import.js";
import { compileAndImport, type GeneratedModule } from "../helpers/generated.js";
import { oneHot, randomMatrix, tf, useCpuBackend } from "../oracle/tfjs.js";
import { expectAgree, expectSameParams, inLayoutOf, loadImported, meanGradient, transposed } from "./helpers.js";
import { load } from "./tfjs-files.js";
import { CNN_MODEL, LAYERS_MODEL, MNIST_CNN_MODEL } from "../../scripts/interop/export-models.js";

let dir = "";
beforeAll(async () => {
  await useCpuBackend();
  dir = mkdtempSync(join(tmpdir(), "nnc-tfjs-export-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function exported(name: string, source: string, seed: number) {
  const { model } = analyze(source, `${name}.nn`);
  const { mod } = await compileAndImport(source, `${name}.nn`);
  const params = mod.init(seed);
  const { json, bin, notes } = exportTfjs(model, layoutOf(model), params, `${name}.weights.bin`);
  const file = join(dir, `${name}.json`);
  writeFileSync(join(dir, `${name}.weights.bin`), bin);
  writeFileSync(file, json);
  return { mod, params, file, notes, shape: [...model.input.shape] };
}

const examples = ["parity", "xor", "iris", "iris_regularized", "mnist"].map((name) => ({ name, source: readFileSync(new URL(`../../dsl-examples/${name}.nn`, import.meta.url), "utf8") }));

describe("nnc models exported for TensorFlow.js (the tfjs judge)", () => {
  const models = [...examples, { name: "layers", source: LAYERS_MODEL }, { name: "mnist_cnn", source: MNIST_CNN_MODEL }, { name: "cnn", source: CNN_MODEL }];
  it.each(models)("$name loads in tfjs and predicts as nnc does; imported back, it is the same model", async ({ name, source }) => {
    const { mod, params, file, shape } = await exported(name, source, 5);
    const net = await load(file);
    const xs = randomMatrix(name.includes("mnist") ? 3 : 8, shape.reduce((a, b) => a * b, 1), 21, 0, 1);
    // Images as tfjs takes them: [N, height, width, channels], nnc's layout too.
    const theirs = tf.tidy(() => (net.predict(tf.tensor(xs.flat(), [xs.length, ...shape])) as tf.Tensor).dataSync());
    const ours = mod.predictBatch(params, xs);
    expectAgree(`tfjs export ${name}: predictions`, ours, theirs, 1e-5);
    // Round trip: the same parameters and predictions, and (for a model with a built-in loss) the same gradients.
    const back = await loadImported(importTfjs(file, join(dir, `${name}-back.nn`)));
    // xor's raw `W1 @ x + b1` comes back as a Dense layer, with the layer's names for its weights.
    if (name !== "xor") expectSameParams(mod, params, back.mod, back.params, `tfjs round trip ${name}`);
    expectAgree(`tfjs round trip ${name}: predictions`, back.mod.predictBatch(back.params, xs), ours, 1e-5);
    if (name === "xor") return; // a hand-written loss does not travel (see the last test)
    const outSize = ours.length / xs.length;
    const ys = name === "iris_regularized" ? xs.map((_, i) => [i % 3]) : oneHot(xs.map((_, i) => i % outSize), outSize);
    if (/dropout\(/.test(source)) {
      // The export is the inference model: dropout stays behind, so compare the inference loss.
      const loss = (m: GeneratedModule, p: Float64Array) => xs.map((x, i) => m.loss(p, x, ys[i]!));
      expectAgree(`tfjs round trip ${name}: inference loss`, loss(back.mod, back.params), loss(mod, params), 1e-5);
      return;
    }
    const a = meanGradient(mod, params, xs, ys);
    const b = meanGradient(back.mod, back.params, xs, ys);
    expectAgree(`tfjs round trip ${name}: loss`, [b.loss], [a.loss], 1e-5);
    expectAgree(`tfjs round trip ${name}: gradients`, inLayoutOf(back.mod, b.grad, mod), a.grad, 1e-5, 1e-2);
  });

  const CNN_FIT = `model cnn_fit
input  x[8, 8, 2]
target y[2]
c1  = conv2d(x, 3, 3, padding = same, activation = relu)
p1  = max_pool2d(c1, 2)
c2  = conv2d(p1, 4, [2, 3], strides = 2, activation = tanh, l2 = 0.01)
out = dense(flatten(c2), 2, softmax)
loss categorical_crossentropy(out, y)
optimizer sgd(lr = 0.1, momentum = 0.9)
`;
  it.each([
    { name: "fit", source: LAYERS_MODEL.replace("model layers", "model fit") },
    { name: "cnn_fit", source: CNN_FIT },
  ])("$name: the training config compiles in tfjs, and three epochs of tfjs' fit end where nnc's fit does", async ({ name, source }) => {
    const { mod, params, file, shape } = await exported(name, source, 6);
    const net = await load(file);
    expect(net.optimizer?.getClassName()).toBe("Momentum");
    const xs = randomMatrix(10, shape.reduce((a, b) => a * b, 1), 22);
    const ys = oneHot(xs.map((_, i) => i % 2), 2);
    await net.fit(tf.tensor(xs.flat(), [xs.length, ...shape]), tf.tensor2d(ys), { epochs: 3, batchSize: 10, shuffle: false, verbose: 0 });
    mod.fit(params, xs, ys, { epochs: 3, batchSize: "full", shuffle: false });
    // Each tfjs layer with weights is named after nnc's (W_h or K_h, and b_h: layer h).
    const param = (n: string) => mod.model.params.find((p) => p.name === n);
    let compared = 0;
    for (const layer of net.layers.filter((l) => l.getWeights().length > 0)) {
      const [kernel, bias] = layer.getWeights().map((w) => w.dataSync());
      const W = param(`W_${layer.name}`) ?? param(`K_${layer.name}`)!;
      // A Dense kernel is nnc's W transposed; a Conv2D kernel is nnc's K as it is.
      const theirs = W.shape.length === 2 ? transposed(kernel!, W.shape[1]!, W.shape[0]!) : kernel!;
      expectAgree(`tfjs fit ${name}: ${layer.name} kernel`, params.subarray(W.offset, W.offset + W.size), theirs, 1e-4, 1);
      compared++;
      if (bias) {
        const b = param(`b_${layer.name}`)!;
        expectAgree(`tfjs fit ${name}: ${layer.name} bias`, params.subarray(b.offset, b.offset + b.size), bias, 1e-4, 1);
        compared++;
      }
    }
    expect(compared).toBe(mod.model.params.length);
  });

  it("a hand-written loss is noted, not exported; a model tfjs layers cannot express is refused with its line", async () => {
    const { notes } = await exported("xor-notes", examples.find((e) => e.name === "xor")!.source, 1);
    expect(notes).toEqual(["the loss is written by hand, so model.json has no training config"]);
    const { model } = analyze("model m\ninput x[2]\ntarget y[2]\nh = dense(x, 2)\nout = exp(h) - h\nloss mse(out, y)\n", "m.nn");
    expect(() => exportTfjs(model, layoutOf(model), new Float64Array(6), "m.bin")).toThrow(/^m\.nn:5: 'out = exp\(h\) - h': computes sub, which no TensorFlow\.js layer nnc writes can express .* export this model as ONNX instead$/);
  });
});

