// conv2d and flatten against TensorFlow.js (tfjs-layers on the cpu backend, float32): the same
// weights and inputs give the same outputs, losses and gradients, within float32 precision
// (relative 1e-4, see tfjs.ts expectClose). Pooling is in pool.test.ts, a whole CNN in cnn.test.ts.
//
// - conv2d: tf.layers.conv2d over strides, both paddings, dilation, non-square kernels, several
//   channel counts and activations, with and without bias; nnc's kernel [kh, kw, in, out] is
//   Keras' layout, so the values are copied as they are. Loss: mse of the flattened output.
// - flatten: a dense layer over a flattened image (Keras flattens channels last, row-major, as
//   nnc does; another order would scramble the dense weights). nnc's dense W is [out, in],
//   Keras' kernel [in, out]: transposed at the boundary (tfjs-images.ts).
//
// Where TensorFlow.js falls short of Keras: it has no gradient for dilated convolutions, so for
// those the reference gradient is tfjs' gradient of the same convolution with the kernel dilated
// by hand (dilatedLossAndGrads, below). Where nnc differs from Keras, kept out of the comparison:
// nnc accepts strides > 1 together with dilation > 1, which Keras and tfjs refuse
// (tests/images/ checks it against the interpreter).
//
// NNC_ORACLE_REPORT=1 npx vitest run tests/oracle/conv.test.ts prints the largest differences.

import { afterAll, beforeAll, describe, it } from "vitest";
import { compileAndImport, type GeneratedModule } from "../helpers/generated.js";
import { expectClose, ourBatchGradient, randomMatrix, tf, tfl, useCpuBackend } from "./tfjs.js";
import { copyLayerWeights, imageBatch, measured, reportMeasured, slot, tfLossAndGrads } from "./tfjs-images.js";

beforeAll(useCpuBackend);
afterAll(() => reportMeasured("conv.test.ts"));

const close = (ours: ArrayLike<number>, theirs: ArrayLike<number>, what: string) => measured.set(what, expectClose(ours, theirs, what));

/** Values float32 can hold exactly, so that tfjs starts from the very numbers nnc does. */
const f32 = (rows: number[][]) => rows.map((r) => r.map(Math.fround));
const ROWS = 5;

type Pair = [number, number];
interface ConvCase {
  input: [number, number, number];
  filters: number;
  kernel: Pair;
  strides: Pair;
  padding: "valid" | "same";
  dilation: Pair;
  activation: "linear" | "relu" | "tanh" | "sigmoid" | "elu" | "softplus";
  bias: boolean;
}

/** TensorFlow's output size along one axis (independent of nnc's geometry code). */
function outSize(size: number, k: number, stride: number, dilation: number, padding: string): number {
  return padding === "same" ? Math.ceil(size / stride) : Math.floor((size - (k - 1) * dilation - 1) / stride) + 1;
}

const CONV_CASES: Record<string, ConvCase> = {
  "valid, stride 1, relu": { input: [6, 6, 1], filters: 3, kernel: [3, 3], strides: [1, 1], padding: "valid", dilation: [1, 1], activation: "relu", bias: true },
  "same, stride 2 on odd sizes, tanh, 3 channels in": { input: [7, 5, 3], filters: 2, kernel: [3, 3], strides: [2, 2], padding: "same", dilation: [1, 1], activation: "tanh", bias: true },
  "same, strides [2, 1], kernel [2, 3], sigmoid": { input: [6, 7, 2], filters: 4, kernel: [2, 3], strides: [2, 1], padding: "same", dilation: [1, 1], activation: "sigmoid", bias: true },
  "valid, strides [1, 3], kernel [3, 2], elu": { input: [7, 8, 2], filters: 2, kernel: [3, 2], strides: [1, 3], padding: "valid", dilation: [1, 1], activation: "elu", bias: true },
  "valid, dilation 2, softplus": { input: [8, 7, 2], filters: 3, kernel: [3, 2], strides: [1, 1], padding: "valid", dilation: [2, 2], activation: "softplus", bias: true },
  "same, dilation [2, 1], linear, no bias": { input: [6, 6, 3], filters: 2, kernel: [3, 3], strides: [1, 1], padding: "same", dilation: [2, 1], activation: "linear", bias: false },
  "same, stride 3 with a 2×2 kernel (rows no window reads), relu": { input: [7, 8, 2], filters: 3, kernel: [2, 2], strides: [3, 3], padding: "same", dilation: [1, 1], activation: "relu", bias: true },
  "valid, a kernel as large as the image": { input: [4, 5, 3], filters: 2, kernel: [4, 5], strides: [1, 1], padding: "valid", dilation: [1, 1], activation: "tanh", bias: true },
  "valid, stride 2, a 1×1 kernel, 4 channels to 5": { input: [5, 5, 4], filters: 5, kernel: [1, 1], strides: [2, 2], padding: "valid", dilation: [1, 1], activation: "relu", bias: true },
};

function convSource(c: ConvCase): string {
  const [H, W, C] = c.input;
  const n = outSize(H, c.kernel[0], c.strides[0], c.dilation[0], c.padding) * outSize(W, c.kernel[1], c.strides[1], c.dilation[1], c.padding) * c.filters;
  const list = (p: Pair) => `[${p.join(", ")}]`;
  return `model conv
input img[${H}, ${W}, ${C}]
target y[${n}]
c = conv2d(img, ${c.filters}, ${list(c.kernel)}, strides = ${list(c.strides)}, padding = "${c.padding}", dilation_rate = ${list(c.dilation)}, activation = ${c.activation}, use_bias = ${c.bias})
out = flatten(c)
loss mse(out, y)
`;
}

const ACTIVATION: Record<ConvCase["activation"], (z: tf.Tensor) => tf.Tensor> = {
  linear: (z) => z,
  relu: tf.relu,
  tanh: tf.tanh,
  sigmoid: tf.sigmoid,
  elu: tf.elu,
  softplus: tf.softplus,
};

/**
 * tfjs has no gradient for dilated convolutions ("dilation rates greater than 1 are not yet
 * supported in gradients"), so for those the reference is tf.conv2d with the kernel dilated by
 * hand: zeros between the taps, [(kh − 1)·dh + 1, (kw − 1)·dw + 1, in, out], which is the same
 * convolution (and the same "same" padding, computed from that effective size). ∂loss/∂K is its
 * gradient at the real taps. Its output must equal the layer's (`layerOutput`) first.
 */
function dilatedLossAndGrads(mod: GeneratedModule, c: ConvCase, params: Float64Array, x: tf.Tensor, ys: number[][], layerOutput: tf.Tensor) {
  const [kh, kw] = c.kernel;
  const [dh, dw] = c.dilation;
  const [C, F] = [c.input[2], c.filters];
  const [eh, ew] = [(kh - 1) * dh + 1, (kw - 1) * dw + 1];
  const K = slot(mod, "K_c");
  const wide = new Array<number>(eh * ew * C * F).fill(0);
  const at = (ky: number, kx: number, ch: number, f: number) => ((ky * dh * ew + kx * dw) * C + ch) * F + f;
  for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) for (let ch = 0; ch < C; ch++) for (let f = 0; f < F; f++) wide[at(ky, kx, ch, f)] = params[K.offset + ((ky * kw + kx) * C + ch) * F + f]!;
  const kernel = tf.variable(tf.tensor4d(wide, [eh, ew, C, F]));
  const bias = tf.variable(c.bias ? tf.tensor1d(Array.from(params.subarray(slot(mod, "b_c").offset))) : tf.zeros([F]));
  const y = tf.tensor2d(ys);
  const forward = () => tf.reshape(ACTIVATION[c.activation](tf.add(tf.conv2d(x as tf.Tensor4D, kernel, c.strides, c.padding), bias)), [ys.length, -1]);
  const same = forward();
  close(same.dataSync(), layerOutput.dataSync(), `conv2d dilated by hand ${JSON.stringify(c.dilation)}: outputs as the layer's`);
  // Keras' mean_squared_error: the mean over each row, then over the rows.
  const { value, grads } = tf.variableGrads(() => tf.mean(tf.squaredDifference(forward(), y)) as tf.Scalar, [kernel, bias]);
  const gWide = grads[kernel.name]!.dataSync();
  const grad = new Float64Array(mod.model.paramCount).fill(NaN);
  for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) for (let ch = 0; ch < C; ch++) for (let f = 0; f < F; f++) grad[K.offset + ((ky * kw + kx) * C + ch) * F + f] = gWide[at(ky, kx, ch, f)]!;
  if (c.bias) grad.set(grads[bias.name]!.dataSync(), slot(mod, "b_c").offset);
  const result = { loss: value.dataSync()[0]!, grad };
  tf.dispose([kernel, bias, y, same, value, ...Object.values(grads)]);
  return result;
}

describe("conv2d vs tf.layers.conv2d", () => {
  for (const [label, c] of Object.entries(CONV_CASES)) {
    it(label, async () => {
      const { mod } = await compileAndImport(convSource(c), "conv.nn", { format: false });
      const params = Float64Array.from(f32(randomMatrix(1, mod.model.paramCount, 61, -0.7, 0.7))[0]!);
      const inSize = c.input[0] * c.input[1] * c.input[2];
      const outputs = mod.predictBatch(params, [new Array(inSize).fill(0)]).length;
      const xs = f32(randomMatrix(ROWS, inSize, 62, -1, 1));
      const ys = f32(randomMatrix(ROWS, outputs, 63, -1, 1));
      const net = tfl.sequential({
        layers: [
          tfl.layers.conv2d({ inputShape: c.input, filters: c.filters, kernelSize: c.kernel, strides: c.strides, padding: c.padding, dilationRate: c.dilation, activation: c.activation, useBias: c.bias }),
          tfl.layers.flatten(),
        ],
      });
      net.compile({ optimizer: "sgd", loss: "meanSquaredError" });
      const map: [string, string | null][] = [["K_c", c.bias ? "b_c" : null]];
      copyLayerWeights(mod, params, net, map);
      const x = imageBatch(xs, c.input);
      const predicted = net.predict(x) as tf.Tensor;
      close(mod.predictBatch(params, xs), predicted.dataSync(), `conv2d ${label}: outputs`);
      const ours = ourBatchGradient(mod, params, xs, ys);
      const dilated = c.dilation[0] > 1 || c.dilation[1] > 1;
      const theirs = dilated ? dilatedLossAndGrads(mod, c, params, x, ys, predicted) : tfLossAndGrads(mod, net, map, c.input, xs, ys);
      close([ours.loss], [theirs.loss], `conv2d ${label}: loss`);
      close(ours.grad.subarray(0, slot(mod, "K_c").size), theirs.grad.subarray(0, slot(mod, "K_c").size), `conv2d ${label}: ∂loss/∂K`);
      if (c.bias) close(ours.grad.subarray(slot(mod, "b_c").offset), theirs.grad.subarray(slot(mod, "b_c").offset), `conv2d ${label}: ∂loss/∂b`);
      tf.dispose([x, predicted]);
      net.dispose();
    });
  }
});

describe("flatten vs tf.layers.flatten", () => {
  it("orders an image's values as Keras does (channels last, row-major) before a dense layer", async () => {
    const shape: [number, number, number] = [3, 4, 2];
    const { mod } = await compileAndImport(
      `model flat\ninput img[3, 4, 2]\ntarget y[3]\nout = dense(flatten(img), 3, softmax)\nloss categorical_crossentropy(out, y)\n`,
      "flat.nn",
      { format: false },
    );
    const params = Float64Array.from(f32(randomMatrix(1, mod.model.paramCount, 81, -0.8, 0.8))[0]!);
    const xs = f32(randomMatrix(ROWS, 24, 82, -1, 1));
    const ys = Array.from({ length: ROWS }, (_, r) => [0, 1, 2].map((k) => (k === r % 3 ? 1 : 0)));
    const net = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: shape }), tfl.layers.dense({ units: 3, activation: "softmax" })] });
    net.compile({ optimizer: "sgd", loss: "categoricalCrossentropy" });
    const map: [string, string | null][] = [["W_out", "b_out"]];
    copyLayerWeights(mod, params, net, map);
    const x = imageBatch(xs, shape);
    const predicted = net.predict(x) as tf.Tensor;
    close(mod.predictBatch(params, xs), predicted.dataSync(), "flatten + dense: outputs");
    const ours = ourBatchGradient(mod, params, xs, ys);
    const theirs = tfLossAndGrads(mod, net, map, shape, xs, ys);
    close([ours.loss], [theirs.loss], "flatten + dense: loss");
    close(ours.grad, theirs.grad, "flatten + dense: gradient");
    tf.dispose([x, predicted]);
    net.dispose();
  });
});
