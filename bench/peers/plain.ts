// The hand-written peer: a dense network trained with plain loops over Float64Arrays, one sample
// at a time (what a careful JavaScript programmer writes without a compiler), with Keras'
// formulas for the optimizers. It uses nnc's flat parameter layout so it starts from the same
// weights.
//
//   const net = plainNet(spec, params.slice());
//   net.trainBatch(X, Y, 0, 32);   // one update on rows [0, 32)

import type { NetSpec } from "../workloads.js";

export interface PlainNet {
  params: Float64Array;
  /** One optimizer step on rows [from, from + n); returns the batch's mean loss. */
  trainBatch(X: Float64Array, Y: Float64Array, from: number, n: number): number;
  predict(x: Float64Array, xo: number, out: Float64Array): void;
}

const act = {
  sigmoid: (z: number) => 1 / (1 + Math.exp(-z)),
  tanh: Math.tanh,
  relu: (z: number) => (z > 0 ? z : 0),
} as const;

export function plainNet(spec: NetSpec, params: Float64Array): PlainNet {
  if (spec.layers.some((l) => l.dropout)) throw new Error("plainNet: no dropout (its masks could not match nnc's)");
  const L = spec.layers.length;
  const sizes = [spec.inputSize, ...spec.layers.map((l) => l.units)];
  const a = sizes.map((s) => new Float64Array(s)); // activations (a[0] = input)
  const d = sizes.map((s) => new Float64Array(s)); // deltas
  const grad = new Float64Array(params.length);
  const m = new Float64Array(params.length);
  const v = new Float64Array(params.length);
  let t = 0;

  function forward(x: Float64Array, xo: number): void {
    for (let i = 0; i < sizes[0]!; i++) a[0]![i] = x[xo + i]!;
    for (let l = 0; l < L; l++) {
      const { units, activation, W, b } = spec.layers[l]!;
      const inn = sizes[l]!;
      const prev = a[l]!;
      const out = a[l + 1]!;
      for (let o = 0; o < units; o++) {
        let s = params[b + o]!;
        for (let i = 0; i < inn; i++) s += params[W + o * inn + i]! * prev[i]!;
        out[o] = s;
      }
      if (activation === "softmax") {
        let max = -Infinity;
        for (let o = 0; o < units; o++) max = Math.max(max, out[o]!);
        let sum = 0;
        for (let o = 0; o < units; o++) sum += out[o] = Math.exp(out[o]! - max);
        for (let o = 0; o < units; o++) out[o] = out[o]! / sum;
      } else {
        const f = act[activation];
        for (let o = 0; o < units; o++) out[o] = f(out[o]!);
      }
    }
  }

  function lossOf(Y: Float64Array, yo: number): number {
    const p = a[L]!;
    const eps = 1e-7;
    let loss = 0;
    if (spec.loss === "binary_crossentropy") {
      for (let o = 0; o < p.length; o++) {
        const q = Math.min(Math.max(p[o]!, eps), 1 - eps);
        loss -= Y[yo + o]! * Math.log(q) + (1 - Y[yo + o]!) * Math.log(1 - q);
      }
      return loss / p.length;
    }
    for (let o = 0; o < p.length; o++) loss -= Y[yo + o]! * Math.log(Math.max(p[o]!, eps));
    return loss;
  }

  function backward(Y: Float64Array, yo: number): void {
    const top = d[L]!;
    const p = a[L]!;
    // Sigmoid + binary cross-entropy and softmax + categorical cross-entropy: dz = p − y.
    const scale = spec.loss === "binary_crossentropy" ? 1 / p.length : 1;
    for (let o = 0; o < p.length; o++) top[o] = (p[o]! - Y[yo + o]!) * scale;
    for (let l = L - 1; l >= 0; l--) {
      const { units, W, b } = spec.layers[l]!;
      const inn = sizes[l]!;
      const delta = d[l + 1]!;
      const prev = a[l]!;
      for (let o = 0; o < units; o++) {
        const g = delta[o]!;
        grad[b + o] += g;
        const row = W + o * inn;
        for (let i = 0; i < inn; i++) grad[row + i] += g * prev[i]!;
      }
      if (l === 0) break;
      const below = d[l]!;
      const f = spec.layers[l - 1]!.activation;
      for (let i = 0; i < inn; i++) {
        let s = 0;
        for (let o = 0; o < units; o++) s += params[W + o * inn + i]! * delta[o]!;
        const y = prev[i]!;
        below[i] = s * (f === "sigmoid" ? y * (1 - y) : f === "tanh" ? 1 - y * y : y > 0 ? 1 : 0);
      }
    }
  }

  return {
    params,
    predict(x, xo, out) {
      forward(x, xo);
      out.set(a[L]!);
    },
    trainBatch(X, Y, from, n) {
      grad.fill(0);
      let loss = 0;
      for (let r = from; r < from + n; r++) {
        forward(X, r * spec.inputSize);
        loss += lossOf(Y, r * sizes[L]!);
        backward(Y, r * sizes[L]!);
      }
      for (let i = 0; i < grad.length; i++) grad[i] = grad[i]! / n;
      for (const layer of spec.layers) {
        if (!layer.l2) continue;
        const size = layer.units * sizes[spec.layers.indexOf(layer)]!;
        for (let i = 0; i < size; i++) {
          const w = params[layer.W + i]!;
          loss += layer.l2 * w * w * n; // the penalty is part of every sample's loss
          grad[layer.W + i] += 2 * layer.l2 * w;
        }
      }
      const opt = spec.optimizer;
      if (opt.name === "adam") {
        t++;
        const alpha = (opt.lr * Math.sqrt(1 - Math.pow(opt.beta2, t))) / (1 - Math.pow(opt.beta1, t));
        for (let i = 0; i < params.length; i++) {
          const g = grad[i]!;
          m[i] = m[i]! + (g - m[i]!) * (1 - opt.beta1);
          v[i] = v[i]! + (g * g - v[i]!) * (1 - opt.beta2);
          params[i] -= (m[i]! * alpha) / (Math.sqrt(v[i]!) + opt.epsilon);
        }
      } else {
        for (let i = 0; i < params.length; i++) {
          m[i] = opt.momentum * m[i]! - opt.lr * grad[i]!;
          params[i] += m[i]!;
        }
      }
      return loss / n;
    },
  };
}
