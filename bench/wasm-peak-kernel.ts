// The WebAssembly SIMD matrix-matrix kernels of the bench's WebAssembly yardstick (wasm-peak.ts):
// C = A·B for fixed sizes, written independently of nnc's kernels (compiler/lower/wasm/gemm.ts)
// and sharing only its instruction builders (compiler/lower/wasm/code.ts) and module encoder. A register tile of `rows` rows of C × `vectors` vectors of
// columns (f64x2 or f32x4) stays in locals while the shared dimension is swept; each step loads
// `vectors` vectors of B and splats one element of A per row, `rows × vectors` multiply-adds.
// Layouts: "packed" (A in panels of `rows` rows stored column by column, B in panels of
// `vectors × lanes` columns stored row by row, as BLAS kernels pack them: every load of the sweep
// is the next one in memory) or "rows" (A and B plain row-major). The loop over column panels is
// outside the loop over row panels, so one B panel stays in the cache while A's pass.
//
//   const k = buildPeakKernel({ precision: "f32", rows: 4, vectors: 3, layout: "packed", unroll: 2 }, 192, 192, 256);
//   k.run();  // C = A·B, k.flops of them

import { PAGE_BYTES, type WExpr, type WStmt, get, i32, iadd, op, set, wfor, wload, wstore } from "../compiler/lower/wasm/code.js";
import { encodeModule } from "../compiler/print/wasm/encode.js";

export type PeakPrecision = "f64" | "f32";

export interface PeakTile {
  precision: PeakPrecision;
  /** Rows of C in the register tile. */
  rows: number;
  /** Vectors of columns of C in the register tile. */
  vectors: number;
  layout: "packed" | "rows";
  /** Steps of the shared dimension per pass of the loop. */
  unroll: number;
}

export interface PeakKernel {
  /** C = A·B once. */
  run(): void;
  flops: number;
  name: string;
  /** The operands as given (row-major: A is m × k, B is k × n) and a view of the result C (m × n). */
  A: Float64Array | Float32Array;
  B: Float64Array | Float32Array;
  C: Float64Array | Float32Array;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

export const tileName = (t: PeakTile) => `${t.precision} ${t.rows}x${t.vectors} ${t.layout}${t.unroll > 1 ? ` ×${t.unroll}` : ""}`;

/** The kernel's function body, for C at byte 0, A and B at the given byte offsets. */
function body(t: PeakTile, m: number, n: number, k: number, at: { A: number; B: number; C: number }): WStmt[] {
  const bytes = t.precision === "f64" ? 8 : 4;
  const lanes = 16 / bytes;
  const [vadd, vmul, splat] = t.precision === "f64" ? (["f64x2.add", "f64x2.mul", "v128.load64_splat"] as const) : (["f32x4.add", "f32x4.mul", "v128.load32_splat"] as const);
  const zero = t.precision === "f64" ? op("f64x2.splat", { k: "const", type: "f64", value: 0 }) : op("f32x4.splat", { k: "const", type: "f32", value: 0 });
  const width = t.vectors * lanes;
  const packed = t.layout === "packed";
  const acc = range(t.rows).map((q) => range(t.vectors).map((r) => `c${q}_${r}`));
  // Where A[i + q, p] and B[p, j + r·lanes…] are, relative to pa and pb, for step u of an unrolled pass.
  const aOffset = (q: number, u: number) => (packed ? (u * t.rows + q) * bytes : (q * k + u) * bytes);
  const bOffset = (r: number, u: number) => (packed ? u * width * bytes + r * 16 : u * n * bytes + r * 16);
  const step = (u: number): WStmt[] => [
    ...range(t.vectors).map((r) => set(`b${r}`, wload("v128.load", get("pb"), bOffset(r, u)))),
    ...range(t.rows).flatMap((q) => [
      set("a", wload(splat, get("pa"), aOffset(q, u))),
      ...range(t.vectors).map((r) => set(acc[q]![r]!, op(vadd, get(acc[q]![r]!), op(vmul, get("a"), get(`b${r}`))))),
    ]),
  ];
  const sweep: WStmt[] = [
    ...range(t.unroll).flatMap(step),
    set("pa", iadd(get("pa"), packed ? t.unroll * t.rows * bytes : t.unroll * bytes)),
    set("pb", iadd(get("pb"), packed ? t.unroll * width * bytes : t.unroll * n * bytes)),
  ];
  const mul = (e: WExpr, c: number) => op("i32.mul", e, i32(c));
  // Packed: panel i/rows of A starts at A + i·k·bytes, panel j/width of B at B + j·k·bytes.
  const aStart = iadd(i32(at.A), mul(get("i"), k * bytes));
  const bStart = packed ? iadd(i32(at.B), mul(get("j"), k * bytes)) : iadd(i32(at.B), mul(get("j"), bytes));
  const cAddr = iadd(iadd(i32(at.C), mul(get("i"), n * bytes)), mul(get("j"), bytes));
  return [
    wfor("j", i32(0), i32(n), width, [
      wfor("i", i32(0), i32(m), t.rows, [
        set("pa", aStart),
        set("pb", bStart),
        ...acc.flat().map((c) => set(c, zero)),
        wfor("p", i32(0), i32(k), t.unroll, sweep),
        set("pc", cAddr),
        ...range(t.rows).flatMap((q) => range(t.vectors).map((r) => wstore("v128.store", get("pc"), q * n * bytes + r * 16, get(acc[q]![r]!)))),
      ]),
    ]),
  ];
}

/** A and B in the kernel's layout, from row-major A (m × k) and B (k × n). */
function arrange(t: PeakTile, A: ArrayLike<number>, B: ArrayLike<number>, m: number, n: number, k: number): { A: number[]; B: number[] } {
  if (t.layout === "rows") return { A: Array.from(A), B: Array.from(B) };
  const width = (t.vectors * 16) / (t.precision === "f64" ? 8 : 4);
  const a: number[] = [];
  for (let i = 0; i < m; i += t.rows) for (let p = 0; p < k; p++) for (let q = 0; q < t.rows; q++) a.push(A[(i + q) * k + p]!);
  const b: number[] = [];
  for (let j = 0; j < n; j += width) for (let p = 0; p < k; p++) for (let r = 0; r < width; r++) b.push(B[p * n + j + r]!);
  return { A: a, B: b };
}

/**
 * The kernel for C (m × n) = A (m × k) · B (k × n) on its own memory, filled with fixed numbers and
 * checked once against a plain loop (a wrong kernel must not set the yardstick). m must be a
 * multiple of the tile's rows, n of its columns, k of its unroll.
 */
export function buildPeakKernel(t: PeakTile, m: number, n: number, k: number): PeakKernel {
  const bytes = t.precision === "f64" ? 8 : 4;
  const width = (t.vectors * 16) / bytes;
  if (m % t.rows || n % width || k % t.unroll) throw new Error(`internal: ${m}×${n}×${k} does not fit the tile ${tileName(t)}`);
  const at = { C: 0, A: m * n * bytes, B: (m * n + m * k) * bytes };
  const pages = Math.ceil((at.B + k * n * bytes) / PAGE_BYTES);
  const locals: [string, "i32" | "v128"][] = [
    ...["i", "j", "p", "pa", "pb", "pc"].map((x) => [x, "i32"] as [string, "i32"]),
    ["a", "v128"],
    ...range(t.vectors).map((r) => [`b${r}`, "v128"] as [string, "v128"]),
    ...range(t.rows).flatMap((q) => range(t.vectors).map((r) => [`c${q}_${r}`, "v128"] as [string, "v128"])),
  ];
  const code = encodeModule({ pages, functions: [{ name: "gemm", params: [], locals, body: body(t, m, n, k, at), doc: "C = A·B" }] });
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  const { gemm } = new WebAssembly.Instance(new WebAssembly.Module(code), { env: { memory } }).exports as { gemm: () => void };
  const Vec = t.precision === "f64" ? Float64Array : Float32Array;
  const numbers = (length: number, prime: number) => Vec.from(Array.from({ length }, (_, i) => ((i * prime) % 1000) / 1000 - 0.5));
  const A = numbers(m * k, 7919);
  const B = numbers(k * n, 104729);
  const laid = arrange(t, A, B, m, n, k);
  new Vec(memory.buffer, at.A, m * k).set(laid.A);
  new Vec(memory.buffer, at.B, k * n).set(laid.B);
  gemm();
  const C = new Vec(memory.buffer, 0, m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += A[i * k + p]! * B[p * n + j]!;
      if (Math.abs(C[i * n + j]! - s) > (t.precision === "f64" ? 1e-9 : 1e-2)) throw new Error(`internal: yardstick kernel ${tileName(t)} ${m}×${n}×${k} computes C[${i}, ${j}] = ${C[i * n + j]}, not ${s}`);
    }
  }
  return { run: gemm, flops: 2 * m * n * k, name: `${tileName(t)}, ${m}x${n}x${k}`, A, B, C };
}
