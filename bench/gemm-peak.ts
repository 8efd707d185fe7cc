// The best single-thread matrix-matrix rate plain JavaScript reaches on this machine: hand-tuned
// Float64Array kernels (register tiles of 4 × 4 accumulators, both operands read along rows),
// timed on MNIST-like shapes and a square one; the best rate is the yardstick the benchmark
// reports every workload against.
//
//   const { gflops, kernel } = gemmPeak();   // e.g. { gflops: 4.6, kernel: "dot 4x4, 128x784x32" }

/** C[i, j] = Σ_k A[i, k] B[j, k] (both row-major along k), 4 × 4 tiles; m, n multiples of 4. */
function dot4x4(C: Float64Array, A: Float64Array, B: Float64Array, m: number, n: number, k: number): void {
  for (let i = 0; i < m; i += 4) {
    const a0 = i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
    for (let j = 0; j < n; j += 4) {
      const b0 = j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let p = 0; p < k; p++) {
        const x0 = A[a0 + p]!, x1 = A[a1 + p]!, x2 = A[a2 + p]!, x3 = A[a3 + p]!;
        const y0 = B[b0 + p]!, y1 = B[b1 + p]!, y2 = B[b2 + p]!, y3 = B[b3 + p]!;
        c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
        c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
        c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2; c23 += x2 * y3;
        c30 += x3 * y0; c31 += x3 * y1; c32 += x3 * y2; c33 += x3 * y3;
      }
      const r0 = i * n + j, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
      C[r0] = c00; C[r0 + 1] = c01; C[r0 + 2] = c02; C[r0 + 3] = c03;
      C[r1] = c10; C[r1 + 1] = c11; C[r1 + 2] = c12; C[r1 + 3] = c13;
      C[r2] = c20; C[r2 + 1] = c21; C[r2 + 2] = c22; C[r2 + 3] = c23;
      C[r3] = c30; C[r3 + 1] = c31; C[r3 + 2] = c32; C[r3 + 3] = c33;
    }
  }
}

/** C[i, j] = Σ_k A[i, k] B[j, k], 2 × 4 tiles (fewer accumulators: no register spills); m even, n a multiple of 4. */
function dot2x4(C: Float64Array, A: Float64Array, B: Float64Array, m: number, n: number, k: number): void {
  for (let j = 0; j < n; j += 4) {
    const b0 = j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
    for (let i = 0; i < m; i += 2) {
      const a0 = i * k, a1 = a0 + k;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      for (let p = 0; p < k; p++) {
        const x0 = A[a0 + p]!, x1 = A[a1 + p]!;
        const y0 = B[b0 + p]!, y1 = B[b1 + p]!, y2 = B[b2 + p]!, y3 = B[b3 + p]!;
        c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
        c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
      }
      const r0 = i * n + j, r1 = r0 + n;
      C[r0] = c00; C[r0 + 1] = c01; C[r0 + 2] = c02; C[r0 + 3] = c03;
      C[r1] = c10; C[r1 + 1] = c11; C[r1 + 2] = c12; C[r1 + 3] = c13;
    }
  }
}

/** C[i, j] += Σ_k A[i, k] B[k, j] (B along rows), 2 × 4 tiles swept down k; n a multiple of 4, m of 2. */
function axpy2x4(C: Float64Array, A: Float64Array, B: Float64Array, m: number, n: number, k: number): void {
  for (let i = 0; i < m; i += 2) {
    for (let j = 0; j < n; j += 4) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      for (let p = 0; p < k; p++) {
        const x0 = A[i * k + p]!, x1 = A[(i + 1) * k + p]!;
        const r = p * n + j;
        const y0 = B[r]!, y1 = B[r + 1]!, y2 = B[r + 2]!, y3 = B[r + 3]!;
        c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
        c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
      }
      const r0 = i * n + j, r1 = r0 + n;
      C[r0] += c00; C[r0 + 1] += c01; C[r0 + 2] += c02; C[r0 + 3] += c03;
      C[r1] += c10; C[r1 + 1] += c11; C[r1 + 2] += c12; C[r1 + 3] += c13;
    }
  }
}

export interface GemmPeak {
  gflops: number;
  kernel: string;
  all: { kernel: string; gflops: number }[];
}

export function gemmPeak(seconds = 0.4): GemmPeak {
  const shapes: [number, number, number][] = [
    [32, 128, 784],
    [128, 128, 128],
    [256, 256, 256],
  ];
  const all: { kernel: string; gflops: number }[] = [];
  for (const [m, n, k] of shapes) {
    const A = Float64Array.from({ length: m * k }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
    const B = Float64Array.from({ length: n * k }, (_, i) => ((i * 104729) % 1000) / 1000 - 0.5);
    const C = new Float64Array(m * n);
    for (const [name, f] of [
      ["dot 4x4", dot4x4],
      ["dot 2x4", dot2x4],
      ["axpy 2x4", axpy2x4],
    ] as const) {
      for (let i = 0; i < 5; i++) f(C, A, B, m, n, k);
      let best = Infinity;
      const until = performance.now() + seconds * 1000;
      while (performance.now() < until) {
        const t0 = performance.now();
        f(C, A, B, m, n, k);
        best = Math.min(best, performance.now() - t0);
      }
      all.push({ kernel: `${name}, ${m}x${n}x${k}`, gflops: (2 * m * n * k) / best / 1e6 });
    }
  }
  const top = all.reduce((a, b) => (b.gflops > a.gflops ? b : a));
  return { gflops: top.gflops, kernel: top.kernel, all };
}
