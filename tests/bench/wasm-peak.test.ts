// The WebAssembly SIMD yardstick of `npm run bench` (bench/wasm-peak.ts): its kernels compute
// C = A·B in every tile shape, layout, unrolling and precision the tuning script tries (a wrong
// kernel must not set the yardstick), refuse shapes their tiles do not fit, and the bench's
// measurement reports a rate for each of its kernels.

import { describe, expect, it } from "vitest";
import { type PeakTile, buildPeakKernel } from "../../bench/wasm-peak-kernel.js";
import { wasmPeak } from "../../bench/wasm-peak.js";

/** C = A·B by the textbook loop, in f64. */
function product(A: ArrayLike<number>, B: ArrayLike<number>, m: number, n: number, k: number): Float64Array {
  const C = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) C[i * n + j]! += A[i * k + p]! * B[p * n + j]!;
  return C;
}

describe("the WebAssembly yardstick's kernels", () => {
  const tiles: PeakTile[] = [];
  for (const precision of ["f32", "f64"] as const)
    for (const [rows, vectors] of [[1, 4], [2, 4], [4, 2], [3, 3], [6, 2]] as const)
      for (const layout of ["packed", "rows"] as const) for (const unroll of [1, 2]) tiles.push({ precision, rows, vectors, layout, unroll });

  it.each(tiles)("computes C = A·B: $precision $rows×$vectors $layout, unrolled $unroll", (t) => {
    // m a multiple of 6 and of 4, n of every tile's columns (up to 4 vectors of 4 lanes), k even; none square.
    const [m, n, k] = [12, 48, 10];
    const kernel = buildPeakKernel(t, m, n, k);
    kernel.C.fill(NaN);
    kernel.run();
    const expected = product(kernel.A, kernel.B, m, n, k);
    const tolerance = t.precision === "f64" ? 1e-12 : 1e-5;
    for (let i = 0; i < m * n; i++) expect(Math.abs(kernel.C[i]! - expected[i]!), `C[${i}]`).toBeLessThan(tolerance);
    expect(kernel.flops).toBe(2 * m * n * k);
  });

  it("refuses a shape its tile does not fit", () => {
    expect(() => buildPeakKernel({ precision: "f32", rows: 4, vectors: 2, layout: "packed", unroll: 1 }, 10, 16, 8)).toThrow(/does not fit the tile/);
  });

  it("measures a rate for each of its kernels, the best first in the summary", () => {
    for (const precision of ["f32", "f64"] as const) {
      const peak = wasmPeak(precision, 0.01);
      expect(peak.all.length).toBe(6);
      for (const k of peak.all) expect(k.gflops).toBeGreaterThan(0);
      expect(peak.gflops).toBe(Math.max(...peak.all.map((k) => k.gflops)));
      expect(peak.kernel).toMatch(new RegExp(`^${precision} \\d+x\\d+ packed, \\d+x\\d+x\\d+$`));
    }
  });
});
