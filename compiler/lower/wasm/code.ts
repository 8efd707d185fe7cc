// The code of WebAssembly kernels as data: structured statements over typed locals and the one
// linear memory, close to WebAssembly's own instructions (lower/wasm/ writes it, print/wasm/
// encodes it as bytes and as text). Addresses are i32 byte offsets; a load or store may add a
// constant byte offset (WebAssembly's memarg), which is how rows of a tile are reached.
//
//   for (j = 0; j < 6272; j += 16) acc = f64x2.add(acc, f64x2.mul(v128.load(pa + j), v128.load(pb + j)))
//   ==  wfor("j", i32(0), i32(6272), 16, [set("acc", op("f64x2.add", get("acc"), op("f64x2.mul", …)))])

export type ValType = "i32" | "f32" | "f64" | "v128";

/** Instructions without immediates (besides a lane index), by their WebAssembly text names. */
export type WOp =
  | "i32.add"
  | "i32.sub"
  | "i32.mul"
  | "i32.lt_s"
  | "i32.ge_s"
  | "f32.add"
  | "f32.sub"
  | "f32.mul"
  | "f64.add"
  | "f64.sub"
  | "f64.mul"
  | "f32x4.splat"
  | "f64x2.splat"
  | "f32x4.extract_lane"
  | "f64x2.extract_lane"
  | "f32x4.add"
  | "f32x4.sub"
  | "f32x4.mul"
  | "f64x2.add"
  | "f64x2.sub"
  | "f64x2.mul"
  // The optimizers' updates (update.ts): division, square root, negation, comparisons and selection.
  | "f32.div"
  | "f64.div"
  | "f32.sqrt"
  | "f64.sqrt"
  | "f32.neg"
  | "f64.neg"
  | "f32.gt"
  | "f32.lt"
  | "f64.gt"
  | "f64.lt"
  | "f32.demote_f64"
  | "select"
  | "f32x4.div"
  | "f64x2.div"
  | "f32x4.sqrt"
  | "f64x2.sqrt"
  | "f32x4.neg"
  | "f64x2.neg"
  | "f32x4.gt"
  | "f32x4.lt"
  | "f64x2.gt"
  | "f64x2.lt"
  | "v128.bitselect"
  // The row loops (rows.ts): integer comparisons and logic, f64 comparisons, min/max/abs, conversions.
  | "i32.le_s"
  | "i32.gt_s"
  | "i32.eq"
  | "i32.ne"
  | "i32.and"
  | "i32.or"
  | "f64.eq"
  | "f64.ne"
  | "f64.le"
  | "f64.ge"
  | "f64.abs"
  | "f64.min"
  | "f64.max"
  | "f64.convert_i32_s"
  | "f64.promote_f32"
  // The squares pass over a stored float32 gradient (sweep.ts): two floats promoted to doubles.
  | "f64x2.promote_low_f32x4"
  | "f32x4.min"
  | "f32x4.max"
  | "f64x2.min"
  | "f64x2.max"
  | "f32x4.abs"
  | "f64x2.abs"
  | "f32x4.eq"
  | "f32x4.le"
  | "f32x4.ge"
  | "f64x2.eq"
  | "f64x2.le"
  | "f64x2.ge"
  // Integer lanes (rows-vector.ts: a loop's integer variables, i32x4 beside f32x4, i64x2 beside f64x2).
  | "i32x4.splat"
  | "i64x2.splat"
  | "i64.extend_i32_s"
  | "i32.wrap_i64"
  | "i32x4.extract_lane"
  | "i64x2.extract_lane"
  | "i32x4.add"
  | "i32x4.sub"
  | "i32x4.mul"
  | "i64x2.add"
  | "i64x2.sub"
  | "i64x2.mul"
  | "i32x4.eq"
  | "i32x4.lt_s"
  | "i32x4.gt_s"
  | "i32x4.le_s"
  | "i32x4.ge_s"
  | "i64x2.eq"
  | "i64x2.lt_s"
  | "i64x2.gt_s"
  | "i64x2.le_s"
  | "i64x2.ge_s"
  | "v128.and"
  | "v128.or";

export type LoadOp = "f32.load" | "f64.load" | "v128.load" | "v128.load32_splat" | "v128.load64_splat";
export type StoreOp = "f32.store" | "f64.store" | "v128.store";

export type WExpr =
  | { readonly k: "const"; readonly type: "i32" | "f32" | "f64"; readonly value: number }
  | { readonly k: "get"; readonly local: string }
  | { readonly k: "op"; readonly op: WOp; readonly args: readonly WExpr[]; readonly lane?: number }
  /** A load from byte address `addr + offset`. */
  | { readonly k: "load"; readonly op: LoadOp; readonly addr: WExpr; readonly offset: number }
  /** A vector of integer lanes (v128.const). */
  | { readonly k: "vconst"; readonly shape: "i32x4" | "i64x2"; readonly values: readonly number[] }
  /** `test ? then : else` evaluating only the branch taken (WebAssembly's typed if), of type `type`. */
  | { readonly k: "if"; readonly type: ValType; readonly test: WExpr; readonly then: WExpr; readonly else: WExpr };

export type WStmt =
  | { readonly k: "set"; readonly local: string; readonly value: WExpr }
  /** A store to byte address `addr + offset`. */
  | { readonly k: "store"; readonly op: StoreOp; readonly addr: WExpr; readonly offset: number; readonly value: WExpr }
  /** `for (v = from; v < to; v += step)` over an i32 local (signed comparison, tested before each pass). */
  | { readonly k: "for"; readonly v: string; readonly from: WExpr; readonly to: WExpr; readonly step: number; readonly body: readonly WStmt[] }
  /** `if (test) { body }`, test an i32. */
  | { readonly k: "if"; readonly test: WExpr; readonly body: readonly WStmt[] }
  /** A comment in the text form (nothing in the bytes). */
  | { readonly k: "comment"; readonly text: string };

export type Local = readonly [name: string, type: ValType];

export interface WFunc {
  name: string;
  /** Parameters: i32 byte offsets of arrays and row counts; f64 scalars (an update's learning rate, scale). */
  params: readonly Local[];
  locals: readonly Local[];
  body: readonly WStmt[];
  /** What it returns (after the body), if anything: a row loop's reduction (rows-runs.ts). */
  result?: { type: "i32" | "f64"; value: WExpr };
  /** What the function computes (a comment in the text form). */
  doc: string;
}

export interface WModule {
  /** The memory, imported as env.memory: its size in pages of 64 KiB (initial = maximum). */
  pages: number;
  /** Exported functions, in order. */
  functions: readonly WFunc[];
}

export const PAGE_BYTES = 65536;

// ---- constructors ----

export const i32 = (value: number): WExpr => ({ k: "const", type: "i32", value });
export const fconst = (type: "f32" | "f64", value: number): WExpr => ({ k: "const", type, value });
export const get = (local: string): WExpr => ({ k: "get", local });
export const op = (name: WOp, ...args: WExpr[]): WExpr => ({ k: "op", op: name, args });
export const lane = (name: "f32x4.extract_lane" | "f64x2.extract_lane" | "i32x4.extract_lane" | "i64x2.extract_lane", value: WExpr, index: number): WExpr => ({
  k: "op",
  op: name,
  args: [value],
  lane: index,
});
export const vconst = (shape: "i32x4" | "i64x2", values: readonly number[]): WExpr => ({ k: "vconst", shape, values });
export const wload = (name: LoadOp, addr: WExpr, offset = 0): WExpr => ({ k: "load", op: name, addr, offset });
export const set = (local: string, value: WExpr): WStmt => ({ k: "set", local, value });
export const wstore = (name: StoreOp, addr: WExpr, offset: number, value: WExpr): WStmt => ({ k: "store", op: name, addr, offset, value });
export const wfor = (v: string, from: WExpr, to: WExpr, step: number, body: readonly WStmt[]): WStmt => ({ k: "for", v, from, to, step, body });
export const comment = (text: string): WStmt => ({ k: "comment", text });
export const wif = (test: WExpr, body: readonly WStmt[]): WStmt => ({ k: "if", test, body });
export const choose = (type: ValType, test: WExpr, then: WExpr, otherwise: WExpr): WExpr => ({ k: "if", type, test, then, else: otherwise });

/** `a + b` on i32, folding literals (byte addresses are sums of a base and constants). */
export function iadd(a: WExpr, b: WExpr | number): WExpr {
  const y = typeof b === "number" ? i32(b) : b;
  if (y.k === "const" && y.value === 0) return a;
  if (a.k === "const" && a.value === 0) return y;
  if (a.k === "const" && y.k === "const") return i32(a.value + y.value);
  return op("i32.add", a, y);
}

/** `a × k` on i32, folding literals. */
export function imul(a: WExpr, k: number): WExpr {
  if (a.k === "const") return i32(a.value * k);
  if (k === 1) return a;
  return op("i32.mul", a, i32(k));
}
