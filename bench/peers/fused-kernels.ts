// The loops of the fused hand-written peer (plain-fused.ts), each a small function of its own so
// that V8 optimizes it whole. Dense layers in nnc's layout: kernel [units, inn] row-major at W in
// the flat parameters P, bias at b. Vectors are read at an offset (the input rows straight from
// the data); "4" kernels take four samples at once, stored one after another (stride = size).

export const SIGMOID = 0;
export const TANH = 1;
export const RELU = 2;
export const SOFTMAX = 3;

/** out[oo + o] = b[o] + Σ_i W[o, i]·inp[io + i], four rows per sweep over the input. */
export function denseForward(P: Float64Array, W: number, b: number, inn: number, units: number, inp: Float64Array, io: number, out: Float64Array, oo: number): void {
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
      const x = inp[io + i]!;
      s0 += P[r0 + i]! * x;
      s1 += P[r1 + i]! * x;
      s2 += P[r2 + i]! * x;
      s3 += P[r3 + i]! * x;
    }
    out[oo + o] = P[b + o]! + s0;
    out[oo + o + 1] = P[b + o + 1]! + s1;
    out[oo + o + 2] = P[b + o + 2]! + s2;
    out[oo + o + 3] = P[b + o + 3]! + s3;
  }
  for (; o < units; o++) {
    const r = W + o * inn;
    let s = 0;
    for (let i = 0; i < inn; i++) s += P[r + i]! * inp[io + i]!;
    out[oo + o] = P[b + o]! + s;
  }
}

/**
 * Four samples (inputs at io + k·inn, outputs at k·units): tiles of four rows × four samples,
 * sixteen sums per sweep over the inputs (each weight and input value loaded once per tile).
 */
export function denseForward4(P: Float64Array, W: number, b: number, inn: number, units: number, inp: Float64Array, io: number, out: Float64Array): void {
  const i0 = io;
  const i1 = i0 + inn;
  const i2 = i1 + inn;
  const i3 = i2 + inn;
  let o = 0;
  for (; o + 3 < units; o += 4) {
    const r0 = W + o * inn;
    const r1 = r0 + inn;
    const r2 = r1 + inn;
    const r3 = r2 + inn;
    let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
    let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
    for (let i = 0; i < inn; i++) {
      const x0 = inp[i0 + i]!, x1 = inp[i1 + i]!, x2 = inp[i2 + i]!, x3 = inp[i3 + i]!;
      const w0 = P[r0 + i]!, w1 = P[r1 + i]!, w2 = P[r2 + i]!, w3 = P[r3 + i]!;
      c00 += w0 * x0; c01 += w0 * x1; c02 += w0 * x2; c03 += w0 * x3;
      c10 += w1 * x0; c11 += w1 * x1; c12 += w1 * x2; c13 += w1 * x3;
      c20 += w2 * x0; c21 += w2 * x1; c22 += w2 * x2; c23 += w2 * x3;
      c30 += w3 * x0; c31 += w3 * x1; c32 += w3 * x2; c33 += w3 * x3;
    }
    const b0 = P[b + o]!, b1 = P[b + o + 1]!, b2 = P[b + o + 2]!, b3 = P[b + o + 3]!;
    out[o] = b0 + c00; out[o + 1] = b1 + c10; out[o + 2] = b2 + c20; out[o + 3] = b3 + c30;
    const u1 = units + o, u2 = u1 + units, u3 = u2 + units;
    out[u1] = b0 + c01; out[u1 + 1] = b1 + c11; out[u1 + 2] = b2 + c21; out[u1 + 3] = b3 + c31;
    out[u2] = b0 + c02; out[u2 + 1] = b1 + c12; out[u2 + 2] = b2 + c22; out[u2 + 3] = b3 + c32;
    out[u3] = b0 + c03; out[u3 + 1] = b1 + c13; out[u3 + 2] = b2 + c23; out[u3 + 3] = b3 + c33;
  }
  for (; o < units; o++) {
    const r = W + o * inn;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let i = 0; i < inn; i++) {
      const w = P[r + i]!;
      s0 += w * inp[i0 + i]!;
      s1 += w * inp[i1 + i]!;
      s2 += w * inp[i2 + i]!;
      s3 += w * inp[i3 + i]!;
    }
    const bo = P[b + o]!;
    out[o] = bo + s0;
    out[units + o] = bo + s1;
    out[2 * units + o] = bo + s2;
    out[3 * units + o] = bo + s3;
  }
}

/** The activation in place on v[at, at + n). */
export function activate(kind: number, v: Float64Array, at: number, n: number): void {
  const end = at + n;
  if (kind === SIGMOID) for (let o = at; o < end; o++) v[o] = 1 / (1 + Math.exp(-v[o]!));
  else if (kind === TANH) for (let o = at; o < end; o++) v[o] = Math.tanh(v[o]!);
  else if (kind === RELU) for (let o = at; o < end; o++) v[o] = v[o]! > 0 ? v[o]! : 0;
  else {
    let max = -Infinity;
    for (let o = at; o < end; o++) if (v[o]! > max) max = v[o]!;
    let sum = 0;
    for (let o = at; o < end; o++) sum += v[o] = Math.exp(v[o]! - max);
    const inv = 1 / sum;
    for (let o = at; o < end; o++) v[o] = v[o]! * inv;
  }
}

/** delta[i] = s[i]·f′ at the activation value a[i] (sigmoid, tanh, relu), for i < n. */
export function activationBackward(kind: number, s: Float64Array, a: Float64Array, delta: Float64Array, n: number): void {
  if (kind === SIGMOID) for (let i = 0; i < n; i++) delta[i] = s[i]! * (a[i]! * (1 - a[i]!));
  else if (kind === TANH) for (let i = 0; i < n; i++) delta[i] = s[i]! * (1 - a[i]! * a[i]!);
  else for (let i = 0; i < n; i++) delta[i] = a[i]! > 0 ? s[i]! : 0;
}

/**
 * Batch 1, plain SGD: W -= lr·(δaᵀ + 2·l2·W), b -= lr·δ, and (when s is given) s = Wᵀδ with W
 * before its update, in one sweep over W (l2x2 = 2·l2; the loops without the penalty apart, as
 * the benchmark's MNIST SGD has none).
 */
export function sgdSweep(P: Float64Array, W: number, b: number, inn: number, units: number, delta: Float64Array, a: Float64Array, ao: number, s: Float64Array | null, lr: number, l2x2: number): void {
  if (s !== null) for (let i = 0; i < inn; i++) s[i] = 0;
  for (let o = 0; o < units; o++) {
    const g = delta[o]!;
    const c = lr * g;
    const r = W + o * inn;
    if (l2x2 !== 0) {
      const decay = lr * l2x2;
      for (let i = 0; i < inn; i++) {
        const w = P[r + i]!;
        if (s !== null) s[i] = s[i]! + w * g;
        P[r + i] = w - (c * a[ao + i]! + decay * w);
      }
    } else if (s === null) {
      for (let i = 0; i < inn; i++) P[r + i] = P[r + i]! - c * a[ao + i]!;
    } else {
      for (let i = 0; i < inn; i++) {
        const w = P[r + i]!;
        s[i] = s[i]! + w * g;
        P[r + i] = w - c * a[ao + i]!;
      }
    }
    P[b + o] = P[b + o]! - c;
  }
}

/**
 * Batch 1, SGD with momentum μ ≠ 0 (Keras: v = μv − lr·g, p += v) and the L2 gradient 2·l2·w
 * (l2x2 = 2·l2), fused as sgdSweep.
 */
export function momentumSweep(P: Float64Array, Vel: Float64Array, W: number, b: number, inn: number, units: number, delta: Float64Array, a: Float64Array, ao: number, s: Float64Array | null, lr: number, mu: number, l2x2: number): void {
  if (s !== null) for (let i = 0; i < inn; i++) s[i] = 0;
  for (let o = 0; o < units; o++) {
    const g = delta[o]!;
    const r = W + o * inn;
    for (let i = 0; i < inn; i++) {
      const w = P[r + i]!;
      if (s !== null) s[i] = s[i]! + w * g;
      const v = mu * Vel[r + i]! - lr * (g * a[ao + i]! + l2x2 * w);
      Vel[r + i] = v;
      P[r + i] = w + v;
    }
    const v = mu * Vel[b + o]! - lr * g;
    Vel[b + o] = v;
    P[b + o] = P[b + o]! + v;
  }
}

/** Batch 1, Adam (alpha the step's bias-corrected rate, c1 = 1 − β1, c2 = 1 − β2), fused as sgdSweep. */
export function adamSweep(P: Float64Array, M: Float64Array, V: Float64Array, W: number, b: number, inn: number, units: number, delta: Float64Array, a: Float64Array, ao: number, s: Float64Array | null, alpha: number, c1: number, c2: number, eps: number, l2x2: number): void {
  if (s !== null) for (let i = 0; i < inn; i++) s[i] = 0;
  for (let o = 0; o < units; o++) {
    const g = delta[o]!;
    const r = W + o * inn;
    for (let i = 0; i < inn; i++) {
      const k = r + i;
      const w = P[k]!;
      if (s !== null) s[i] = s[i]! + w * g;
      const gw = g * a[ao + i]! + l2x2 * w;
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

/** One sample of a batch: G += δaᵀ, G_b += δ and (when s is given) s = Wᵀδ, one sweep over W and G. */
export function accumulateSweep(P: Float64Array, G: Float64Array, W: number, b: number, inn: number, units: number, delta: Float64Array, a: Float64Array, ao: number, s: Float64Array | null): void {
  if (s !== null) for (let i = 0; i < inn; i++) s[i] = 0;
  for (let o = 0; o < units; o++) {
    const g = delta[o]!;
    const r = W + o * inn;
    if (s !== null) {
      for (let i = 0; i < inn; i++) {
        s[i] = s[i]! + P[r + i]! * g;
        G[r + i] = G[r + i]! + g * a[ao + i]!;
      }
    } else {
      for (let i = 0; i < inn; i++) G[r + i] = G[r + i]! + g * a[ao + i]!;
    }
    G[b + o] = G[b + o]! + g;
  }
}

/**
 * Four samples of a batch (deltas at k·units, inputs at ao + k·inn, sums s at k·inn): G += Σ_k
 * δ_k a_kᵀ reading and writing G once, and s_k = Wᵀδ_k when s is given.
 */
export function accumulateSweep4(P: Float64Array, G: Float64Array, W: number, b: number, inn: number, units: number, delta: Float64Array, a: Float64Array, ao: number, s: Float64Array | null): void {
  const a0 = ao;
  const a1 = a0 + inn;
  const a2 = a1 + inn;
  const a3 = a2 + inn;
  if (s !== null) for (let i = 0; i < 4 * inn; i++) s[i] = 0;
  for (let o = 0; o < units; o++) {
    const d0 = delta[o]!, d1 = delta[units + o]!, d2 = delta[2 * units + o]!, d3 = delta[3 * units + o]!;
    const r = W + o * inn;
    if (s !== null) {
      for (let i = 0; i < inn; i++) {
        const w = P[r + i]!;
        s[i] = s[i]! + w * d0;
        s[inn + i] = s[inn + i]! + w * d1;
        s[2 * inn + i] = s[2 * inn + i]! + w * d2;
        s[3 * inn + i] = s[3 * inn + i]! + w * d3;
        G[r + i] = G[r + i]! + (d0 * a[a0 + i]! + d1 * a[a1 + i]! + d2 * a[a2 + i]! + d3 * a[a3 + i]!);
      }
    } else {
      for (let i = 0; i < inn; i++) G[r + i] = G[r + i]! + (d0 * a[a0 + i]! + d1 * a[a1 + i]! + d2 * a[a2 + i]! + d3 * a[a3 + i]!);
    }
    G[b + o] = G[b + o]! + (d0 + d1 + d2 + d3);
  }
}

/** Adam on one tensor [at, at + size): the batch mean of G (+ the L2 gradient), G cleared for the next batch. */
export function adamTensor(P: Float64Array, G: Float64Array, M: Float64Array, V: Float64Array, at: number, size: number, inv: number, l2x2: number, alpha: number, c1: number, c2: number, eps: number): void {
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
export function sgdTensor(P: Float64Array, G: Float64Array, Vel: Float64Array, at: number, size: number, inv: number, l2x2: number, lr: number, mu: number): void {
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
