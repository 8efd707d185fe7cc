// The CNN accuracy comparison (bench/mnist-accuracy.ts) builds TensorFlow.js' network from the
// example's model text (bench/cnn-workload.ts cnnExampleNet) and trains it on tfjs' WebAssembly
// backend with our Conv2DBackpropFilter (that backend has none). Here: the text is read into the
// layers nnc compiles, at the offsets of the module's own parameter layout, for the example and
// for the wider and deeper networks the selection may choose; the filter gradient agrees with
// tfjs-backend-cpu's kernel (useWasmConvFilterGrad throws otherwise); and one Adam step of the
// tfjs network from nnc's weights on the wasm backend gives the loss nnc computes.

import { tf } from "../helpers/tfjs-cpu.js";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/compile.js";
import { loadGeneratedModule } from "../../compiler/emit/load-module.js";
import { checkLayout, cnnExampleNet } from "../../bench/cnn-workload.js";
import { useCpu } from "../../bench/peers/tfjs.js";
import { tfjsCnn } from "../../bench/peers/tfjs-cnn.js";
import { useWasm } from "../../bench/peers/tfjs-wasm.js";
import { useWasmConvFilterGrad } from "../../bench/peers/tfjs-wasm-conv-filter-grad.js";
import { ROOT } from "../../scripts/examples.js";

const WIDE_DEEP = `model wide
input  img[28, 28, 1]
target y[10]

c1  = conv2d(img, 32, 3, padding = "same", activation = relu)
p1  = max_pool2d(c1, 2)
c2  = conv2d(p1, 64, 3, activation = relu)
p2  = max_pool2d(c2, 2)
f   = flatten(p2)
h   = dense(f, 128, relu)
d   = dropout(h, 0.5)
out = dense(d, 10, softmax)

loss categorical_crossentropy(out, y)
optimizer adam(lr = 0.002)
metrics accuracy
`;

describe("the CNN accuracy peer", () => {
  it("reads the example's layers at the module's parameter offsets", async () => {
    const text = readFileSync(`${ROOT}dsl-examples/mnist_cnn.nn`, "utf8");
    const mod = await loadGeneratedModule((await compile(text, "mnist_cnn.nn")).code);
    const spec = cnnExampleNet(text);
    expect(() => checkLayout(spec, mod.model.params)).not.toThrow();
    expect(spec.layers.map((l) => l.kind)).toContain("conv");
  });

  it("reads a wider network with a hidden relu layer, and its learning rate", async () => {
    const mod = await loadGeneratedModule((await compile(WIDE_DEEP, "wide.nn")).code);
    const spec = cnnExampleNet(WIDE_DEEP);
    expect(() => checkLayout(spec, mod.model.params)).not.toThrow();
    expect(spec.layers.map((l) => (l.kind === "conv" ? `conv${l.filters}` : l.kind === "dense" ? `dense${l.units}${l.activation}` : l.kind))).toEqual([
      "conv32",
      "maxpool",
      "conv64",
      "maxpool",
      "flatten",
      "dense128relu",
      "dropout",
      "dense10softmax",
    ]);
    expect(spec.optimizer.lr).toBe(0.002);
  });

  it("trains on tfjs' wasm backend to the loss nnc computes after one step", async () => {
    const text = WIDE_DEEP.replace("d   = dropout(h, 0.5)\n", "").replace("dense(d, 10", "dense(h, 10");
    const mod = await loadGeneratedModule((await compile(text, "wide.nn")).code);
    const params = mod.init(3);
    const rows = 8;
    const x = Float64Array.from({ length: rows * 784 }, (_, i) => ((i * 7919) % 256) / 255);
    const y = new Float64Array(rows * 10);
    for (let r = 0; r < rows; r++) y[r * 10 + (r % 10)] = 1;
    await useWasm();
    try {
      await useWasmConvFilterGrad();
      const net = tfjsCnn(cnnExampleNet(text), params);
      await net.fit(x, y, rows, { batchSize: rows, epochs: 1 });
      const theirs = net.evaluate(x, y, rows).loss;
      net.dispose();
      const p = params.slice();
      mod.fit(p, x, y, { epochs: 1, batchSize: rows, shuffle: false });
      const ours = mod.evaluate(p, x, y).loss;
      expect(Math.abs(theirs - ours)).toBeLessThan(1e-4 * Math.max(1, ours));
      expect(Math.abs(ours - mod.evaluate(params, x, y).loss)).toBeGreaterThan(1e-3); // the step moved the loss
    } finally {
      await useCpu();
      expect(tf.getBackend()).toBe("cpu");
    }
  }, 60_000);
});
