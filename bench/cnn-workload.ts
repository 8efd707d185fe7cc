// The benchmark's CNN (bench/mnist-cnn-plain.nn: the MNIST CNN example without its dropout, so
// that nnc, TensorFlow.js and ConvNetJS compute the same numbers) as a layer list the peers build
// their networks from, with each parameter's offset in nnc's flat parameter vector. Kernels are
// [kh, kw, in, out] (Keras' layout, and nnc's), the dense kernel [out, in] (nnc's).
//
//   const net = cnnNet(0);               // the benchmark's network (no dropout)
//   const ex = cnnExampleNet(text);      // the example's, with its dropout (bench:accuracy)
//   checkLayout(net, mod.model.params);  // the offsets are the generated module's

import type { OptimizerSpec } from "./workloads.js";

export type CnnLayer =
  | { kind: "conv"; filters: number; size: number; padding: "same" | "valid"; K: number; b: number } // relu
  | { kind: "maxpool"; size: number } // stride = size, padding "valid"
  | { kind: "flatten" }
  | { kind: "dropout"; rate: number }
  | { kind: "dense"; units: number; W: number; b: number }; // softmax

export interface CnnSpec {
  /** Height, width, channels. */
  input: [number, number, number];
  layers: CnnLayer[];
  optimizer: Extract<OptimizerSpec, { name: "adam" }>;
}

/** The MNIST CNN; `dropout` > 0 puts the example's dropout before the dense layer. */
export function cnnNet(dropout: number, lr = 0.001): CnnSpec {
  return {
    input: [28, 28, 1],
    layers: [
      { kind: "conv", filters: 16, size: 3, padding: "same", K: 0, b: 144 },
      { kind: "maxpool", size: 2 },
      { kind: "conv", filters: 32, size: 3, padding: "valid", K: 160, b: 4768 },
      { kind: "maxpool", size: 2 },
      { kind: "flatten" },
      ...(dropout > 0 ? [{ kind: "dropout", rate: dropout } as const] : []),
      { kind: "dense", units: 10, W: 4800, b: 16320 },
    ],
    optimizer: { name: "adam", lr, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
  };
}

/** The network of dsl-examples/mnist_cnn.nn (its text given): its dropout rate and learning rate. */
export function cnnExampleNet(modelText: string): CnnSpec {
  const dropout = /^d\s*=\s*dropout\(f, ([\d.]+)\)/m.exec(modelText);
  const lr = /^optimizer adam\(lr = ([\d.e-]+)\)/m.exec(modelText);
  if (!lr) throw new Error("dsl-examples/mnist_cnn.nn: no `optimizer adam(lr = …)` line");
  return cnnNet(dropout ? Number(dropout[1]) : 0, Number(lr[1]));
}

/** Throws unless every parameter of `spec` sits where the generated module's layout puts it. */
export function checkLayout(spec: CnnSpec, params: { name: string; offset: number }[]): void {
  const offsets = spec.layers.flatMap((l) => (l.kind === "conv" ? [l.K, l.b] : l.kind === "dense" ? [l.W, l.b] : []));
  const actual = params.map((p) => p.offset);
  if (offsets.join() !== actual.join()) throw new Error(`bench CNN layout [${offsets}] is not the module's [${actual}]`);
}

export const CNN_PIXELS = 784;
export const CNN_CLASSES = 10;
