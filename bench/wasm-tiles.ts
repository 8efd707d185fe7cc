// Tile-shape tuning for compiler/lower/wasm/gemm.ts: builds the three WebAssembly SIMD products
// with several tile shapes for MNIST's shapes (784 → 128 → 10, batch 32 and 1), checks each
// against the JavaScript kernel, and prints GFLOP/s (best of several rounds of CPU time,
// candidates interleaved so that machine load hits them alike), beside the JavaScript kernels'.
//
//   node --import tsx bench/wasm-tiles.ts [f64|f32] [rows]

import { type Expr, v } from "../compiler/ir/code.js";
import { gemmLoops } from "../compiler/ops/gemm.js";
import type { Gemm, MatrixRef } from "../compiler/ops/op-def.js";
import { printStatements } from "../compiler/print/typescript.js";
import { type WFunc, get, i32 } from "../compiler/lower/wasm/code.js";
import { Locals, type Precision, type SimdTiles, simdGemm } from "../compiler/lower/wasm/gemm.js";
import { encodeModule } from "../compiler/print/wasm/encode.js";

const precision = (process.argv[2] ?? "f64") as Precision;
const n = Number(process.argv[3] ?? 32);
const [M, K] = [128, 784];
const bytes = precision === "f64" ? 8 : 4;
const Vec = precision === "f64" ? Float64Array : Float32Array;
const ref = (array: string, stride: number): MatrixRef => ({ array, base: 0, stride });
const products: Record<"nt" | "nn" | "tn", Gemm> = {
  nt: { kind: "nt", C: ref("C", M), A: ref("A", K), B: ref("B", K), rows: v("n"), m: M, k: K, op: "=" },
  nn: { kind: "nn", C: ref("C", K), A: ref("A", M), B: ref("B", K), rows: v("n"), m: M, k: K, op: "=" },
  tn: { kind: "tn", C: ref("C", K), A: ref("A", M), B: ref("B", K), rows: v("n"), m: M, k: K, op: "+=" },
};

const integer = (e: Expr) => {
  if (e.k === "var") return get(e.name);
  if (e.k === "num") return i32(e.value);
  throw new Error("rows");
};
function wasmKernels(tiles: SimdTiles, memory: WebAssembly.Memory): Record<string, (C: number, A: number, B: number, n: number) => void> {
  const functions: WFunc[] = Object.entries(products).map(([name, g]) => {
    const params = [["C", "i32"], ["A", "i32"], ["B", "i32"], ["n", "i32"]] as const;
    const L = new Locals(new Set(params.map(([p]) => p)));
    const body = simdGemm(g, { address: (a) => get(a), integer, precision, tiles }, L);
    return { name, params, locals: L.list, body, doc: name };
  });
  const bytesOut = encodeModule({ pages: memory.buffer.byteLength / 65536, functions });
  const module = new WebAssembly.Module(bytesOut);
  return new WebAssembly.Instance(module, { env: { memory } }).exports as never;
}

const memory = new WebAssembly.Memory({ initial: 64, maximum: 64 });
let at = 0;
const alloc = (len: number) => {
  const view = new Vec(memory.buffer, at, len);
  at += Math.ceil((len * bytes) / 16) * 16;
  return view;
};
const fill = (x: Float64Array | Float32Array) => x.forEach((_, i) => (x[i] = ((i * 7919) % 1000) / 1000 - 0.5));
const X = alloc(n * K), W = alloc(M * K), D = alloc(n * M), out = alloc(n * K), G = alloc(M * K), jsOut = new Vec(n * K), jsG = new Vec(M * K);
[X, W, D].forEach(fill);

type Run = () => void;
interface Candidate { name: string; run: Run; flops: number; best: number }
const candidates: Candidate[] = [];
let counter = 0;
const fresh = (h: string) => `${h}${++counter}`;
const js = Object.fromEntries(
  Object.entries(products).map(([name, g]) => [name, new Function("C", "A", "B", "n", printStatements(gemmLoops(fresh, g), "", false).join("\n"))]),
) as Record<string, (C: unknown, A: unknown, B: unknown, n: number) => void>;
const flops = 2 * n * M * K;
candidates.push({ name: "nt js", run: () => js["nt"]!(jsOut, X, W, n), flops, best: Infinity });
candidates.push({ name: "nn js", run: () => js["nn"]!(jsOut, D, W, n), flops, best: Infinity });
candidates.push({ name: "tn js", run: () => js["tn"]!(jsG, D, X, n), flops, best: Infinity });

const shapes: [number, number][] = [[1, 4], [2, 2], [2, 3], [2, 4], [3, 3], [4, 2], [4, 3], [1, 8], [3, 4]];
for (const s of shapes) {
  const k = wasmKernels({ nt: s, nn: s, tn: s }, memory);
  // Checked against the JavaScript kernels first.
  for (const [name, [C, A, B], ref] of [["nt", [out, X, W], jsOut], ["nn", [out, D, W], jsOut], ["tn", [G, D, X], jsG]] as const) {
    C.fill(0);
    ref.fill(0);
    k[name]!(C.byteOffset, A.byteOffset, B.byteOffset, n);
    js[name]!(ref, A, B, n);
    let err = 0;
    for (let i = 0; i < ref.length; i++) err = Math.max(err, Math.abs(C[i]! - ref[i]!));
    if (err > (precision === "f64" ? 1e-12 : 1e-3)) throw new Error(`${name} ${s}: differs by ${err}`);
  }
  candidates.push({ name: `nt ${s.join("x")}`, run: () => k["nt"]!(out.byteOffset, X.byteOffset, W.byteOffset, n), flops, best: Infinity });
  candidates.push({ name: `nn ${s.join("x")}`, run: () => k["nn"]!(out.byteOffset, D.byteOffset, W.byteOffset, n), flops, best: Infinity });
  candidates.push({ name: `tn ${s.join("x")}`, run: () => k["tn"]!(G.byteOffset, D.byteOffset, X.byteOffset, n), flops, best: Infinity });
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const reps = Math.max(1, Math.round(160 / n));
for (const c of candidates) for (let i = 0; i < 20; i++) c.run();
for (let round = 0; round < 8; round++) {
  for (const c of candidates) {
    const t0 = cpuMs();
    for (let i = 0; i < reps; i++) c.run();
    c.best = Math.min(c.best, (cpuMs() - t0) / reps);
  }
}
console.log(`${precision}, ${n} rows`);
for (const kind of ["nt", "nn", "tn"]) {
  const rows = candidates.filter((c) => c.name.startsWith(kind)).sort((a, b) => a.best - b.best);
  console.log(rows.map((c) => `${c.name.padEnd(8)} ${(c.flops / c.best / 1e6).toFixed(2)} GFLOP/s`).join("\n"), "\n");
}
