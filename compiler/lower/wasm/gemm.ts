// Matrix products as WebAssembly SIMD: the three products of batched kernels (ops/gemm.ts writes
// them as scalar JavaScript loops) with v128 accumulators, f64x2 for f64 and f32x4 for f32,
// register-blocked: a tile of accumulators stays in registers while the shared dimension is swept,
// so each vector load feeds several multiply-adds. Rows of a tile are reached through the loads'
// constant byte offsets (memarg), so a tile costs one address add per operand per step.
//
//   nt:  C[b, i]  = Σ_j A[b, j] B[i, j]   lanes along j (both rows contiguous), summed across lanes at the end
//   nn:  C[b, j]  = Σ_i A[b, i] B[i, j]   lanes along j: A[b, i] splat, B[i, j…] and C[b, j…] vectors
//   tn:  C[i, j] += Σ_b A[b, i] B[b, j]   lanes along j: A[b, i] splat, B[b, j…] and C[i, j…] vectors
//
// nn and tn add each lane's products in the order the JavaScript kernels do (f64: the same
// numbers, bit for bit); nt adds every lanes-th product in its lane and the lanes last, so its
// sums differ by rounding (each within k·2⁻⁵³·Σ|a·b| of the exact one, as the sequential sum is).

import type { AssignOp, Expr } from "../../ir/code.js";
import type { Gemm, MatrixRef } from "../../ops/op-def.js";
import {
  type LoadOp,
  type Local,
  type StoreOp,
  type WExpr,
  type WOp,
  type WStmt,
  comment,
  fconst,
  get,
  i32,
  iadd,
  imul,
  lane,
  op,
  set,
  wfor,
  wload,
  wstore,
} from "./code.js";

export type Precision = "f64" | "f32";

/** Tile shapes: [rows of A, rows of B] for nt; [rows of A, vectors of columns] for nn; [columns of A, vectors of columns] for tn. */
export interface SimdTiles {
  nt: readonly [number, number];
  nn: readonly [number, number];
  tn: readonly [number, number];
}

/** Measured on Node 20 (bench/wasm-tiles.ts): the fastest of the shapes that leave x86-64's 16 vector registers unspilled. */
export const SIMD_TILES: SimdTiles = { nt: [2, 4], nn: [2, 4], tn: [2, 4] };

interface Format {
  bytes: number;
  lanes: number;
  zero: WExpr;
  load: LoadOp;
  store: StoreOp;
  splatLoad: LoadOp;
  add: WOp;
  sub: WOp;
  mul: WOp;
  vadd: WOp;
  vsub: WOp;
  vmul: WOp;
  extract: "f32x4.extract_lane" | "f64x2.extract_lane";
}

const FORMATS: Record<Precision, Format> = {
  f64: {
    bytes: 8,
    lanes: 2,
    zero: op("f64x2.splat", fconst("f64", 0)),
    load: "f64.load",
    store: "f64.store",
    splatLoad: "v128.load64_splat",
    add: "f64.add",
    sub: "f64.sub",
    mul: "f64.mul",
    vadd: "f64x2.add",
    vsub: "f64x2.sub",
    vmul: "f64x2.mul",
    extract: "f64x2.extract_lane",
  },
  f32: {
    bytes: 4,
    lanes: 4,
    zero: op("f32x4.splat", fconst("f32", 0)),
    load: "f32.load",
    store: "f32.store",
    splatLoad: "v128.load32_splat",
    add: "f32.add",
    sub: "f32.sub",
    mul: "f32.mul",
    vadd: "f32x4.add",
    vsub: "f32x4.sub",
    vmul: "f32x4.mul",
    extract: "f32x4.extract_lane",
  },
};

/** Locals of one function, declared on first use (names are unique within the function). */
export class Locals {
  readonly list: Local[] = [];
  private readonly types = new Map<string, Local[1]>();
  constructor(private readonly taken: ReadonlySet<string> = new Set()) {}
  /** The local `name` of `type`, declared on first use. */
  of(name: string, type: Local[1]): string {
    if (this.taken.has(name)) throw new Error(`internal: local ${name} shadows a parameter`);
    const known = this.types.get(name);
    if (known === undefined) {
      this.types.set(name, type);
      this.list.push([name, type]);
    } else if (known !== type) throw new Error(`internal: local ${name} is ${known}, not ${type}`);
    return name;
  }
}

/** How a product's operands are found: each array's byte address, and the row count as an i32 expression. */
export interface GemmTarget {
  address(array: string): WExpr;
  /** An integer expression of the loop language (the runtime row count `n`, or `n * R`) as i32. */
  integer(e: Expr): WExpr;
  precision: Precision;
  tiles?: SimdTiles;
  /**
   * A tn product's sink (a fused training step, update.ts): what to do with each finished sum,
   * instead of `C op= sum`, given C's element as a byte offset from its array's start (the
   * product's C is then addressed from 0) plus a constant.
   */
  sink?: (vector: boolean, at: WExpr, offset: number, sum: WExpr) => WStmt[];
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** The product `g` as the statements of a WebAssembly function, declaring its locals in `L`. */
export function simdGemm(g: Gemm, t: GemmTarget, L: Locals): WStmt[] {
  const f = FORMATS[t.precision];
  const tiles = t.tiles ?? SIMD_TILES;
  const rows = t.integer(g.rows);
  const origin = (M: MatrixRef): WExpr => {
    if (typeof M.base !== "number") throw new Error(`internal: matrix ${M.array} has a runtime base`);
    return iadd(t.address(M.array), M.base * f.bytes);
  };
  if (t.sink && g.kind !== "tn") throw new Error(`internal: only a tn product takes a sink, not ${g.kind}`);
  const ctx: Ctx = { f, L, rows, A: origin(g.A), B: origin(g.B), C: origin(g.C), sA: g.A.stride * f.bytes, sB: g.B.stride * f.bytes, sC: g.C.stride * f.bytes, op: g.op, ...(t.sink ? { sink: t.sink } : {}) };
  switch (g.kind) {
    case "nt":
      return nt(ctx, g.m, g.k, tiles.nt);
    case "nn":
      return nn(ctx, g.m, g.k, tiles.nn);
    case "tn":
      return tn(ctx, g.m, g.k, tiles.tn);
  }
}

interface Ctx {
  f: Format;
  L: Locals;
  rows: WExpr;
  /** Byte addresses of element (0, 0) of each matrix, and the byte strides of their rows. */
  A: WExpr;
  B: WExpr;
  C: WExpr;
  sA: number;
  sB: number;
  sC: number;
  op: AssignOp;
  sink?: GemmTarget["sink"];
}

/** `C op= value` at byte address `addr + offset` (a vector or a scalar), or the sink's statements. */
function update(c: Ctx, vector: boolean, addr: WExpr, offset: number, value: WExpr): WStmt | WStmt[] {
  const { f } = c;
  if (c.sink) return c.sink(vector, addr, offset, value);
  const [load, store, add, sub] = vector ? (["v128.load", "v128.store", f.vadd, f.vsub] as const) : ([f.load, f.store, f.add, f.sub] as const);
  switch (c.op) {
    case "=":
      return wstore(store, addr, offset, value);
    case "+=":
      return wstore(store, addr, offset, op(add, wload(load, addr, offset), value));
    case "-=":
      return wstore(store, addr, offset, op(sub, wload(load, addr, offset), value));
    default:
      throw new Error(`internal: a product cannot ${c.op} its result`);
  }
}

/**
 * Blocks of `step` over the rows [0, rows) (a runtime count): whole blocks, then one row at a
 * time. `body(width)` is the tile for `width` rows starting at `v`.
 */
function runtimeBlocks(v: string, rows: WExpr, step: number, body: (width: number) => WStmt[]): WStmt[] {
  const out: WStmt[] = [];
  if (step > 1) out.push(wfor(v, i32(0), op("i32.sub", rows, i32(step - 1)), step, body(step)));
  out.push(wfor(v, step > 1 ? get(v) : i32(0), rows, 1, body(1)));
  return out;
}

/** Blocks of `step` over [0, count) (a literal count): whole blocks as a loop, then the rest one at a time. */
function literalBlocks(v: string, count: number, step: number, body: (width: number) => WStmt[]): WStmt[] {
  const main = Math.floor(count / step) * step;
  const out: WStmt[] = [];
  if (main > 0) out.push(wfor(v, i32(0), i32(main), step, body(step)));
  if (count > main) out.push(wfor(v, i32(main), i32(count), 1, body(1)));
  return out;
}

/**
 * Column blocks for nn and tn (lanes along the columns): `wide` vectors at a time, then one
 * vector, then single columns (scalars), over the literal column count.
 */
function columnBlocks(c: Ctx, v: string, count: number, wide: number, body: (vectors: number, scalar: boolean) => WStmt[]): WStmt[] {
  const { lanes } = c.f;
  const out: WStmt[] = [];
  const mainWide = Math.floor(count / (wide * lanes)) * wide * lanes;
  if (mainWide > 0) out.push(wfor(v, i32(0), i32(mainWide), wide * lanes, body(wide, false)));
  const mainOne = mainWide + Math.floor((count - mainWide) / lanes) * lanes;
  if (wide > 1 && mainOne > mainWide) out.push(wfor(v, i32(mainWide), i32(mainOne), lanes, body(1, false)));
  if (count > mainOne) out.push(wfor(v, i32(mainOne), i32(count), 1, body(1, true)));
  return out;
}

/** Sum of a vector's lanes, in pairs: (l0 + l1) for f64x2, (l0 + l1) + (l2 + l3) for f32x4. */
function lanesSum(f: Format, x: WExpr): WExpr {
  const l = (i: number) => lane(f.extract, x, i);
  return f.lanes === 2 ? op(f.add, l(0), l(1)) : op(f.add, op(f.add, l(0), l(1)), op(f.add, l(2), l(3)));
}

/** C[b, i] = Σ_j A[b, j] B[i, j] for b < rows, i < m, j < k. */
function nt(c: Ctx, m: number, k: number, [tb, ti]: readonly [number, number]): WStmt[] {
  const { f, L } = c;
  const [i, b, j, pa, pb, pc] = ["i", "b", "j", "pa", "pb", "pc"].map((n) => L.of(n, "i32")) as [string, string, string, string, string, string];
  const kVec = Math.floor(k / f.lanes) * f.lanes;
  const tile = (wb: number, wi: number): WStmt[] => {
    const acc = range(wb).map((q) => range(wi).map((r) => L.of(`acc${q}_${r}`, "v128")));
    const a = range(wb).map((q) => L.of(`a${q}`, "v128"));
    const bv = range(wi).map((r) => L.of(`b${r}`, "v128"));
    const s = range(wb).map((q) => range(wi).map((r) => L.of(`s${q}_${r}`, f.bytes === 8 ? "f64" : "f32")));
    const sweep: WStmt[] = [
      ...a.map((x, q) => set(x, wload("v128.load", op("i32.add", get(pa), get(j)), q * c.sA))),
      ...bv.map((x, r) => set(x, wload("v128.load", op("i32.add", get(pb), get(j)), r * c.sB))),
      ...range(wb).flatMap((q) => range(wi).map((r) => set(acc[q]![r]!, op(f.vadd, get(acc[q]![r]!), op(f.vmul, get(a[q]!), get(bv[r]!)))))),
    ];
    // The last k mod lanes columns, one at a time, after the lanes are summed.
    const tail = range(k - kVec).flatMap((t) =>
      range(wb).flatMap((q) =>
        range(wi).map((r) =>
          set(s[q]![r]!, op(f.add, get(s[q]![r]!), op(f.mul, wload(f.load, get(pa), q * c.sA + (kVec + t) * f.bytes), wload(f.load, get(pb), r * c.sB + (kVec + t) * f.bytes)))),
        ),
      ),
    );
    return [
      set(pa, iadd(c.A, imul(get(b), c.sA))),
      ...acc.flat().map((x) => set(x, c.f.zero)),
      ...(kVec > 0 ? [wfor(j, i32(0), i32(kVec * f.bytes), 16, sweep)] : []),
      ...range(wb).flatMap((q) => range(wi).map((r) => set(s[q]![r]!, lanesSum(f, get(acc[q]![r]!))))),
      ...tail,
      set(pc, iadd(iadd(c.C, imul(get(b), c.sC)), imul(get(i), f.bytes))),
      ...range(wb).flatMap((q) => range(wi).flatMap((r) => update(c, false, get(pc), q * c.sC + r * f.bytes, get(s[q]![r]!)))),
    ];
  };
  return [
    comment(`C[b, i] ${c.op} Σ_j A[b, j] B[i, j]: tiles of ${tb} × ${ti}, ${f.lanes} lanes along j`),
    ...literalBlocks(i, m, ti, (wi) => [set(pb, iadd(c.B, imul(get(i), c.sB))), ...runtimeBlocks(b, c.rows, tb, (wb) => tile(wb, wi))]),
  ];
}

/**
 * The shared sweep of nn and tn: `vectors` columns vectors (or one scalar column) of `width`
 * rows, accumulated over `depth` steps of the pointers pa (A, advancing `stepA` bytes; row q at
 * q·`rowA`) and pb (B, advancing `stepB`), then stored at pc (row q at q·sC).
 */
function splatTile(c: Ctx, width: number, vectors: number, scalar: boolean, depth: { v: string; to: WExpr; stepA: number; stepB: number; rowA: number }): WStmt[] {
  const { f, L } = c;
  const pa = L.of("pa", "i32");
  const pb = L.of("pb", "i32");
  const pc = L.of("pc", "i32");
  const type = scalar ? (f.bytes === 8 ? "f64" : "f32") : "v128";
  const tag = scalar ? "s" : "acc";
  const acc = range(width).map((q) => range(vectors).map((r) => L.of(`${tag}${q}_${r}`, type)));
  const a = range(width).map((q) => L.of(scalar ? `x${q}` : `a${q}`, type));
  const bv = range(vectors).map((r) => L.of(scalar ? `y${r}` : `b${r}`, type));
  const [vadd, vmul] = scalar ? [f.add, f.mul] : [f.vadd, f.vmul];
  const step: WStmt[] = [
    ...a.map((x, q) => set(x, wload(scalar ? f.load : f.splatLoad, get(pa), q * depth.rowA))),
    ...bv.map((x, r) => set(x, wload(scalar ? f.load : "v128.load", get(pb), r * 16))),
    ...range(width).flatMap((q) => range(vectors).map((r) => set(acc[q]![r]!, op(vadd, get(acc[q]![r]!), op(vmul, get(a[q]!), get(bv[r]!)))))),
    set(pa, iadd(get(pa), depth.stepA)),
    set(pb, iadd(get(pb), depth.stepB)),
  ];
  return [
    ...acc.flat().map((x) => set(x, scalar ? fconst(f.bytes === 8 ? "f64" : "f32", 0) : f.zero)),
    wfor(depth.v, i32(0), depth.to, 1, step),
    ...range(width).flatMap((q) => range(vectors).flatMap((r) => update(c, !scalar, get(pc), q * c.sC + r * 16, get(acc[q]![r]!)))),
  ];
}

/** C[b, j] = Σ_i A[b, i] B[i, j] for b < rows, j < k, i < m. */
function nn(c: Ctx, m: number, k: number, [tb, tj]: readonly [number, number]): WStmt[] {
  const { f, L } = c;
  const [j, b, i, pa, pb, pc] = ["j", "b", "i", "pa", "pb", "pc"].map((n) => L.of(n, "i32")) as [string, string, string, string, string, string];
  return [
    comment(`C[b, j] ${c.op} Σ_i A[b, i] B[i, j]: tiles of ${tb} rows × ${tj} vectors of ${f.lanes} columns`),
    ...columnBlocks(c, j, k, tj, (vectors, scalar) =>
      runtimeBlocks(b, c.rows, tb, (wb) => [
        set(pa, iadd(c.A, imul(get(b), c.sA))),
        set(pb, iadd(c.B, imul(get(j), f.bytes))),
        set(pc, iadd(iadd(c.C, imul(get(b), c.sC)), imul(get(j), f.bytes))),
        ...splatTile(c, wb, vectors, scalar, { v: i, to: i32(m), stepA: f.bytes, stepB: c.sB, rowA: c.sA }),
      ]),
    ),
  ];
}

/** C[i, j] op Σ_b A[b, i] B[b, j] for i < m, j < k, b < rows. */
function tn(c: Ctx, m: number, k: number, [ti, tj]: readonly [number, number]): WStmt[] {
  const { f, L } = c;
  const [i, j, b, pa, pb, pc] = ["i", "j", "b", "pa", "pb", "pc"].map((n) => L.of(n, "i32")) as [string, string, string, string, string, string];
  // Column blocks outside, row blocks inside: the B columns of a block (every row of the batch)
  // stay in the cache while all of A's columns pass.
  return [
    comment(`C[i, j] ${c.op} Σ_b A[b, i] B[b, j]: tiles of ${ti} rows × ${tj} vectors of ${f.lanes} columns`),
    ...columnBlocks(c, j, k, tj, (vectors, scalar) =>
      literalBlocks(i, m, ti, (wi) => [
        set(pa, iadd(c.A, imul(get(i), f.bytes))),
        set(pb, iadd(c.B, imul(get(j), f.bytes))),
        set(pc, iadd(iadd(c.C, imul(get(i), c.sC)), imul(get(j), f.bytes))),
        ...splatTile(c, wi, vectors, scalar, { v: b, to: c.rows, stepA: c.sA, stepB: c.sB, rowA: f.bytes }),
      ]),
    ),
  ];
}
