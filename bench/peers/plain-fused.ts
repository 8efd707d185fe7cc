// The fastest hand-written peer we could write for the benchmark's dense networks: the same
// network, formulas and update rule as plain.ts (so the same numbers as nnc, to rounding), with
// the loops arranged for speed (fused-kernels.ts). No allocation after creation; the input rows
// are read where they lie. At batch 1 the optimizer runs inside the backward sweep (W -= lr·δxᵀ
// for plain SGD, and likewise momentum's velocity and Adam's moments): each weight is read once
// for both the back-propagated delta (with the weight before its update, as nnc) and its update.
// Larger batches go four samples at a time (the forward pass in 4 × 4 tiles, the gradient summed
// over four samples per sweep), then the optimizer is one loop per tensor that also clears the
// gradient for the next batch.
//
//   const net = fusedNet(spec, params.slice());
//   net.trainBatch(X, Y, 0, 1);   // one update on row 0

import type { NetSpec } from "../workloads.js";
import * as K from "./fused-kernels.js";
import type { PlainNet } from "./plain.js";

const KINDS = { sigmoid: K.SIGMOID, tanh: K.TANH, relu: K.RELU, softmax: K.SOFTMAX } as const;
const EPS = 1e-7;

export function fusedNet(spec: NetSpec, params: Float64Array): PlainNet {
  if (spec.layers.some((l) => l.dropout)) throw new Error("fusedNet: no dropout (its masks could not match nnc's)");
  const top = spec.layers[spec.layers.length - 1]!;
  const binary = spec.loss === "binary_crossentropy";
  if (top.activation !== (binary ? "sigmoid" : "softmax")) throw new Error("fusedNet: the output layer must be sigmoid with binary or softmax with categorical cross-entropy");
  const L = spec.layers.length;
  const sizes = [spec.inputSize, ...spec.layers.map((l) => l.units)];
  const kinds = spec.layers.map((l) => KINDS[l.activation]);
  const Ws = spec.layers.map((l) => l.W);
  const bs = spec.layers.map((l) => l.b);
  const l2x2 = spec.layers.map((l) => 2 * (l.l2 ?? 0));
  const penalized = l2x2.some((x) => x !== 0);
  // Per layer l ≥ 1 (a[0] is the data itself): activations, deltas, back-propagated sums Wᵀδ,
  // each for four samples.
  const a = sizes.map((n) => new Float64Array(4 * n));
  const d = sizes.map((n) => new Float64Array(4 * n));
  const s = sizes.map((n) => new Float64Array(4 * n));
  const G = new Float64Array(params.length); // gradient sum (batches > 1)
  const opt = spec.optimizer;
  const adam = opt.name === "adam";
  const mu = opt.name === "sgd" ? opt.momentum : 0;
  const M = new Float64Array(adam || mu !== 0 ? params.length : 0);
  const V = new Float64Array(adam ? params.length : 0);
  const inSize = sizes[0]!;
  const outSize = sizes[L]!;
  let t = 0;

  /** Forward for `count` (1 or 4) samples, the first at X[xo…]. */
  function forward(X: Float64Array, xo: number, count: number): void {
    for (let l = 0; l < L; l++) {
      const inp = l === 0 ? X : a[l]!;
      const io = l === 0 ? xo : 0;
      if (count === 4) K.denseForward4(params, Ws[l]!, bs[l]!, sizes[l]!, sizes[l + 1]!, inp, io, a[l + 1]!);
      else K.denseForward(params, Ws[l]!, bs[l]!, sizes[l]!, sizes[l + 1]!, inp, io, a[l + 1]!, 0);
      for (let k = 0; k < count; k++) K.activate(kinds[l]!, a[l + 1]!, k * sizes[l + 1]!, sizes[l + 1]!);
    }
  }

  /** Sample k's loss (plain.ts' formulas) and its output delta dz = p − y (÷ units for BCE). */
  function lossAndTopDelta(Y: Float64Array, yo: number, k: number): number {
    const p = a[L]!;
    const dz = d[L]!;
    const at = k * outSize;
    let loss = 0;
    if (binary) {
      const scale = 1 / outSize;
      for (let o = 0; o < outSize; o++) {
        const y = Y[yo + o]!;
        const q = Math.min(Math.max(p[at + o]!, EPS), 1 - EPS);
        loss -= y * Math.log(q) + (1 - y) * Math.log(1 - q);
        dz[at + o] = (p[at + o]! - y) * scale;
      }
      return loss / outSize;
    }
    for (let o = 0; o < outSize; o++) {
      const y = Y[yo + o]!;
      if (y !== 0) loss -= y * Math.log(Math.max(p[at + o]!, EPS));
      dz[at + o] = p[at + o]! - y;
    }
    return loss;
  }

  /** Σ l2·w² over the penalized kernels (part of every sample's loss). */
  function penalty(): number {
    if (!penalized) return 0;
    let sum = 0;
    for (let l = 0; l < L; l++) {
      if (l2x2[l] === 0) continue;
      const W = Ws[l]!;
      let sq = 0;
      for (let i = W; i < W + sizes[l]! * sizes[l + 1]!; i++) sq += params[i]! * params[i]!;
      sum += (l2x2[l]! / 2) * sq;
    }
    return sum;
  }

  /** Batch 1: the backward pass with each layer's update inside its sweep over the weights. */
  function stepOne(X: Float64Array, Y: Float64Array, r: number): number {
    forward(X, r * inSize, 1);
    const loss = lossAndTopDelta(Y, r * outSize, 0) + penalty();
    let alpha = 0;
    if (adam) {
      t++;
      alpha = (opt.lr * Math.sqrt(1 - Math.pow(opt.beta2, t))) / (1 - Math.pow(opt.beta1, t));
    }
    for (let l = L - 1; l >= 0; l--) {
      const inp = l === 0 ? X : a[l]!;
      const io = l === 0 ? r * inSize : 0;
      const sums = l > 0 ? s[l]! : null;
      const inn = sizes[l]!;
      const units = sizes[l + 1]!;
      const W = Ws[l]!;
      const b = bs[l]!;
      if (adam) K.adamSweep(params, M, V, W, b, inn, units, d[l + 1]!, inp, io, sums, alpha, 1 - opt.beta1, 1 - opt.beta2, opt.epsilon, l2x2[l]!);
      else if (mu === 0) K.sgdSweep(params, W, b, inn, units, d[l + 1]!, inp, io, sums, opt.lr, l2x2[l]!);
      else K.momentumSweep(params, M, W, b, inn, units, d[l + 1]!, inp, io, sums, opt.lr, mu, l2x2[l]!);
      if (l > 0) K.activationBackward(kinds[l - 1]!, s[l]!, a[l]!, d[l]!, inn);
    }
    return loss;
  }

  /** The gradient sums of `count` (1 or 4) samples from row r into G. */
  function accumulate(X: Float64Array, Y: Float64Array, r: number, count: number): number {
    forward(X, r * inSize, count);
    let loss = 0;
    for (let k = 0; k < count; k++) loss += lossAndTopDelta(Y, (r + k) * outSize, k);
    for (let l = L - 1; l >= 0; l--) {
      const inp = l === 0 ? X : a[l]!;
      const io = l === 0 ? r * inSize : 0;
      const sums = l > 0 ? s[l]! : null;
      if (count === 4) K.accumulateSweep4(params, G, Ws[l]!, bs[l]!, sizes[l]!, sizes[l + 1]!, d[l + 1]!, inp, io, sums);
      else K.accumulateSweep(params, G, Ws[l]!, bs[l]!, sizes[l]!, sizes[l + 1]!, d[l + 1]!, inp, io, sums);
      if (l > 0) K.activationBackward(kinds[l - 1]!, s[l]!, a[l]!, d[l]!, count * sizes[l]!);
    }
    return loss;
  }

  /** A batch of n > 1: the gradient sums, then the optimizer once per tensor. */
  function stepMany(X: Float64Array, Y: Float64Array, from: number, n: number): number {
    let loss = 0;
    let r = from;
    for (; r + 4 <= from + n; r += 4) loss += accumulate(X, Y, r, 4);
    for (; r < from + n; r++) loss += accumulate(X, Y, r, 1);
    loss = loss / n + penalty();
    const inv = 1 / n;
    if (adam) {
      t++;
      const alpha = (opt.lr * Math.sqrt(1 - Math.pow(opt.beta2, t))) / (1 - Math.pow(opt.beta1, t));
      for (let l = 0; l < L; l++) {
        K.adamTensor(params, G, M, V, Ws[l]!, sizes[l]! * sizes[l + 1]!, inv, l2x2[l]!, alpha, 1 - opt.beta1, 1 - opt.beta2, opt.epsilon);
        K.adamTensor(params, G, M, V, bs[l]!, sizes[l + 1]!, inv, 0, alpha, 1 - opt.beta1, 1 - opt.beta2, opt.epsilon);
      }
    } else {
      for (let l = 0; l < L; l++) {
        K.sgdTensor(params, G, M, Ws[l]!, sizes[l]! * sizes[l + 1]!, inv, l2x2[l]!, opt.lr, mu);
        K.sgdTensor(params, G, M, bs[l]!, sizes[l + 1]!, inv, 0, opt.lr, mu);
      }
    }
    return loss;
  }

  return {
    params,
    predict(x, xo, out) {
      forward(x, xo, 1);
      for (let o = 0; o < outSize; o++) out[o] = a[L]![o]!;
    },
    trainBatch(X, Y, from, n) {
      return n === 1 ? stepOne(X, Y, from) : stepMany(X, Y, from, n);
    },
  };
}
