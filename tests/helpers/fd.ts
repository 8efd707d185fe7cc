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

/** ∂f/∂v[i] for every i by central differences (v is restored afterwards). */
export function finiteDifferences(f: () => number, v: Float64Array, h = 1e-6): Float64Array {
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
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
