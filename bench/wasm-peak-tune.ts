// How the WebAssembly yardstick's tiles (wasm-peak.ts) were chosen: every register tile that fits
// x86-64's 16 vector registers (rows × vectors accumulators + vectors of B + one splat of A), in
// both layouts and unrolled 1 or 2 times, timed on several shapes that are not MNIST's (CPU time,
// best of several rounds, candidates interleaved so that machine load hits them alike).
//
//   node --import tsx bench/wasm-peak-tune.ts [f64|f32] [rounds]

import { type PeakKernel, type PeakTile, buildPeakKernel } from "./wasm-peak-kernel.js";

const precision = (process.argv[2] ?? "f32") as PeakTile["precision"];
const rounds = Number(process.argv[3] ?? 5);
const shapes: [number, number, number][] = [
  [192, 192, 192],
  [96, 384, 512],
  [384, 96, 128],
];
const tiles: PeakTile[] = [];
for (let rows = 1; rows <= 6; rows++) {
  for (let vectors = 1; vectors <= 4; vectors++) {
    if (rows * vectors + vectors + 1 > 16 || rows * vectors < 4) continue;
    for (const layout of ["packed", "rows"] as const) for (const unroll of [1, 2]) tiles.push({ precision, rows, vectors, layout, unroll });
  }
}
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
interface Candidate { tile: PeakTile; kernels: PeakKernel[]; best: number[] }
const fits = (t: PeakTile, [m, n]: [number, number, number]) => m % t.rows === 0 && n % ((t.vectors * 16) / (precision === "f64" ? 8 : 4)) === 0;
const candidates: Candidate[] = tiles.filter((t) => shapes.every((s) => fits(t, s))).map((tile) => ({ tile, kernels: shapes.map(([m, n, k]) => buildPeakKernel(tile, m, n, k)), best: shapes.map(() => Infinity) }));
for (const c of candidates) for (const k of c.kernels) for (let i = 0; i < 3; i++) k.run();
for (let round = 0; round < rounds; round++) {
  for (const c of candidates) {
    c.kernels.forEach((k, s) => {
      const reps = Math.max(1, Math.round(2e8 / k.flops / 8));
      const t0 = cpuMs();
      for (let i = 0; i < reps; i++) k.run();
      c.best[s] = Math.min(c.best[s]!, (cpuMs() - t0) / reps);
    });
  }
}
const rates = candidates.map((c) => ({ name: c.kernels[0]!.name.replace(/,.*/, ""), each: c.kernels.map((k, s) => k.flops / c.best[s]! / 1e6) }));
rates.sort((a, b) => Math.min(...b.each) - Math.min(...a.each));
console.log(`${precision}: GFLOP/s on ${shapes.map((s) => s.join("x")).join(", ")} (sorted by the worst of the three)`);
for (const r of rates) console.log(`${r.name.padEnd(26)} ${r.each.map((g) => g.toFixed(2).padStart(7)).join(" ")}`);
