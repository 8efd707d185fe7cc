// Pooling against TensorFlow.js (tfjs-layers on the cpu backend, float32): maxPooling2d and
// averagePooling2d (valid and same, non-square windows, strides of their own) and
// globalAveragePooling2d give the same outputs, losses and gradients as nnc's max_pool2d,
// average_pool2d and global_average_pool2d, within float32 precision.
//
// A pooling layer has no weights, so each model adds a parameter image B to its input,
// pool(x + B): ∂loss/∂B is then exactly the gradient the pooling sends back to its input,
// compared element by element (tfjs: tf.variableGrads over B). Loss: mse of the flattened output.
//
// - same padding: a padded tap is never the maximum (all-negative inputs would show it) and is
//   not counted in the mean (border windows divide by fewer taps), as in TensorFlow.
// - ties: integer inputs, so many windows hold their maximum more than once. TensorFlow (and tfjs:
//   `if (pixel > maxValue)` in its cpu kernel) routes the gradient to the first maximum in scan
//   order, and so does nnc; checked against tfjs, and for one sample window by window.
//
// Where TensorFlow.js differs from Keras / TensorFlow: its cpu AvgPoolGrad divides by the whole
// window (kh·kw) even where same padding leaves fewer taps inside the image, so its gradient is
// not the derivative of its own forward pass (which divides by the taps inside, as TensorFlow's
// forward and gradient both do). For average pooling with same padding, the reference gradient
// is therefore tfjs' derivative of the same mean written as other ops (averageBySums, below);
// each such case checks that tfjs still differs exactly where windows overhang the image, so the
// workaround goes when tfjs is fixed.
// Where nnc differs from Keras, kept out: nnc refuses valid pooling that would drop rows or
// columns (Keras floors; docs/errors.md M36).
//
// NNC_ORACLE_REPORT=1 npx vitest run tests/oracle/pool.test.ts prints the largest differences.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileAndImport, type GeneratedModule } from "../helpers/generated.js";
import { expectClose, ourBatchGradient, randomMatrix, tf, tfl, useCpuBackend } from "./tfjs.js";
import { imageBatch, measured, reportMeasured } from "./tfjs-images.js";

beforeAll(useCpuBackend);
afterAll(() => reportMeasured("pool.test.ts"));

const close = (ours: ArrayLike<number>, theirs: ArrayLike<number>, what: string) => measured.set(what, expectClose(ours, theirs, what));
const f32 = (rows: number[][]) => rows.map((r) => r.map(Math.fround));
const ROWS = 5;

type Pair = [number, number];
interface PoolCase {
  layer: "max" | "average" | "global";
  input: [number, number, number];
  pool?: Pair;
  strides?: Pair;
  padding?: "valid" | "same";
  /** Inputs: uniform in [lo, hi), or integers in [lo, hi) (ties). */
  values: [number, number, "real" | "integer"];
}

const CASES: Record<string, PoolCase> = {
  "maxPooling2d, valid, 2×2": { layer: "max", input: [6, 4, 2], pool: [2, 2], values: [-1, 1, "real"] },
  "maxPooling2d, valid, window [2, 3], strides [1, 2]": { layer: "max", input: [5, 7, 1], pool: [2, 3], strides: [1, 2], values: [-1, 1, "real"] },
  // All inputs negative: a padded tap counted as 0 would win every border window.
  "maxPooling2d, same, 3×3 stride 2 on odd sizes, negative inputs": { layer: "max", input: [7, 5, 2], pool: [3, 3], strides: [2, 2], padding: "same", values: [-3, -1, "real"] },
  "maxPooling2d, same, window [3, 2], stride [1, 2]": { layer: "max", input: [5, 5, 3], pool: [3, 2], strides: [1, 2], padding: "same", values: [-1, 1, "real"] },
  "averagePooling2d, valid, 2×2": { layer: "average", input: [4, 6, 3], pool: [2, 2], values: [-1, 1, "real"] },
  "averagePooling2d, valid, window [3, 2], strides [1, 2]": { layer: "average", input: [5, 6, 2], pool: [3, 2], strides: [1, 2], values: [-1, 1, "real"] },
  // Border windows hold fewer taps: the mean is over the taps inside the image.
  "averagePooling2d, same, 3×3 stride 2": { layer: "average", input: [7, 6, 2], pool: [3, 3], strides: [2, 2], padding: "same", values: [0, 2, "real"] },
  "averagePooling2d, same, window [2, 3], stride 1": { layer: "average", input: [5, 5, 1], pool: [2, 3], strides: [1, 1], padding: "same", values: [-1, 1, "real"] },
  "averagePooling2d, same, a 1×1 window with stride 2": { layer: "average", input: [5, 6, 2], pool: [1, 1], strides: [2, 2], padding: "same", values: [-1, 1, "real"] },
  "maxPooling2d, same, window [2, 3] with strides [3, 2]": { layer: "max", input: [7, 7, 1], pool: [2, 3], strides: [3, 2], padding: "same", values: [-1, 1, "real"] },
  globalAveragePooling2d: { layer: "global", input: [5, 3, 4], values: [-1, 1, "real"] },
  "maxPooling2d with ties, valid, 2×2": { layer: "max", input: [6, 6, 2], pool: [2, 2], values: [0, 3, "integer"] },
  "maxPooling2d with ties, overlapping windows (3×3, stride 1, same)": { layer: "max", input: [5, 6, 1], pool: [3, 3], strides: [1, 1], padding: "same", values: [0, 2, "integer"] },
};

function source(c: PoolCase, outputs: number): string {
  const [H, W, C] = c.input;
  const args = [c.pool ? `pool_size = [${c.pool.join(", ")}]` : "", c.strides ? `strides = [${c.strides.join(", ")}]` : "", c.padding ? `padding = "${c.padding}"` : ""].filter(Boolean);
  const pooled = c.layer === "global" ? "global_average_pool2d(img + B)" : `flatten(${c.layer === "max" ? "max_pool2d" : "average_pool2d"}(img + B, ${args.join(", ")}))`;
  return `model pool
input img[${H}, ${W}, ${C}]
target y[${outputs}]
param B[${H}, ${W}, ${C}] ~ zeros
out = ${pooled}
loss mse(out, y)
`;
}

function layerOf(c: PoolCase): tfl.layers.Layer {
  const args = { ...(c.pool ? { poolSize: c.pool } : {}), ...(c.strides ? { strides: c.strides } : {}), ...(c.padding ? { padding: c.padding } : {}) };
  if (c.layer === "max") return tfl.layers.maxPooling2d(args);
  if (c.layer === "average") return tfl.layers.averagePooling2d(args);
  return tfl.layers.globalAveragePooling2d({});
}

/**
 * TensorFlow's average pooling with same padding, from ops whose tfjs gradients are right: the sum
 * over the taps inside the image (a depthwise convolution with a kernel of ones) over their count
 * (the same convolution of an image of ones).
 */
function averageBySums(c: PoolCase, x: tf.Tensor): tf.Tensor {
  const ones = tf.ones([c.pool![0], c.pool![1], c.input[2], 1]) as tf.Tensor4D;
  const strides = c.strides ?? c.pool!;
  const sums = tf.depthwiseConv2d(x as tf.Tensor4D, ones, strides, "same");
  const counts = tf.depthwiseConv2d(tf.onesLike(x) as tf.Tensor4D, ones, strides, "same");
  return tf.div(sums, counts);
}

/** Whether some same-padded window reaches past the image (TensorFlow's padding: the total is max((out − 1)·s + k − size, 0)). */
function overhangs(c: PoolCase): boolean {
  const strides = c.strides ?? c.pool!;
  return [0, 1].some((d) => {
    const out = Math.ceil(c.input[d]! / strides[d]!);
    return (out - 1) * strides[d]! + c.pool![d]! - c.input[d]! > 0;
  });
}

/** Loss (Keras' mean_squared_error: the mean over each row, then over the rows) and ∂loss/∂B. */
function lossAndGrad(forward: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, y: tf.Tensor, B: tf.Variable): { loss: number; grad: Float32Array } {
  const { value, grads } = tf.variableGrads(() => tf.mean(tf.squaredDifference(forward(x), y)) as tf.Scalar, [B]);
  const result = { loss: value.dataSync()[0]!, grad: grads[B.name]!.dataSync() as Float32Array };
  tf.dispose([value, ...Object.values(grads)]);
  return result;
}

describe("pooling vs tf.layers.maxPooling2d, averagePooling2d, globalAveragePooling2d", () => {
  for (const [label, c] of Object.entries(CASES)) {
    it(label, async () => {
      const [lo, hi, kind] = c.values;
      const inSize = c.input[0] * c.input[1] * c.input[2];
      const xs = f32(randomMatrix(ROWS, inSize, 71, lo, hi)).map((r) => (kind === "integer" ? r.map(Math.floor) : r));
      const layer = layerOf(c);
      const flatten = tfl.layers.flatten();
      // Ties: B stays 0, so x + B keeps them; otherwise B is random too.
      const B = tf.variable(kind === "integer" ? tf.zeros(c.input) : tf.tensor(f32(randomMatrix(1, inSize, 72, -0.5, 0.5))[0]!, c.input));
      const pooled = (x: tf.Tensor) => layer.apply(tf.add(x, B)) as tf.Tensor;
      const forward = (x: tf.Tensor) => (c.layer === "global" ? pooled(x) : (flatten.apply(pooled(x)) as tf.Tensor));
      const x = imageBatch(xs, c.input);
      const predicted = forward(x);
      const outputs = predicted.shape[1]!;
      const { mod } = await compileAndImport(source(c, outputs), "pool.nn", { format: false });
      const params = Float64Array.from(B.dataSync());
      close(mod.predictBatch(params, xs), predicted.dataSync(), `${label}: outputs`);

      const ys = f32(randomMatrix(ROWS, outputs, 73, -1, 1));
      const y = tf.tensor2d(ys);
      const ours = ourBatchGradient(mod, params, xs, ys);
      let theirs = lossAndGrad(forward, x, y, B);
      if (c.layer === "average" && c.padding === "same") {
        const bySums = (x: tf.Tensor) => flatten.apply(averageBySums(c, tf.add(x, B))) as tf.Tensor;
        const same = bySums(x);
        close(same.dataSync(), predicted.dataSync(), `${label}: the mean by sums, as the layer's outputs`);
        const layerGrad = theirs.grad;
        theirs = lossAndGrad(bySums, x, y, B);
        // Where windows overhang the image, tfjs' own AvgPoolGrad still divides by kh·kw (when this fails, tfjs is fixed: compare with the layer directly).
        const differs = Math.max(...layerGrad.map((g, i) => Math.abs(g - theirs.grad[i]!))) > 1e-3;
        expect(differs).toBe(overhangs(c));
        tf.dispose(same);
      }
      close([ours.loss], [theirs.loss], `${label}: loss`);
      close(ours.grad, theirs.grad, `${label}: gradient to the input`);
      if (kind === "integer") expectFirstMaximum(c, mod, params, xs, ys);
      tf.dispose([x, y, predicted, B]);
    });
  }
});

/** The input offsets of every window that lies inside the image, each in scan order (row by row), per channel. */
function insideWindows(c: PoolCase): number[][] {
  const [H, W, C] = c.input;
  const [kh, kw] = c.pool!;
  const [sh, sw] = c.strides ?? c.pool!;
  const windows: number[][] = [];
  for (let oy = 0; oy + kh <= H; oy += sh)
    for (let ox = 0; ox + kw <= W; ox += sw)
      for (let ch = 0; ch < C; ch++) {
        const taps: number[] = [];
        for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) taps.push(((oy + ky) * W + ox + kx) * C + ch);
        windows.push(taps);
      }
  return windows;
}

/**
 * The tie cases tie: many windows hold their maximum more than once. And where windows do not
 * overlap, one sample's gradient lands on one element of each window only: its first maximum.
 */
function expectFirstMaximum(c: PoolCase, mod: GeneratedModule, params: Float64Array, xs: number[][], ys: number[][]): void {
  const windows = insideWindows(c);
  const maxOf = (x: number[], taps: number[]) => Math.max(...taps.map((i) => x[i]!));
  const tied = xs.reduce((n, x) => n + windows.filter((taps) => taps.filter((i) => x[i] === maxOf(x, taps)).length > 1).length, 0);
  expect(tied, "windows whose maximum is tied").toBeGreaterThan(10);
  if (c.strides !== undefined) return; // overlapping windows: an element may collect several windows' gradients
  const [x, y] = [xs[0]!, ys[0]!];
  const g = new Float64Array(params.length);
  mod.grad(params, x, y, g);
  for (const taps of windows) {
    const first = taps.find((i) => x[i] === maxOf(x, taps))!;
    expect(g[first], `the window's first maximum, element ${first}, gets the gradient`).not.toBe(0);
    for (const i of taps) if (i !== first) expect(g[i], `element ${i}, not the window's first maximum ${first}, gets nothing`).toBe(0);
  }
}
