// The benchmark's workloads (issue #4): the same networks, data, initial weights and update
// rule for nnc, TensorFlow.js and the hand-written loops.
//
//   parity   Dense(2, sigmoid) → Dense(1, sigmoid), Adam 0.001, full batch of 5, 10,000 epochs
//   xor      2-8-1 tanh/sigmoid + L2 1e-4 on W1, SGD 0.5 momentum 0.9, batch 1, 20,000 steps
//   mnist32  784-128-10 relu/softmax, Adam 0.001, batch 32, one epoch of 8,000 digits
//   mnist1   the same, batch 1, 2,000 digits
//   mnistsgd the same with plain SGD 0.01 (bench/mnist-plain-sgd.nn), batch 1, 2,000 digits
// (MNIST: bench/mnist-plain.nn, the example without its dropout layer, whose masks no two peers
// could draw alike.) Each workload also says which other peers run it and how: synaptic and
// brain.js cannot run any of them exactly, so they run the closest thing they can, and
// `computes` says what that is.

import { mnistSplit } from "../scripts/mnist-data.js";
import type { BrainSettings } from "./peers/brain.js";

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

/** A peer's closest run of a workload it cannot run exactly. */
export interface ForeignRun {
  /** What the peer computes instead (shown in RESULTS.md). */
  computes: string;
  /** Train on the first `rows` rows only (a peer that would take minutes on the whole workload). */
  rows?: number;
}

/** The peers beyond nnc, tfjs and the hand-written loops (which run every workload). */
export interface WorkloadPeers {
  /** synaptic: per-sample SGD at this rate, with the network's hidden activations. */
  synaptic?: ForeignRun & { lr: number };
  brain?: ForeignRun & BrainSettings;
  /** The per-sample ceiling kernel (bench/peers/ceiling.ts): MNIST SGD batch 1 only. */
  ceiling?: boolean;
  /** false: no TensorFlow.js run on its cpu backend (its batch-1 MNIST runs take minutes; mnist1 has one). Its wasm backend runs every MNIST workload (wasm-runs.ts). */
  tfjs?: false;
}

export interface Workload {
  name: string;
  title: string;
  /** The model nnc runs: that example's generated module (for "mnist": bench/mnist-plain.nn, "mnist-sgd": bench/mnist-plain-sgd.nn). */
  example: "parity" | "xor" | "mnist" | "mnist-sgd";
  net: NetSpec;
  x: Float64Array;
  y: Float64Array;
  rows: number;
  batch: number;
  epochs: number;
  seed: number;
  peers?: WorkloadPeers;
}

/** The model file nnc compiles for a workload's example. */
export function sourceOf(example: Workload["example"]): string {
  if (example === "mnist") return "bench/mnist-plain.nn";
  if (example === "mnist-sgd") return "bench/mnist-plain-sgd.nn";
  return `dsl-examples/${example}.nn`;
}

/** Whether the example is one of the MNIST networks (evaluated on held-out digits). */
export const isMnist = (example: Workload["example"]) => example === "mnist" || example === "mnist-sgd";

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
      peers: {
        synaptic: { lr: 0.5, computes: "SGD 0.5 per sample (no Adam in synaptic); cross-entropy delta; hidden deltas through the just-updated output weights" },
        brain: { adam: true, lr: 0.001, activation: "sigmoid", computes: "brain.js' Adam 0.001 per sample (batch 1); squared-error delta" },
      },
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
      peers: {
        synaptic: { lr: 0.5, computes: "SGD 0.5 batch 1 without momentum or L2 (synaptic has neither); hidden deltas through the just-updated output weights" },
        brain: { lr: 0.5, momentum: 0.9, activation: "sigmoid", computes: "SGD 0.5 momentum 0.9 batch 1 (none on biases), no L2; sigmoid hidden layer (one activation for all layers); squared-error delta; float32 weights" },
      },
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
    {
      name: "mnistsgd",
      title: "MNIST 784-128-10, SGD 0.01, batch 1, 2,000 digits",
      example: "mnist-sgd",
      net: { ...mnistNet, optimizer: { name: "sgd", lr: 0.01, momentum: 0 } },
      x: train.x.subarray(0, 2000 * 784),
      y: train.y.subarray(0, 2000 * 10),
      rows: 2000,
      batch: 1,
      epochs: 1,
      seed: 1,
      peers: {
        ceiling: true,
        tfjs: false,
        synaptic: { lr: 0.01, rows: 100, computes: "SGD 0.01 batch 1, 10 logistic outputs (no softmax in synaptic) with cross-entropy deltas; hidden deltas through the just-updated output weights; 100 digits (its rate is far too low for 2,000)" },
        brain: { lr: 0.01, momentum: 0, activation: "relu", computes: "SGD 0.01 batch 1; relu outputs too (one activation for all layers: no softmax) with squared-error deltas; float32 weights" },
      },
    },
  ];
}
