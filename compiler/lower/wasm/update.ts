// An optimizer's update as WebAssembly: the statements a fused training step applies to each
// finished sum of a weight-gradient product (train-step-batched.ts: mean, clipping, then SGD,
// momentum, Adam, RMSprop or Adagrad from optimizer-step.ts), translated from the loop language
// into instructions on a vector of `lanes` consecutive weights (f64x2, f32x4) or on one weight
// (a scalar column). The statements are those of one element (lower/program.ts FusedProduct,
// index and sum named SINK_INDEX and SINK_SUM); loads and stores at that index become accesses
// at the tile's byte offset in each array (p, m, v, …), its numbers
// (learning rate, Adam's bias-corrected rate, 1/n, clip factors) are the function's f64
// parameters, splat once at its start, and its literals are constants, splat once too.
//
//   p[o] -= lr * (acc * scale)   ->   (v128.store offset=16 (i32.add $p $pc) (f64x2.sub (v128.load …) (f64x2.mul $lr_v …)))
//
// Each operation is the one JavaScript performs, in the same order: with f64 the update is the
// JavaScript kernels' bit for bit (IEEE add, mul, div and sqrt are correctly rounded in both);
// with f32 each operation rounds to float32 where JavaScript computes in doubles and rounds at
// the stores, a few ulps of float32 apart.

import type { Expr, Stmt } from "../../ir/code.js";
import { SINK_INDEX, SINK_SUM } from "../program.js";
import { type WExpr, type WOp, type WStmt, fconst, get, iadd, op, set, wload, wstore } from "./code.js";
import type { Locals, Precision } from "./gemm.js";


/** A statement the translation does not know: the product keeps its JavaScript body. */
export class UnsupportedUpdate extends Error {}

export interface UpdateCode {
  /** Statements at the function's start: the scalars and literals splat into vectors. */
  prologue: WStmt[];
  /** The update of the weights at byte offset `at` + `offset` (of every array) with the finished `sum`. */
  element(vector: boolean, at: WExpr, offset: number, sum: WExpr): WStmt[];
}

interface Kind {
  type: "v128" | "f64" | "f32";
  load: "v128.load" | "f64.load" | "f32.load";
  store: "v128.store" | "f64.store" | "f32.store";
  ops: Record<"+" | "-" | "*" | "/" | "sqrt" | "neg" | ">" | "<", WOp>;
}

const KINDS: Record<Precision, { vector: Kind; scalar: Kind }> = {
  f64: {
    vector: { type: "v128", load: "v128.load", store: "v128.store", ops: { "+": "f64x2.add", "-": "f64x2.sub", "*": "f64x2.mul", "/": "f64x2.div", sqrt: "f64x2.sqrt", neg: "f64x2.neg", ">": "f64x2.gt", "<": "f64x2.lt" } },
    scalar: { type: "f64", load: "f64.load", store: "f64.store", ops: { "+": "f64.add", "-": "f64.sub", "*": "f64.mul", "/": "f64.div", sqrt: "f64.sqrt", neg: "f64.neg", ">": "f64.gt", "<": "f64.lt" } },
  },
  f32: {
    vector: { type: "v128", load: "v128.load", store: "v128.store", ops: { "+": "f32x4.add", "-": "f32x4.sub", "*": "f32x4.mul", "/": "f32x4.div", sqrt: "f32x4.sqrt", neg: "f32x4.neg", ">": "f32x4.gt", "<": "f32x4.lt" } },
    scalar: { type: "f32", load: "f32.load", store: "f32.store", ops: { "+": "f32.add", "-": "f32.sub", "*": "f32.mul", "/": "f32.div", sqrt: "f32.sqrt", neg: "f32.neg", ">": "f32.gt", "<": "f32.lt" } },
  },
};

/**
 * The update `statements` (of one element: FusedProduct.statements) as WebAssembly.
 * `arrays`: the function's array parameters (i32 byte addresses); `scalars`: its f64 ones.
 * Throws UnsupportedUpdate for anything else.
 */
export function updateCode(statements: readonly Stmt[], precision: Precision, arrays: ReadonlySet<string>, scalars: ReadonlySet<string>, L: Locals): UpdateCode {
  const f32 = precision === "f32";
  const scalarType = f32 ? "f32" : "f64";
  const splat: WOp = f32 ? "f32x4.splat" : "f64x2.splat";
  const prologue: WStmt[] = [];
  // One local per scalar parameter and literal, in each form (a number, its vector).
  const hoisted = new Map<string, { scalar: string; vector: string }>();
  const hoist = (key: string, value: WExpr) => {
    let h = hoisted.get(key);
    if (h === undefined) {
      h = { scalar: L.of(`u_${hoisted.size}`, scalarType), vector: L.of(`uv_${hoisted.size}`, "v128") };
      hoisted.set(key, h);
      prologue.push(set(h.scalar, value), set(h.vector, op(splat, get(h.scalar))));
    }
    return h;
  };
  // `${-0}` is "0": -0 gets a key of its own, so that it never shares 0's local.
  const literal = (x: number) => hoist(Object.is(x, -0) ? "#-0" : `#${x}`, fconst(scalarType, x));
  const scalar = (name: string) => hoist(name, f32 ? op("f32.demote_f64", get(name)) : get(name));
  const fail = (what: string): never => {
    throw new UnsupportedUpdate(`an update's ${what}`);
  };
  // Check the statements once (and hoist what they read), so element() cannot fail later.
  const locals = new Set<string>();
  const fold = (e: Expr): number | undefined => {
    if (e.k === "num") return e.value;
    if (e.k === "binary") {
      const [a, b] = [fold(e.a), fold(e.b)];
      if (a === undefined || b === undefined) return undefined;
      return e.op === "+" ? a + b : e.op === "-" ? a - b : e.op === "*" ? a * b : a / b;
    }
    return undefined;
  };

  const element = (vector: boolean, at: WExpr, offset: number, sum: WExpr): WStmt[] => {
    const K = KINDS[precision][vector ? "vector" : "scalar"];
    const local = (name: string) => L.of(`${vector ? "w" : "s"}_${name}`, K.type);
    const address = (array: string, index: Expr): WExpr => {
      if (!arrays.has(array)) fail(`array ${array}`);
      if (index.k !== "var" || index.name !== SINK_INDEX) fail(`index into ${array}`);
      return iadd(get(array), at);
    };
    const expr = (e: Expr): WExpr => {
      const folded = fold(e);
      if (folded !== undefined) return get(literal(folded)[vector ? "vector" : "scalar"]);
      switch (e.k) {
        case "var":
          if (e.name === SINK_SUM) return sum;
          if (locals.has(e.name)) return get(local(e.name));
          if (scalars.has(e.name)) return get(scalar(e.name)[vector ? "vector" : "scalar"]);
          return fail(`variable ${e.name}`);
        case "load":
          return wload(K.load, address(e.array, e.index), offset);
        case "binary":
          return op(K.ops[e.op], expr(e.a), expr(e.b));
        case "sum":
          return e.terms.map(expr).reduce((a, b) => op(K.ops["+"], a, b));
        case "neg":
          return op(K.ops.neg, expr(e.a));
        case "call":
          if (e.fn === "Math.sqrt" && e.args.length === 1) return op(K.ops.sqrt, expr(e.args[0]!));
          // Under f32 every operation already rounds to float32.
          if (e.fn === "Math.fround" && f32 && e.args.length === 1) return expr(e.args[0]!);
          return fail(`call of ${e.fn}`);
        case "cond": {
          const t = e.test;
          if (t.k !== "compare" || (t.op !== ">" && t.op !== "<")) return fail("condition");
          const mask = op(K.ops[t.op], expr(t.a), expr(t.b));
          return vector ? op("v128.bitselect", expr(e.then), expr(e.else), mask) : op("select", expr(e.then), expr(e.else), mask);
        }
        default:
          return fail(`${e.k} expression`);
      }
    };
    const out: WStmt[] = [];
    for (const s of statements) {
      if (s.k === "decl" && s.kind === "const") {
        const value = expr(s.value);
        locals.add(s.name);
        out.push(set(local(s.name), value));
      } else if (s.k === "store") {
        const addr = address(s.array, s.index);
        const value = expr(s.value);
        if (s.op === "=") out.push(wstore(K.store, addr, offset, value));
        else if (s.op === "+=" || s.op === "-=") out.push(wstore(K.store, addr, offset, op(K.ops[s.op === "+=" ? "+" : "-"], wload(K.load, addr, offset), value)));
        else fail(`${s.op} store`);
      } else {
        fail(`${s.k} statement`);
      }
    }
    return out;
  };
  // A trial translation (both forms) checks every statement and hoists what they read.
  element(true, get(SINK_INDEX), 0, get(SINK_SUM));
  element(false, get(SINK_INDEX), 0, get(SINK_SUM));
  return { prologue, element };
}
