// The innermost row loops as WebAssembly SIMD (for rows-code.ts): a loop over contiguous
// elements (bias adds, relu and its gradient, the dropout multiply, im2col's and col2im's
// channel copies, zeroing, per-channel sums), whose every element is independent of the others,
// runs `lanes` elements at a time (f64x2, f32x4), then the last few one at a time.
//
//   for (let i3 = 0; i3 < 32; i3++) c1[r + i3] = Math.max(Kx_c1[r + i3]! + p[288 + i3]!, 0);
//   ->  for (i3 = 0; i3 < 32; i3 += 4) v128.store(c1 + …, f32x4.max(f32x4.add(v128.load(…), v128.load(…)), splat 0))
//
// A loop qualifies when its bounds are literals, its body only stores, each load and store
// reaches `rest + i` (rest not naming i: lanes along i) or one element for every i (splat), an
// array it stores into is read only at the element stored, and i appears nowhere else. The
// numbers are those of the scalar code: f64x2 lanes do the scalar f64 operations; f32x4 lanes
// round each operation to float32 where JavaScript computes in doubles and rounds once at the
// store, which gives the same float32 only for a value of at most one rounding operation (+, −,
// ×, ÷, √; of float32 operands, then exact ones: max, min, abs, negation, selection) whose result
// no comparison reads, so f32 loops of more stay scalar.

import { type Expr, type Stmt, mentions } from "../../ir/code.js";
import { type WExpr, type WOp, type WStmt, fconst, i32, op, wfor, wload, wstore } from "./code.js";
import { type RowsTranslation, reads, splitConstant } from "./rows-code.js";

type Lanes = "f64x2" | "f32x4";

/** The stores of a body (through blocks), or undefined when it has anything else. */
function storesOf(body: readonly Stmt[]): (Stmt & { k: "store" })[] | undefined {
  const out: (Stmt & { k: "store" })[] = [];
  for (const s of body) {
    if (s.k === "store") out.push(s);
    else if (s.k === "block") {
      const inner = storesOf(s.body);
      if (!inner) return undefined;
      out.push(...inner);
    } else return undefined;
  }
  return out;
}

/** How an index moves with the loop variable: not at all, or one element per step. */
function stride(index: Expr, v: string): "splat" | "lanes" | undefined {
  if (!mentions(index, v)) return "splat";
  const [rest] = splitConstant(index);
  if (rest?.k === "var" && rest.name === v) return "lanes";
  if (rest?.k === "binary" && rest.op === "+" && rest.b.k === "var" && rest.b.name === v && !mentions(rest.a, v)) return "lanes";
  return undefined;
}

const same = (a: Expr, b: Expr) => JSON.stringify(a) === JSON.stringify(b);

class NotVector extends Error {}
const no = (): never => {
  throw new NotVector();
};

/** The loop `s` as a vector loop and its scalar tail, or undefined when it does not qualify. */
export function vectorLoop(t: RowsTranslation, s: Stmt & { k: "for" }): WStmt[] | undefined {
  if (s.step !== 1 || s.from?.k !== "num" || s.to.k !== "num" || s.whole) return undefined;
  const lanesType: Lanes = t.bytes === 8 ? "f64x2" : "f32x4";
  const lanes = 16 / t.bytes;
  const [from, to] = [s.from.value, s.to.value];
  const main = from + Math.floor((to - from) / lanes) * lanes;
  if (main === from) return undefined;
  const stores = storesOf(s.body);
  if (!stores || stores.length === 0) return undefined;
  const storeAt = new Map<string, Expr>();
  for (const st of stores) {
    const known = storeAt.get(st.array);
    if ((known && !same(known, st.index)) || stride(st.index, s.v) !== "lanes") return undefined;
    storeAt.set(st.array, st.index);
  }
  try {
    const f32 = lanesType === "f32x4";
    const body: WStmt[] = [];
    for (const st of stores) {
      // Rounding operations on the way to the stored value (f32: at most one, and no comparison reading it).
      let roundings = st.op === "=" ? 0 : 1;
      const vexpr = (e: Expr, compared = false): WExpr => {
        const rounding = (): void => {
          roundings++;
          if (f32 && (roundings > 1 || compared)) no();
        };
        switch (e.k) {
          case "num":
            if (f32 && Math.fround(e.value) !== e.value && !Number.isNaN(e.value)) no();
            return op(`${lanesType}.splat`, fconst(f32 ? "f32" : "f64", e.value));
          case "var":
            if (mentions(e, s.v) || f32 || t.type(e) !== "f64") return no();
            return op("f64x2.splat", t.f64(e));
          case "load": {
            const how = stride(e.index, s.v);
            const stored = storeAt.get(e.array);
            if (!how || (stored && !same(stored, e.index))) return no();
            const [addr, offset] = t.address(e.array, e.index, false);
            return wload(how === "lanes" ? "v128.load" : f32 ? "v128.load32_splat" : "v128.load64_splat", addr, offset);
          }
          case "binary":
          case "sum": {
            const [terms, name] = e.k === "sum" ? [e.terms, "add"] : [[e.a, e.b], { "+": "add", "-": "sub", "*": "mul", "/": "div" }[e.op]];
            const parts = terms.map((x) => vexpr(x, compared));
            return parts.reduce((a, b) => {
              rounding();
              return op(`${lanesType}.${name}` as WOp, a, b);
            });
          }
          case "neg":
            return op(`${lanesType}.neg`, vexpr(e.a, compared));
          case "call": {
            const args = e.args.map((x) => vexpr(x, compared));
            if ((e.fn === "Math.max" || e.fn === "Math.min") && args.length > 0) return args.reduce((a, b) => op(`${lanesType}.${e.fn === "Math.max" ? "max" : "min"}`, a, b));
            if (e.fn === "Math.abs" && args.length === 1) return op(`${lanesType}.abs`, args[0]!);
            if (e.fn === "Math.sqrt" && args.length === 1) {
              rounding();
              return op(`${lanesType}.sqrt`, args[0]!);
            }
            return no();
          }
          case "cond": {
            const c = e.test;
            // Both branches are evaluated: they may not read memory (a skipped one might reach outside it).
            if (c.k !== "compare" || reads(e.then) || reads(e.else)) return no();
            const name = { ">": "gt", ">=": "ge", "<": "lt", "<=": "le", "===": "eq" }[c.op];
            const mask = op(`${lanesType}.${name}` as WOp, vexpr(c.a, true), vexpr(c.b, true));
            return op("v128.bitselect", vexpr(e.then, compared), vexpr(e.else, compared), mask);
          }
          default:
            return no();
        }
      };
      const value = vexpr(st.value);
      const [addr, offset] = t.address(st.array, st.index, true);
      const combined =
        st.op === "="
          ? value
          : op(`${lanesType}.${{ "+=": "add", "-=": "sub", "*=": "mul" }[st.op]}` as WOp, wload("v128.load", addr, offset), value);
      body.push(wstore("v128.store", addr, offset, combined));
    }
    const v = t.local(s.v, "i32");
    const tail = main < to ? [wfor(v, i32(main), i32(to), 1, t.stmts(s.body))] : [];
    return [wfor(v, i32(from), i32(main), lanes, body), ...tail];
  } catch (error) {
    // Not a vector loop: the scalar one (whose translation throws Untranslatable where it must).
    if (error instanceof NotVector) return undefined;
    throw error;
  }
}
