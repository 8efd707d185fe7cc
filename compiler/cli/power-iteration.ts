// The largest eigenvalue of a symmetric matrix known only through products H v (a model's
// Hessian, through its generated hvpBatch): power iteration with the Rayleigh quotient. Power
// iteration finds the eigenvalue of largest magnitude; when that one is negative (a saddle or a
// maximum along it), a second run on H − μI finds the largest one, which is what bounds a stable
// gradient-descent step (2/λ_max).
//
//   const r = largestEigenvalue((v, out) => mod.hvpBatch(params, X, Y, v, out), mod.model.paramCount);
//   r.largest.value;   // λ_max;  r.extreme: the eigenvalue of largest magnitude, when it is negative

export interface PowerResult {
  /** The eigenvalue's estimate (the Rayleigh quotient vᵀHv of the last unit vector). */
  value: number;
  /** Iterations run, and whether the estimate settled within the tolerance before the limit. */
  iterations: number;
  converged: boolean;
}

export interface EigenResult {
  /** λ_max, the largest (most positive) eigenvalue. */
  largest: PowerResult;
  /** The eigenvalue of largest magnitude when it is negative (then H is not positive semi-definite there). */
  negative?: PowerResult;
}

export interface PowerOptions {
  /** Most products to take per run (default 300). */
  maxIterations?: number;
  /** Relative change of the estimate between iterations that counts as settled (default 1e-6). */
  tolerance?: number;
  /** Seed of the start vector (default 0). */
  seed?: number;
}

/** A deterministic start vector: a sfc-like hash of (seed, i) mapped to [−1, 1). */
function startVector(size: number, seed: number): Float64Array {
  const v = new Float64Array(size);
  let s = (seed ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < size; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    v[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return v;
}

function normalize(v: Float64Array): number {
  let s = 0;
  for (const x of v) s += x * x;
  const n = Math.sqrt(s);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i]! /= n;
  return n;
}

/** Power iteration on H − shift·I; returns the estimate of its dominant eigenvalue plus shift. */
function powerIteration(hvp: (v: Float64Array, out: Float64Array) => void, size: number, shift: number, opts: PowerOptions): PowerResult {
  const maxIterations = opts.maxIterations ?? 300;
  const tolerance = opts.tolerance ?? 1e-6;
  const v = startVector(size, opts.seed ?? 0);
  normalize(v);
  const w = new Float64Array(size);
  let previous = NaN;
  for (let k = 1; k <= maxIterations; k++) {
    hvp(v, w);
    let rayleigh = 0;
    for (let i = 0; i < size; i++) {
      w[i]! -= shift * v[i]!;
      rayleigh += v[i]! * w[i]!;
    }
    const value = rayleigh + shift;
    if (normalize(w) === 0) return { value: shift, iterations: k, converged: true }; // v is in H − shift·I's null space
    v.set(w);
    if (Math.abs(value - previous) <= tolerance * Math.max(Math.abs(value), 1e-300)) return { value, iterations: k, converged: true };
    previous = value;
  }
  return { value: previous, iterations: maxIterations, converged: false };
}

/** λ_max of H, and the most negative eigenvalue when it outweighs λ_max. */
export function largestEigenvalue(hvp: (v: Float64Array, out: Float64Array) => void, size: number, opts: PowerOptions = {}): EigenResult {
  const dominant = powerIteration(hvp, size, 0, opts);
  if (dominant.value >= 0) return { largest: dominant };
  // Every eigenvalue of H − μI is ≥ 0 when μ is the most negative one: its dominant one is λ_max − μ.
  return { largest: powerIteration(hvp, size, dominant.value, opts), negative: dominant };
}
