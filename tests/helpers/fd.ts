// Central finite differences and the error measure used by gradient tests.

/** Deterministic pseudo-random numbers for test data (not the runtime's Rng, on purpose). */
export function testRandom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/** |a − b| / max(|a|, |b|, 1): relative for large values, absolute near zero. */
export function relError(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1);
}

/** ∂f/∂v[i] by central differences for every i, or only at `indices` (NaN elsewhere); v is restored afterwards. */
export function finiteDifferences(f: () => number, v: Float64Array, h = 1e-6, indices?: readonly number[]): Float64Array {
  const out = new Float64Array(v.length).fill(indices ? NaN : 0);
  for (const i of indices ?? v.keys()) {
    const keep = v[i]!;
    const step = h * Math.max(1, Math.abs(keep));
    v[i] = keep + step;
    const up = f();
    v[i] = keep - step;
    const down = f();
    v[i] = keep;
    out[i] = (up - down) / (2 * step);
  }
  return out;
}
