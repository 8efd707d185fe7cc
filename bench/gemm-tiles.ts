// Tile-size tuning for compiler/ops/gemm.ts: generates the three matrix-matrix kernels with
// several tile shapes for MNIST's shapes (batch 32, 784 → 128 → 10) and prints GFLOP/s of each,
// best of several rounds of CPU time, candidates interleaved so that machine load hits them alike.
//
//   node --import tsx bench/gemm-tiles.ts

import { v } from "../compiler/ir/code.js";
import { TILE, gemmNN, gemmNT, gemmTN } from "../compiler/ops/gemm.js";
import type { MatrixRef } from "../compiler/ops/op-def.js";
import { printStatements } from "../compiler/print/typescript.js";

type Kernel = (C: Float64Array, A: Float64Array, B: Float64Array, n: number) => void;

function make(lines: string[]): Kernel {
  let k = 0;
  void k;
  return new Function("C", "A", "B", "n", lines.join("\n")) as Kernel;
}

const n = 32;
const [M, K] = [128, 784];
const rnd = (len: number) => Float64Array.from({ length: len }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
const ref = (array: string, stride: number): MatrixRef => ({ array, base: 0, stride });

interface Candidate {
  name: string;
  run: () => void;
  flops: number;
  best: number;
}

const candidates: Candidate[] = [];
const tiles: [number, number][] = [
  [1, 4],
  [2, 2],
  [2, 4],
  [4, 2],
  [3, 4],
  [4, 4],
  [2, 6],
  [2, 8],
];
const mutableTile = TILE as unknown as Record<"nt" | "nn" | "tn", [number, number]>;
for (const tile of tiles) {
  let counter = 0;
  const fresh = (h: string) => `${h}${++counter}`;
  mutableTile.nt = tile;
  mutableTile.nn = tile;
  mutableTile.tn = tile;
  const nt = make(printStatements(gemmNT(fresh, ref("C", M), ref("A", K), ref("B", K), v("n"), M, K)));
  const nn = make(printStatements(gemmNN(fresh, ref("C", K), ref("A", M), ref("B", K), v("n"), M, K)));
  const tn = make(printStatements(gemmTN(fresh, ref("C", K), ref("A", M), ref("B", K), v("n"), M, K)));
  const X = rnd(n * K);
  const W = rnd(M * K);
  const D = rnd(n * M);
  const out = new Float64Array(n * K);
  const G = new Float64Array(M * K);
  const flops = 2 * n * M * K;
  candidates.push({ name: `nt ${tile.join("x")}`, run: () => nt(out, X, W, n), flops, best: Infinity });
  candidates.push({ name: `nn ${tile.join("x")}`, run: () => nn(out, D, W, n), flops, best: Infinity });
  candidates.push({ name: `tn ${tile.join("x")}`, run: () => tn(G, D, X, n), flops, best: Infinity });
}

// CPU time of this process, not wall time: on a shared machine the wall clock mostly measures the neighbours.
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
for (const c of candidates) for (let i = 0; i < 20; i++) c.run();
for (let round = 0; round < 8; round++) {
  for (const c of candidates) {
    const t0 = cpuMs();
    for (let i = 0; i < 5; i++) c.run();
    c.best = Math.min(c.best, (cpuMs() - t0) / 5);
  }
}
for (const kind of ["nt", "nn", "tn"]) {
  const rows = candidates.filter((c) => c.name.startsWith(kind)).sort((a, b) => a.best - b.best);
  console.log(rows.map((c) => `${c.name.padEnd(8)} ${(c.flops / c.best / 1e6).toFixed(2)} GFLOP/s`).join("\n"), "\n");
}
