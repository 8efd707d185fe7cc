// The benchmark's workloads (issue #4): the same networks, data, initial weights and update
// rule for nnc, TensorFlow.js and the hand-written loops.
//
//   parity   Dense(2, sigmoid) → Dense(1, sigmoid), Adam 0.001, full batch of 5, 10,000 epochs
//   xor      2-8-1 tanh/sigmoid + L2 1e-4 on W1, SGD 0.5 momentum 0.9, batch 1, 20,000 steps
//   mnist32  784-128-10 relu/softmax, Adam 0.001, batch 32, one epoch of 8,000 digits
//   mnist1   the same, batch 1, 2,000 digits
// (MNIST: bench/mnist-plain.nn, the example without its dropout layer, whose masks no two peers
// could draw alike.)

import { mnistSplit } from "../scripts/mnist-data.js";

export interface LayerSpec {
  units: number;
  activation: "sigmoid" | "tanh" | "relu" | "softmax";
  /** Offsets of the kernel ([units, in], nnc's layout) and bias in the flat parameters. */
  W: number;
  b: number;
  /** L2 penalty factor on the kernel (Keras' kernelRegularizer l2). */
  l2?: number;
  /** Dropout rate applied to the layer's output in training. */
  dropout?: number;
}

export type OptimizerSpec = { name: "adam"; lr: number; beta1: number; beta2: number; epsilon: number } | { name: "sgd"; lr: number; momentum: number };

export interface NetSpec {
  inputSize: number;
  layers: LayerSpec[];
  loss: "binary_crossentropy" | "categorical_crossentropy";
  optimizer: OptimizerSpec;
}

export interface Workload {
  name: string;
  title: string;
  /** The model nnc runs: that example's generated module (for "mnist": bench/mnist-plain.nn). */
  example: "parity" | "xor" | "mnist";
  net: NetSpec;
  x: Float64Array;
  y: Float64Array;
  rows: number;
  batch: number;
  epochs: number;
  seed: number;
}

const ADAM = { name: "adam", lr: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } as const;

/** The benchmark's MNIST network (bench/mnist-plain.nn) as a layer list. */
export const mnistNet: NetSpec = {
  inputSize: 784,
  layers: [
    { units: 128, activation: "relu", W: 0, b: 100352 },
    { units: 10, activation: "softmax", W: 100480, b: 101760 },
  ],
  loss: "categorical_crossentropy",
  optimizer: ADAM,
};

/** The MNIST example (dsl-examples/mnist.nn): the same with dropout 0.2 after the hidden layer. */
export const mnistExampleNet: NetSpec = { ...mnistNet, layers: [{ ...mnistNet.layers[0]!, dropout: 0.2 }, mnistNet.layers[1]!] };

export function workloads(): Workload[] {
  const { train } = mnistSplit();
  return [
    {
      name: "parity",
      title: "parity 1-2-1, Adam, full batch of 5, 10,000 epochs",
      example: "parity",
      net: {
        inputSize: 1,
        layers: [
          { units: 2, activation: "sigmoid", W: 0, b: 2 },
          { units: 1, activation: "sigmoid", W: 4, b: 6 },
        ],
        loss: "binary_crossentropy",
        optimizer: ADAM,
      },
      x: Float64Array.of(0, 2, 4, 6, 8),
      y: Float64Array.of(0, 1, 1, 1, 0),
      rows: 5,
      batch: 5,
      epochs: 10_000,
      seed: 1,
    },
    {
      name: "xor",
      title: "xor 2-8-1, SGD momentum, batch 1, 20,000 steps",
      example: "xor",
      net: {
        inputSize: 2,
        layers: [
          { units: 8, activation: "tanh", W: 0, b: 16, l2: 1e-4 },
          { units: 1, activation: "sigmoid", W: 24, b: 32 },
        ],
        loss: "binary_crossentropy",
        optimizer: { name: "sgd", lr: 0.5, momentum: 0.9 },
      },
      x: Float64Array.of(0, 0, 0, 1, 1, 0, 1, 1),
      y: Float64Array.of(0, 1, 1, 0),
      rows: 4,
      batch: 1,
      epochs: 5_000,
      seed: 7,
    },
    {
      name: "mnist32",
      title: "MNIST 784-128-10, Adam, batch 32, one epoch of 8,000",
      example: "mnist",
      net: mnistNet,
      x: train.x,
      y: train.y,
      rows: train.rows,
      batch: 32,
      epochs: 1,
      seed: 1,
    },
    {
      name: "mnist1",
      title: "MNIST 784-128-10, Adam, batch 1, 2,000 digits",
      example: "mnist",
      net: mnistNet,
      x: train.x.subarray(0, 2000 * 784),
      y: train.y.subarray(0, 2000 * 10),
      rows: 2000,
      batch: 1,
      epochs: 1,
      seed: 1,
    },
  ];
}
