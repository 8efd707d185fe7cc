// The WebAssembly SIMD yardstick: the best single-thread matrix-matrix rate this machine reaches in
// WebAssembly SIMD (f32x4 and f64x2, one thread, no relaxed SIMD), measured in `npm run bench`
// beside the JavaScript one (gemm-peak.ts) and used for issue 16's fractions: nnc's
// `--kernels wasm` steps against the yardstick of their own precision. The kernels
// (wasm-peak-kernel.ts) are the tiles that came out fastest in bench/wasm-peak-tune.ts over every
// tile fitting the vector registers, both layouts, on three shapes unlike MNIST's: packed panels
// with 2 × 4 and 4 × 2 register tiles (f32x4 reached about 59 GFLOP/s, f64x2 about 29, on the
// machine of bench/RESULTS.md); they are timed on those three shapes and the best rate is the
// yardstick.
//
//   const { gflops, kernel } = wasmPeak("f32");   // e.g. { gflops: 59.7, kernel: "f32 2x4 packed, 192x192x192" }

import type { GemmPeak } from "./gemm-peak.js";
import { type PeakKernel, type PeakPrecision, type PeakTile, buildPeakKernel } from "./wasm-peak-kernel.js";

export type { PeakPrecision };

const SHAPES: [number, number, number][] = [
  [192, 192, 192],
  [96, 384, 512],
  [384, 96, 128],
];
const TILES = (precision: PeakPrecision): PeakTile[] => [
  { precision, rows: 2, vectors: 4, layout: "packed", unroll: 1 },
  { precision, rows: 4, vectors: 2, layout: "packed", unroll: 1 },
];

const built = new Map<PeakPrecision, PeakKernel[]>();
/** The kernels of a precision, built (and checked) on first use. */
function kernels(precision: PeakPrecision): PeakKernel[] {
  let list = built.get(precision);
  if (!list) {
    list = TILES(precision).flatMap((t) => SHAPES.map(([m, n, k]) => buildPeakKernel(t, m, n, k)));
    built.set(precision, list);
  }
  return list;
}

/** The best rate of the yardstick's kernels at `precision`, each timed for `seconds` (wall clock, best run). */
export function wasmPeak(precision: PeakPrecision, seconds = 0.2): GemmPeak {
  const all: { kernel: string; gflops: number }[] = [];
  for (const k of kernels(precision)) {
    for (let i = 0; i < 5; i++) k.run();
    let best = Infinity;
    const until = performance.now() + seconds * 1000;
    while (performance.now() < until) {
      const t0 = performance.now();
      k.run();
      best = Math.min(best, performance.now() - t0);
    }
    all.push({ kernel: k.name, gflops: k.flops / best / 1e6 });
  }
  const top = all.reduce((a, b) => (b.gflops > a.gflops ? b : a));
  return { gflops: top.gflops, kernel: top.kernel, all };
}
