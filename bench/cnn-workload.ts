// The benchmark's CNN (bench/mnist-cnn-plain.nn: the MNIST CNN example without its dropout, so
// that nnc, TensorFlow.js and ConvNetJS compute the same numbers) as a layer list the peers build
// their networks from, with each parameter's offset in nnc's flat parameter vector. Kernels are
// [kh, kw, in, out] (Keras' layout, and nnc's), the dense kernel [out, in] (nnc's).
//
//   const net = benchCnnNet();           // the benchmark's network (no dropout)
//   const ex = cnnExampleNet(text);      // the example's, with its dropout (bench:accuracy)
//   checkLayout(net, mod.model.params);  // the offsets are the generated module's

import { readFileSync } from "node:fs";
import { ROOT } from "../scripts/examples.js";
import type { OptimizerSpec } from "./workloads.js";

export type CnnLayer =
  | { kind: "conv"; filters: number; size: number; padding: "same" | "valid"; K: number; b: number } // relu
  | { kind: "maxpool"; size: number } // stride = size, padding "valid"
  | { kind: "flatten" }
  | { kind: "dropout"; rate: number }
  | { kind: "dense"; units: number; activation: "relu" | "softmax"; W: number; b: number };

export interface CnnSpec {
  /** Height, width, channels. */
  input: [number, number, number];
  layers: CnnLayer[];
  optimizer: Extract<OptimizerSpec, { name: "adam" }>;
}

/** The benchmark's network: bench/mnist-cnn-plain.nn read by cnnExampleNet. */
export function benchCnnNet(): CnnSpec {
  return cnnExampleNet(readFileSync(`${ROOT}bench/mnist-cnn-plain.nn`, "utf8"));
}

/**
 * The network of dsl-examples/mnist_cnn.nn (its text given), read from its layer lines: conv2d
 * (filters, 3×3 or any square size, padding, relu), max_pool2d, flatten, dropout and dense
 * (relu or softmax), one per line in order, as scripts/mnist-cnn-select.ts writes them. Each
 * parameter's offset follows from the sizes; `checkLayout` confirms them against the module.
 */
export function cnnExampleNet(modelText: string): CnnSpec {
  const lr = /^optimizer adam\(lr = ([\d.e-]+)\)/m.exec(modelText);
  if (!lr) throw new Error("dsl-examples/mnist_cnn.nn: no `optimizer adam(lr = …)` line");
  const layers: CnnLayer[] = [];
  let [h, w, c] = [28, 28, 1];
  let offset = 0;
  const take = (n: number) => (offset += n) - n;
  for (const line of modelText.split("\n")) {
    const call = /^\w+\s*=\s*(\w+)\((.*)\)\s*$/.exec(line);
    if (!call) continue;
    const [op, args] = [call[1]!, call[2]!.split(",").map((a) => a.trim())];
    if (op === "conv2d") {
      const [filters, size] = [Number(args[1]), Number(args[2])];
      const padding = args.includes('padding = "same"') ? "same" : "valid";
      if (!args.includes("activation = relu")) throw new Error(`bench CNN: only relu convolutions are supported: ${line}`);
      layers.push({ kind: "conv", filters, size, padding, K: take(size * size * c * filters), b: take(filters) });
      if (padding === "valid") [h, w] = [h - size + 1, w - size + 1];
      c = filters;
    } else if (op === "max_pool2d") {
      const size = Number(args[1]);
      layers.push({ kind: "maxpool", size });
      [h, w] = [Math.floor(h / size), Math.floor(w / size)];
    } else if (op === "flatten") {
      layers.push({ kind: "flatten" });
      [h, w, c] = [1, 1, h * w * c];
    } else if (op === "dropout") {
      layers.push({ kind: "dropout", rate: Number(args[1]) });
    } else if (op === "dense") {
      const [units, activation] = [Number(args[1]), args[2]];
      if (activation !== "relu" && activation !== "softmax") throw new Error(`bench CNN: a dense layer must be relu or softmax: ${line}`);
      layers.push({ kind: "dense", units, activation, W: take(units * c), b: take(units) });
      c = units;
    } else {
      throw new Error(`bench CNN: unsupported layer: ${line}`);
    }
  }
  return { input: [28, 28, 1], layers, optimizer: { name: "adam", lr: Number(lr[1]), beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } };
}

/** Throws unless every parameter of `spec` sits where the generated module's layout puts it. */
export function checkLayout(spec: CnnSpec, params: { name: string; offset: number }[]): void {
  const offsets = spec.layers.flatMap((l) => (l.kind === "conv" ? [l.K, l.b] : l.kind === "dense" ? [l.W, l.b] : []));
  const actual = params.map((p) => p.offset);
  if (offsets.join() !== actual.join()) throw new Error(`bench CNN layout [${offsets}] is not the module's [${actual}]`);
}

export const CNN_PIXELS = 784;
export const CNN_CLASSES = 10;
