// The fastest hand-written peer we could write for the benchmark's dense networks: the same
// network, formulas and update rule as plain.ts (so the same numbers as nnc, to rounding), with
// the loops arranged for speed. No allocation after creation; forward products four output rows
// at a time (each input value loaded once for four rows); at batch 1 the optimizer runs inside
// the backward sweep (W -= lr·δxᵀ for plain SGD, and likewise momentum's velocity and Adam's
// moments), reading each weight once for both the back-propagated delta (with the weight before
// its update, as nnc) and its update; at larger batches the gradient is summed per sample and the
// optimizer is one loop per tensor that also clears the sum for the next batch.
//
//   const net = fusedNet(spec, params.slice());
//   net.trainBatch(X, Y, 0, 1);   // one update on row 0

import type { NetSpec } from "../workloads.js";
import type { PlainNet } from "./plain.js";

const ACTIVATIONS = ["sigmoid", "tanh", "relu", "softmax"] as const;
const SIGMOID = 0;
const TANH = 1;
const RELU = 2;

/** out[o] = b[o] + Σ_i P[W + o·inn + i]·inp[i] for o < units, four rows per sweep over inp. */
function denseForward(P: Float64Array, W: number, b: number, inn: number, units: number, inp: Float64Array, out: Float64Array): void {
  let o = 0;
  for (; o + 3 < units; o += 4) {
    const r0 = W + o * inn;
    const r1 = r0 + inn;
    const r2 = r1 + inn;
    const r3 = r2 + inn;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let i = 0; i < inn; i++) {
      const x = inp[i]!;
      s0 += P[r0 + i]! * x;
      s1 += P[r1 + i]! * x;
      s2 += P[r2 + i]! * x;
      s3 += P[r3 + i]! * x;
    }
    out[o] = P[b + o]! + s0;
    out[o + 1] = P[b + o + 1]! + s1;
    out[o + 2] = P[b + o + 2]! + s2;
    out[o + 3] = P[b + o + 3]! + s3;
  }
  for (; o < units; o++) {
    const r = W + o * inn;
    let s = 0;
    for (let i = 0; i < inn; i++) s += P[r + i]! * inp[i]!;
    out[o] = P[b + o]! + s;
  }
}

function activate(kind: number, out: Float64Array, units: number): void {
  if (kind === SIGMOID) for (let o = 0; o < units; o++) out[o] = 1 / (1 + Math.exp(-out[o]!));
  else if (kind === TANH) for (let o = 0; o < units; o++) out[o] = Math.tanh(out[o]!);
  else if (kind === RELU) for (let o = 0; o < units; o++) out[o] = out[o]! > 0 ? out[o]! : 0;
  else {
    let max = -Infinity;
    for (let o = 0; o < units; o++) if (out[o]! > max) max = out[o]!;
    let sum = 0;
    for (let o = 0; o < units; o++) sum += out[o] = Math.exp(out[o]! - max);
    const inv = 1 / sum;
    for (let o = 0; o < units; o++) out[o] = out[o]! * inv;
  }
}

/** delta[i] = s[i]·f′ at the activation value a[i] (sigmoid, tanh, relu). */
function activationBackward(kind: number, s: Float64Array, a: Float64Array, delta: Float64Array, n: number): void {
  if (kind === SIGMOID) for (let i = 0; i < n; i++) delta[i] = s[i]! * (a[i]! * (1 - a[i]!));
  else if (kind === TANH) for (let i = 0; i < n; i++) delta[i] = s[i]! * (1 - a[i]! * a[i]!);
  else for (let i = 0; i < n; i++) delta[i] = a[i]! > 0 ? s[i]! : 0;
}

/**
 * Batch 1, plain SGD: W -= lr·δaᵀ, b -= lr·δ, and (when s is given) s = Wᵀδ with W before
 * its update, in one sweep over W. l2x2 = 2·(L2 factor): the penalty's gradient 2·l2·w.
 */
function sgdSweep(P: Float64Array, W: number, b: number, inn: number, units: number, delta: Float64Array, a: Float64Array, s: Float64Array | null, lr: number, l2x2: number): void {
  if (s !== null) for (let i = 0; i < inn; i++) s[i] = 0;
  for (let o = 0; o < units; o++) {
    const g = delta[o]!;
    const r = W + o * inn;
    if (s === null && l2x2 === 0) {
      const c = lr * g;
      for (let i = 0; i < inn; i++) P[r + i] = P[r + i]! - c * a[i]!;
    } else if (l2x2 === 0) {
      const c = lr * g;
      for (let i = 0; i < inn; i++) {
        const w = P[r + i]!;
        s![i] = s![i]! + w * g;
        P[r + i] = w - c * a[i]!;
      }
    } else {
      for (let i = 0; i < inn; i++) {
        const w = P[r + i]!;
        if (s !== null) s[i] = s[i]! + w * g;
        P[r + i] = w - lr * (g * a[i]! + l2x2 * w);
      }
    }
    P[b + o] = P[b + o]! - lr * g;
  }
}

/** Batch 1, SGD with momentum μ (Keras: v = μv − lr·g, p += v), fused as sgdSweep. */
function momentumSweep(P: Float64Array, V: Float64Array, W: number, b: number, inn: number, units: number, delta: Float64Array, a: Float64Array, s: Float64Array | null, lr: number, mu: number, l2x2: number): void {
  if (s !== null) for (let i = 0; i < inn; i++) s[i] = 0;
  for (let o = 0; o < units; o++) {
    const g = delta[o]!;
    const r = W + o * inn;
    for (let i = 0; i < inn; i++) {
      const w = P[r + i]!;
      if (s !== null) s[i] = s[i]! + w * g;
      const v = mu * V[r + i]! - lr * (g * a[i]! + l2x2 * w);
      V[r + i] = v;
      P[r + i] = w + v;
    }
    const v = mu * V[b + o]! - lr * g;
    V[b + o] = v;
    P[b + o] = P[b + o]! + v;
  }
}

/** Batch 1, Adam (plain.ts' formulas; alpha the step's bias-corrected rate), fused as sgdSweep. */
function adamSweep(P: Float64Array, M: Float64Array, V: Float64Array, W: number, b: number, inn: number, units: number, delta: Float64Array, a: Float64Array, s: Float64Array | null, alpha: number, c1: number, c2: number, eps: number, l2x2: number): void {
  if (s !== null) for (let i = 0; i < inn; i++) s[i] = 0;
  for (let o = 0; o < units; o++) {
    const g = delta[o]!;
    const r = W + o * inn;
    for (let i = 0; i < inn; i++) {
      const k = r + i;
      const w = P[k]!;
      if (s !== null) s[i] = s[i]! + w * g;
      const gw = g * a[i]! + l2x2 * w;
      const m = M[k]! + (gw - M[k]!) * c1;
      const v = V[k]! + (gw * gw - V[k]!) * c2;
      M[k] = m;
      V[k] = v;
      P[k] = w - (m * alpha) / (Math.sqrt(v) + eps);
    }
    const k = b + o;
    const m = M[k]! + (g - M[k]!) * c1;
    const v = V[k]! + (g * g - V[k]!) * c2;
    M[k] = m;
    V[k] = v;
    P[k] = P[k]! - (m * alpha) / (Math.sqrt(v) + eps);
  }
}

/** Batch > 1: G += δaᵀ, G_b += δ and (when s is given) s = Wᵀδ, in one sweep over W and G. */
function accumulateSweep(P: Float64Array, G: Float64Array, W: number, b: number, inn: number, units: number, delta: Float64Array, a: Float64Array, s: Float64Array | null): void {
  if (s !== null) for (let i = 0; i < inn; i++) s[i] = 0;
  for (let o = 0; o < units; o++) {
    const g = delta[o]!;
    const r = W + o * inn;
    if (s !== null) {
      for (let i = 0; i < inn; i++) {
        s[i] = s[i]! + P[r + i]! * g;
        G[r + i] = G[r + i]! + g * a[i]!;
      }
    } else {
      for (let i = 0; i < inn; i++) G[r + i] = G[r + i]! + g * a[i]!;
    }
    G[b + o] = G[b + o]! + g;
  }
}

export function fusedNet(spec: NetSpec, params: Float64Array): PlainNet {
  if (spec.layers.some((l) => l.dropout)) throw new Error("fusedNet: no dropout (its masks could not match nnc's)");
  const last = spec.layers[spec.layers.length - 1]!;
  const pairs = (last.activation === "softmax" && spec.loss === "categorical_crossentropy") || (last.activation === "sigmoid" && spec.loss === "binary_crossentropy");
  if (!pairs) throw new Error("fusedNet: the output layer must be softmax with categorical cross-entropy or sigmoid with binary cross-entropy");
  const L = spec.layers.length;
  const sizes = [spec.inputSize, ...spec.layers.map((l) => l.units)];
  const kinds = spec.layers.map((l) => ACTIVATIONS.indexOf(l.activation));
  const Ws = spec.layers.map((l) => l.W);
  const bs = spec.layers.map((l) => l.b);
  const l2x2 = spec.layers.map((l) => 2 * (l.l2 ?? 0));
  const a = sizes.map((n) => new Float64Array(n)); // activations, a[0] the input row
  const d = sizes.map((n) => new Float64Array(n)); // deltas
  const s = sizes.map((n) => new Float64Array(n)); // back-propagated sums Wᵀδ
  const G = new Float64Array(params.length); // gradient sum (batches > 1)
  const opt = spec.optimizer;
  const M = new Float64Array(opt.name === "adam" || opt.momentum !== 0 ? params.length : 0);
  const V = new Float64Array(opt.name === "adam" ? params.length : 0);
  const binary = spec.loss === "binary_crossentropy";
  const outSize = sizes[L]!;
  const eps = 1e-7;
  let t = 0;

  function forward(X: Float64Array, xo: number): void {
    const a0 = a[0]!;
    for (let i = 0; i < sizes[0]!; i++) a0[i] = X[xo + i]!;
    for (let l = 0; l < L; l++) {
      denseForward(params, Ws[l]!, bs[l]!, sizes[l]!, sizes[l + 1]!, a[l]!, a[l + 1]!);
      activate(kinds[l]!, a[l + 1]!, sizes[l + 1]!);
    }
  }

  /** The sample's loss (plain.ts' formulas), and the output layer's delta dz = p − y (÷ units for BCE). */
  function lossAndTopDelta(Y: Float64Array, yo: number): number {
    const p = a[L]!;
    const top = d[L]!;
    let loss = 0;
    if (binary) {
      const scale = 1 / outSize;
      for (let o = 0; o < outSize; o++) {
        const y = Y[yo + o]!;
        const q = Math.min(Math.max(p[o]!, eps), 1 - eps);
        loss -= y * Math.log(q) + (1 - y) * Math.log(1 - q);
        top[o] = (p[o]! - y) * scale;
      }
      return loss / outSize;
    }
    for (let o = 0; o < outSize; o++) {
      const y = Y[yo + o]!;
      if (y !== 0) loss -= y * Math.log(Math.max(p[o]!, eps));
      top[o] = p[o]! - y;
    }
    return loss;
  }

  /** Σ l2·w² over the penalized kernels (part of every sample's loss). */
  function penalty(): number {
    let sum = 0;
    for (let l = 0; l < L; l++) {
      if (l2x2[l] === 0) continue;
      const W = Ws[l]!;
      const size = sizes[l]! * sizes[l + 1]!;
      let sq = 0;
      for (let i = 0; i < size; i++) sq += params[W + i]! * params[W + i]!;
      sum += (l2x2[l]! / 2) * sq;
    }
    return sum;
  }

  /** One sample, batch 1: backward with the update inside the sweep over each layer's weights. */
  function stepOne(X: Float64Array, Y: Float64Array, r: number): number {
    forward(X, r * sizes[0]!);
    let loss = lossAndTopDelta(Y, r * outSize) + penalty();
    let alpha = 0;
    if (opt.name === "adam") {
      t++;
      alpha = (opt.lr * Math.sqrt(1 - Math.pow(opt.beta2, t))) / (1 - Math.pow(opt.beta1, t));
    }
    for (let l = L - 1; l >= 0; l--) {
      const sums = l > 0 ? s[l]! : null;
      const inn = sizes[l]!;
      const units = sizes[l + 1]!;
      if (opt.name === "adam") adamSweep(params, M, V, Ws[l]!, bs[l]!, inn, units, d[l + 1]!, a[l]!, sums, alpha, 1 - opt.beta1, 1 - opt.beta2, opt.epsilon, l2x2[l]!);
      else if (opt.momentum !== 0) momentumSweep(params, M, Ws[l]!, bs[l]!, inn, units, d[l + 1]!, a[l]!, sums, opt.lr, opt.momentum, l2x2[l]!);
      else sgdSweep(params, Ws[l]!, bs[l]!, inn, units, d[l + 1]!, a[l]!, sums, opt.lr, l2x2[l]!);
      if (l > 0) activationBackward(kinds[l - 1]!, s[l]!, a[l]!, d[l]!, inn);
    }
    return loss;
  }

  /** Batch of n > 1: gradient sums per sample, then the optimizer once per tensor. */
  function stepMany(X: Float64Array, Y: Float64Array, from: number, n: number): number {
    let loss = 0;
    for (let r = from; r < from + n; r++) {
      forward(X, r * sizes[0]!);
      loss += lossAndTopDelta(Y, r * outSize);
      for (let l = L - 1; l >= 0; l--) {
        accumulateSweep(params, G, Ws[l]!, bs[l]!, sizes[l]!, sizes[l + 1]!, d[l + 1]!, a[l]!, l > 0 ? s[l]! : null);
        if (l > 0) activationBackward(kinds[l - 1]!, s[l]!, a[l]!, d[l]!, sizes[l]!);
      }
    }
    loss = loss / n + penalty();
    const inv = 1 / n;
    if (opt.name === "adam") {
      t++;
      const alpha = (opt.lr * Math.sqrt(1 - Math.pow(opt.beta2, t))) / (1 - Math.pow(opt.beta1, t));
      for (let l = 0; l < L; l++) {
        adamTensor(params, G, M, V, Ws[l]!, sizes[l]! * sizes[l + 1]!, inv, l2x2[l]!, alpha, 1 - opt.beta1, 1 - opt.beta2, opt.epsilon);
        adamTensor(params, G, M, V, bs[l]!, sizes[l + 1]!, inv, 0, alpha, 1 - opt.beta1, 1 - opt.beta2, opt.epsilon);
      }
    } else {
      for (let l = 0; l < L; l++) {
        sgdTensor(params, G, M, Ws[l]!, sizes[l]! * sizes[l + 1]!, inv, l2x2[l]!, opt.lr, opt.momentum);
        sgdTensor(params, G, M, bs[l]!, sizes[l + 1]!, inv, 0, opt.lr, opt.momentum);
      }
    }
    return loss;
  }

  return {
    params,
    predict(x, xo, out) {
      forward(x, xo);
      out.set(a[L]!);
    },
    trainBatch(X, Y, from, n) {
      return n === 1 ? stepOne(X, Y, from) : stepMany(X, Y, from, n);
    },
  };
}

/** Adam on one tensor [at, at + size): the batch mean of G (+ the L2 gradient), cleared for the next batch. */
function adamTensor(P: Float64Array, G: Float64Array, M: Float64Array, V: Float64Array, at: number, size: number, inv: number, l2x2: number, alpha: number, c1: number, c2: number, eps: number): void {
  for (let k = at; k < at + size; k++) {
    const w = P[k]!;
    const g = G[k]! * inv + l2x2 * w;
    G[k] = 0;
    const m = M[k]! + (g - M[k]!) * c1;
    const v = V[k]! + (g * g - V[k]!) * c2;
    M[k] = m;
    V[k] = v;
    P[k] = w - (m * alpha) / (Math.sqrt(v) + eps);
  }
}

/** SGD (momentum μ, or none) on one tensor, as adamTensor. */
function sgdTensor(P: Float64Array, G: Float64Array, Vel: Float64Array, at: number, size: number, inv: number, l2x2: number, lr: number, mu: number): void {
  if (mu === 0) {
    for (let k = at; k < at + size; k++) {
      P[k] = P[k]! - lr * (G[k]! * inv + l2x2 * P[k]!);
      G[k] = 0;
    }
    return;
  }
  for (let k = at; k < at + size; k++) {
    const v = mu * Vel[k]! - lr * (G[k]! * inv + l2x2 * P[k]!);
    G[k] = 0;
    Vel[k] = v;
    P[k] = P[k]! + v;
  }
}
