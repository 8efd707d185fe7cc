// The generic training step's two passes over the parameters (apply-gradient.ts, Fn.sweep) as
// WebAssembly SIMD: the sum of squares of the mean gradient, and the optimizer's update of every
// element (update.ts translates the element's statements, as for a fused product's sink). Each
// walks [from, to) of its arrays a vector at a time (f64x2, f32x4), then the last elements one
// by one. Arrays are i32 byte addresses, from and to element indices (i32), numbers f64.
//
//   applyGradient_1(g, from, to, scale) = Σ (g[i]·scale)²   (four f64x2 partial sums, then the tail)
//   applyGradient_2(p, g, from, to, scale, alpha, m, v):   for (i …; i += 16) { m, v, p at i updated from v128.load(g + i) }
//
// The squares are summed in doubles as the trainer sums them (a float32 gradient's values are
// promoted first), in another order: the norm agrees to rounding. The update's operations are
// the JavaScript's (update.ts): with f64 its parameters are the JavaScript kernel's bit for bit.

import type { Fn, Sweep } from "../program.js";
import { type WExpr, type WFunc, type WStmt, fconst, get, i32, iadd, imul, lane, op, set, wfor, wload } from "./code.js";
import { Locals, type Precision } from "./gemm.js";
import { updateCode } from "./update.js";

/** Independent partial sums of the squares pass (an add's latency hidden behind the others'). */
const PARTIAL_SUMS = 4;

/** `from`/`to` (element indices) as byte offsets. */
const bytesOf = (name: string, bytes: number): WExpr => imul(get(name), bytes);

export function sweepFunction(fn: Fn & { sweep: Sweep }, precision: Precision): WFunc {
  const { sweep } = fn;
  const scalars = new Set(sweep.kind === "squares" ? [sweep.scale] : sweep.scalars);
  const params = fn.params.map(([name, type]) => {
    if (type === "Vec") return [name, "i32"] as const;
    if (type !== "number") throw new Error(`internal: ${fn.name} passes a ${type} to WebAssembly`);
    return [name, scalars.has(name) ? "f64" : "i32"] as const;
  });
  const L = new Locals(new Set(params.map(([n]) => n)));
  const bytes = precision === "f64" ? 8 : 4;
  const [i, end] = [L.of("i", "i32"), L.of("end", "i32")];
  const at = (offset = 0) => ({ addr: iadd(get(sweep.grad), get(i)), offset });
  const body: WStmt[] = [set(end, bytesOf(sweep.to, bytes))];
  const doc = fn.body[0]?.k === "block" ? fn.body[0].comment : fn.name;

  if (sweep.kind === "squares") {
    const scale = get(sweep.scale);
    const scaleV = L.of("scale_v", "v128");
    const partial = Array.from({ length: PARTIAL_SUMS }, (_, k) => L.of(`acc${k}`, "v128"));
    const x = L.of("x", "v128");
    const [tail, y] = [L.of("tail", "f64"), L.of("y", "f64")];
    // Two elements a vector: f64x2 loaded, or two float32s loaded (load64_splat) and promoted.
    const step = precision === "f64" ? 16 : 8;
    const pair = (offset: number): WExpr => {
      const { addr } = at();
      return precision === "f64" ? wload("v128.load", addr, offset) : op("f64x2.promote_low_f32x4", wload("v128.load64_splat", addr, offset));
    };
    const one = (): WExpr => {
      const { addr } = at();
      return precision === "f64" ? wload("f64.load", addr) : op("f64.promote_f32", wload("f32.load", addr));
    };
    const unrolled = step * PARTIAL_SUMS;
    body.push(set(scaleV, op("f64x2.splat", scale)), ...partial.map((a) => set(a, op("f64x2.splat", fconst("f64", 0)))), set(tail, fconst("f64", 0)));
    body.push(
      // i + unrolled ≤ end, i.e. i < end − unrolled + 1
      wfor(i, bytesOf(sweep.from, bytes), op("i32.sub", get(end), i32(unrolled - 1)), unrolled,
        partial.flatMap((a, k) => [set(x, op("f64x2.mul", pair(k * step), get(scaleV))), set(a, op("f64x2.add", get(a), op("f64x2.mul", get(x), get(x))))]),
      ),
      wfor(i, get(i), get(end), bytes, [set(y, op("f64.mul", one(), scale)), set(tail, op("f64.add", get(tail), op("f64.mul", get(y), get(y))))]),
    );
    const total = partial.map(get).reduce((a, b) => op("f64x2.add", a, b));
    const all = L.of("all", "v128");
    body.push(set(all, total));
    const value = op("f64.add", op("f64.add", lane("f64x2.extract_lane", get(all), 0), lane("f64x2.extract_lane", get(all), 1)), get(tail));
    return { name: fn.name, params, locals: L.list, body, result: { type: "f64", value }, doc };
  }

  const arrays = new Set(fn.params.filter(([, type]) => type === "Vec").map(([name]) => name));
  const code = updateCode(sweep.statements, precision, arrays, scalars, L);
  const vectorLoad = (): WExpr => wload("v128.load", at().addr);
  const scalarLoad = (): WExpr => wload(precision === "f64" ? "f64.load" : "f32.load", at().addr);
  body.push(
    ...code.prologue,
    wfor(i, bytesOf(sweep.from, bytes), op("i32.sub", get(end), i32(15)), 16, code.element(true, get(i), 0, vectorLoad())),
    wfor(i, get(i), get(end), bytes, code.element(false, get(i), 0, scalarLoad())),
  );
  return { name: fn.name, params, locals: L.list, body, doc };
}
