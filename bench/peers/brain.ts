// The brain.js peer (brain.js 1.6.1, the npm `latest`; the 2.x betas need gpu.js 2 and a native
// headless-gl build): a NeuralNetwork loaded with nnc's initial weights through its public
// `fromJSON`, trained one sample at a time with `trainPattern`, the per-row step its `train`
// runs (without `train`'s per-epoch error pass, and `train` refuses momentum 0).
//
// What brain.js computes (read from its source, checked in tests/bench/peers.test.ts): one
// activation for every layer, the output layer included; squared-error deltas
// (target − output)·f′; weights in Float32Arrays; per-sample updates, either SGD with classic
// momentum on the weights (change = lr·δ·x + μ·change; biases get lr·δ, no momentum) or, with
// praxis "adam", its own Adam.
//
//   const net = brainNet(spec, params, { lr: 0.5, momentum: 0.9, activation: "sigmoid" }, X, Y, rows);
//   net.trainRow(3);   // one update on row 3

import { createRequire } from "node:module";
import type { NetSpec } from "../workloads.js";
import type { ForeignNet } from "./synaptic.js";

export interface BrainSettings {
  lr: number;
  /** Classic momentum (0: none). Ignored with adam. */
  momentum?: number;
  adam?: boolean;
  activation: "sigmoid" | "tanh" | "relu";
}

interface TrainOpts {
  learningRate: number;
  momentum: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}
interface NeuralNetwork {
  trainOpts: TrainOpts;
  fromJSON(json: unknown): NeuralNetwork;
  trainPattern(value: { input: number[]; output: number[] }): void;
  run(input: ArrayLike<number>): ArrayLike<number>;
}
interface Brain {
  NeuralNetwork: new (options: Record<string, unknown>) => NeuralNetwork;
}

const brain = createRequire(import.meta.url)("brain.js") as Brain;

export function brainNet(spec: NetSpec, params: Float64Array, settings: BrainSettings, X: Float64Array, Y: Float64Array, rows: number): ForeignNet {
  const sizes = [spec.inputSize, ...spec.layers.map((l) => l.units)];
  // praxis must be known when the weights are set up (fromJSON → initialize).
  const net = new brain.NeuralNetwork({ activation: settings.activation, ...(settings.adam ? { praxis: "adam" } : {}) });
  const layers: Record<number, { bias?: number; weights?: Record<number, number> }>[] = [Object.fromEntries(Array.from({ length: spec.inputSize }, (_, i) => [i, {}]))];
  for (const [l, layer] of spec.layers.entries()) {
    const inn = sizes[l]!;
    const nodes: Record<number, { bias: number; weights: Record<number, number> }> = {};
    for (let o = 0; o < layer.units; o++) {
      const weights: Record<number, number> = {};
      for (let i = 0; i < inn; i++) weights[i] = params[layer.W + o * inn + i]!;
      nodes[o] = { bias: params[layer.b + o]!, weights };
    }
    layers.push(nodes);
  }
  net.fromJSON({ sizes, layers, activation: settings.activation, inputLookup: false, outputLookup: false });
  // Set directly: its option check refuses momentum 0. Adam's epsilon as nnc's (brain.js: 1e-8).
  Object.assign(net.trainOpts, { learningRate: settings.lr, momentum: settings.momentum ?? 0, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
  const outSize = sizes[sizes.length - 1]!;
  const data = Array.from({ length: rows }, (_, r) => ({
    input: Array.from(X.subarray(r * spec.inputSize, (r + 1) * spec.inputSize)),
    output: Array.from(Y.subarray(r * outSize, (r + 1) * outSize)),
  }));
  return {
    trainRow(r) {
      net.trainPattern(data[r]!);
    },
    predict(x, xo) {
      return net.run(x.subarray(xo, xo + spec.inputSize));
    },
  };
}
