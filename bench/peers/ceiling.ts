// The per-sample ceiling of issue 15: MNIST 784-128-10 (relu, softmax, categorical
// cross-entropy) trained with plain SGD at batch 1 by the least work a dense step can do in one
// JavaScript thread: per layer one matrix-vector product forward and one fused pass over the
// weights for the gradient and the update (W -= lr·δxᵀ; the output layer's pass also forms Wᵀδ
// with each weight before its update), sizes baked in as constants. Dense on purpose: it does
// not skip the rows of inactive relu units (δ = 0) or the zero pixels, which would make the
// ceiling depend on the data. Same numbers as nnc's bench/mnist-plain-sgd.nn, to rounding.
//
//   const net = mnistSgdCeiling(params.slice(), 0.01);
//   net.trainBatch(X, Y, r, 1);   // one step on row r

import type { PlainNet } from "./plain.js";

const IN = 784;
const HID = 128;
const OUT = 10;
const W1 = 0;
const B1 = IN * HID;
const W2 = B1 + HID;
const B2 = W2 + HID * OUT;
export const CEILING_PARAMS = B2 + OUT;

/** h[o] = b[o] + Σ_i P[w + o·n + i]·x[xo + i] for o < rows (a multiple of 4), four rows per sweep. */
function matVec(P: Float64Array, w: number, b: number, n: number, rows: number, x: Float64Array, xo: number, h: Float64Array): void {
  for (let o = 0; o < rows; o += 4) {
    const r0 = w + o * n;
    const r1 = r0 + n;
    const r2 = r1 + n;
    const r3 = r2 + n;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let i = 0; i < n; i++) {
      const v = x[xo + i]!;
      s0 += P[r0 + i]! * v;
      s1 += P[r1 + i]! * v;
      s2 += P[r2 + i]! * v;
      s3 += P[r3 + i]! * v;
    }
    h[o] = P[b + o]! + s0;
    h[o + 1] = P[b + o + 1]! + s1;
    h[o + 2] = P[b + o + 2]! + s2;
    h[o + 3] = P[b + o + 3]! + s3;
  }
}

/** The hidden layer's update: W1 -= lr·δ xᵀ, two rows per sweep over x; b1 -= lr·δ. */
function rank1Update(P: Float64Array, X: Float64Array, xo: number, delta: Float64Array, lr: number): void {
  for (let o = 0; o < HID; o += 2) {
    const c0 = lr * delta[o]!;
    const c1 = lr * delta[o + 1]!;
    const r0 = W1 + o * IN;
    const r1 = r0 + IN;
    for (let i = 0; i < IN; i++) {
      const v = X[xo + i]!;
      P[r0 + i] = P[r0 + i]! - c0 * v;
      P[r1 + i] = P[r1 + i]! - c1 * v;
    }
    P[B1 + o] = P[B1 + o]! - lr * delta[o]!;
    P[B1 + o + 1] = P[B1 + o + 1]! - lr * delta[o + 1]!;
  }
}

export function mnistSgdCeiling(params: Float64Array, lr: number): PlainNet {
  if (params.length !== CEILING_PARAMS) throw new Error(`mnistSgdCeiling: ${CEILING_PARAMS} parameters expected, got ${params.length}`);
  const h = new Float64Array(HID);
  const z = new Float64Array(OUT + 2); // 12: matVec's four-row sweeps
  const s = new Float64Array(HID);
  const delta = new Float64Array(HID);

  function forward(X: Float64Array, xo: number): void {
    matVec(params, W1, B1, IN, HID, X, xo, h);
    for (let o = 0; o < HID; o++) if (!(h[o]! > 0)) h[o] = 0;
    // The output layer has 10 rows: two four-row sweeps and two single rows.
    matVec(params, W2, B2, HID, 8, h, 0, z);
    for (let o = 8; o < OUT; o++) {
      let acc = 0;
      const r = W2 + o * HID;
      for (let i = 0; i < HID; i++) acc += params[r + i]! * h[i]!;
      z[o] = params[B2 + o]! + acc;
    }
    let max = -Infinity;
    for (let o = 0; o < OUT; o++) if (z[o]! > max) max = z[o]!;
    let sum = 0;
    for (let o = 0; o < OUT; o++) sum += z[o] = Math.exp(z[o]! - max);
    const inv = 1 / sum;
    for (let o = 0; o < OUT; o++) z[o] = z[o]! * inv;
  }

  return {
    params,
    predict(x, xo, out) {
      forward(x, xo);
      for (let o = 0; o < OUT; o++) out[o] = z[o]!;
    },
    trainBatch(X, Y, from, n) {
      if (n !== 1) throw new Error("mnistSgdCeiling: batch 1 only");
      const xo = from * IN;
      const yo = from * OUT;
      forward(X, xo);
      let loss = 0;
      for (let o = 0; o < OUT; o++) {
        const y = Y[yo + o]!;
        if (y !== 0) loss -= y * Math.log(Math.max(z[o]!, 1e-7));
        z[o] = z[o]! - y; // dz = p − y
      }
      // Output layer: s = W2ᵀ dz with W2 before its update, W2 -= lr·dz hᵀ, one sweep.
      for (let i = 0; i < HID; i++) s[i] = 0;
      for (let o = 0; o < OUT; o++) {
        const g = z[o]!;
        const c = lr * g;
        const r = W2 + o * HID;
        for (let i = 0; i < HID; i++) {
          const w = params[r + i]!;
          s[i] = s[i]! + w * g;
          params[r + i] = w - c * h[i]!;
        }
        params[B2 + o] = params[B2 + o]! - c;
      }
      for (let i = 0; i < HID; i++) delta[i] = h[i]! > 0 ? s[i]! : 0;
      rank1Update(params, X, xo, delta, lr);
      return loss;
    },
  };
}
