// The synaptic peer (synaptic 1.1.4): an Architect.Perceptron with nnc's initial weights copied
// in, trained one sample at a time with `activate` + `propagate`, which after the first call run
// synaptic's compiled network (Network.optimize: the whole network hard-coded into generated
// functions over one Float64Array). That is what its Trainer runs per sample, without the
// Trainer's cost bookkeeping; `Network.standalone()` only activates, it cannot train.
//
// What synaptic computes (read from its source, checked in tests/bench/peers.test.ts): plain SGD
// per sample (no momentum, no weight penalty, no Adam); output units are logistic with delta
// target − output (the cross-entropy gradient of a sigmoid); the hidden deltas are back-propagated
// through the output weights *after* their update in the same step.
//
//   const net = synapticNet(spec, params, 0.5, X, Y, rows);
//   net.trainRow(3);   // one update on row 3

import { createRequire } from "node:module";
import type { NetSpec } from "../workloads.js";

type Squash = (x: number, derivate?: boolean) => number;
interface Connection {
  from: Neuron;
  weight: number;
}
interface Neuron {
  bias: number;
  squash: Squash;
  connections: { inputs: Record<string, Connection> };
}
interface Layer {
  list: Neuron[];
}
interface Network {
  layers: { input: Layer; hidden: Layer[]; output: Layer };
  activate(input: ArrayLike<number>): number[];
  propagate(rate: number, target: ArrayLike<number>): void;
}
interface Synaptic {
  Architect: { Perceptron: new (...sizes: number[]) => Network };
  Neuron: { squash: Record<"LOGISTIC" | "TANH" | "RELU", Squash> };
}

const synaptic = createRequire(import.meta.url)("synaptic") as Synaptic;

export interface ForeignNet {
  /** One training step on row r of the data the net was made with. */
  trainRow(r: number): void;
  /** The outputs for the input row at X[xo…]. */
  predict(X: Float64Array, xo: number): ArrayLike<number>;
}

export function synapticNet(spec: NetSpec, params: Float64Array, lr: number, X: Float64Array, Y: Float64Array, rows: number): ForeignNet {
  const sizes = [spec.inputSize, ...spec.layers.map((l) => l.units)];
  const net = new synaptic.Architect.Perceptron(...sizes);
  const layers = [net.layers.input, ...net.layers.hidden, net.layers.output];
  const squash = { sigmoid: synaptic.Neuron.squash.LOGISTIC, tanh: synaptic.Neuron.squash.TANH, relu: synaptic.Neuron.squash.RELU } as const;
  for (const [l, spec_] of spec.layers.entries()) {
    const below = new Map(layers[l]!.list.map((n, i) => [n, i]));
    const inn = sizes[l]!;
    const last = l === spec.layers.length - 1;
    for (const [o, neuron] of layers[l + 1]!.list.entries()) {
      // synaptic has no softmax: its output units stay logistic.
      if (!last) {
        if (spec_.activation === "softmax") throw new Error("synapticNet: no softmax in hidden layers");
        neuron.squash = squash[spec_.activation];
      }
      neuron.bias = params[spec_.b + o]!;
      for (const c of Object.values(neuron.connections.inputs)) c.weight = params[spec_.W + o * inn + below.get(c.from)!]!;
    }
  }
  // Rows as the plain arrays a synaptic user trains on (made before timing).
  const outSize = sizes[sizes.length - 1]!;
  const xs = Array.from({ length: rows }, (_, r) => Array.from(X.subarray(r * spec.inputSize, (r + 1) * spec.inputSize)));
  const ys = Array.from({ length: rows }, (_, r) => Array.from(Y.subarray(r * outSize, (r + 1) * outSize)));
  net.activate(xs[0]!); // compiles the network (Network.optimize), before timing
  return {
    trainRow(r) {
      net.activate(xs[r]!);
      net.propagate(lr, ys[r]!);
    },
    predict(x, xo) {
      return net.activate(x.subarray(xo, xo + spec.inputSize));
    },
  };
}
