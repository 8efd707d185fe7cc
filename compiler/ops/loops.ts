// Iteration over a shape inside an op's lowering: literal indices when unrolling (one
// statement per element), nested `for` loops with literal bounds otherwise. In nested loops,
// array reads that do not depend on the innermost index are hoisted out of it (V8 does not
// move loads out of loops by itself, and the outer-product rows of a gradient need it).
//
//   forEachIndex(ctx, [2, 3], ([i, j]) => [store("s", 0, "+=", mul(i, j))])
//   unrolled: s[0] += 0 * 0; s[0] += 0 * 1; …      loops: for (let i1 = 0; i1 < 2; i1++) { for (let i2 = 0; …) … }

import { type Expr, type Stmt, indexAdd, indexMul, load, mapExpr, mentions, num, decl, v } from "../ir/code.js";
import { type Shape, stridesOf } from "../ir/node.js";
import type { Index, LowerContext } from "./op-def.js";

/** An index as an expression. */
export const ix = (i: Index): Expr => (typeof i === "number" ? num(i) : i);

/** Flat row-major offset of a multi-index (a literal when every index is one). */
export function flatIndex(shape: Shape, index: readonly Index[]): Expr {
  const strides = stridesOf(shape);
  let flat: Expr = num(0);
  index.forEach((i, d) => {
    flat = indexAdd(flat, indexMul(ix(i), strides[d]!));
  });
  return flat;
}

/** A literal row-major offset as a multi-index of `shape`. */
export function unflatten(shape: Shape, flat: number): number[] {
  const index: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    index.unshift(flat % shape[d]!);
    flat = Math.floor(flat / shape[d]!);
  }
  return index;
}

export function forEachIndex(ctx: Pick<LowerContext, "unrolled" | "fresh">, shape: Shape, body: (index: Index[]) => Stmt[]): Stmt[] {
  if (ctx.unrolled) {
    const stmts: Stmt[] = [];
    const index = new Array<number>(shape.length).fill(0);
    const total = shape.reduce((a, b) => a * b, 1);
    for (let n = 0; n < total; n++) {
      stmts.push(...body([...index]));
      for (let d = shape.length - 1; d >= 0; d--) {
        if (++index[d]! < shape[d]!) break;
        index[d] = 0;
      }
    }
    return stmts;
  }
  // A dimension of size 1 needs no loop: its index is the literal 0.
  const names = shape.map((d) => (d === 1 ? undefined : ctx.fresh("i")));
  let stmts = body(names.map((n) => (n === undefined ? 0 : v(n))));
  const loopVars = names.filter((n): n is string => n !== undefined);
  const innermost = loopVars[loopVars.length - 1];
  let hoisted: Stmt[] = [];
  if (loopVars.length >= 2 && stmts.length === 1) {
    const h = hoistInvariantReads(stmts[0]!, innermost!, ctx.fresh);
    stmts = [h.stmt];
    hoisted = h.hoisted;
  }
  for (let d = shape.length - 1; d >= 0; d--) {
    const name = names[d];
    if (name === undefined) continue;
    stmts = [{ k: "for", v: name, from: num(0), to: num(shape[d]!), step: 1, body: stmts }];
    if (name === innermost && hoisted.length > 0) stmts = [...hoisted, ...stmts];
  }
  return stmts;
}

/**
 * In `target op= value`, replaces reads of the value whose index does not mention `inner` by
 * constants declared before the inner loop. Safe because a generated statement never reads,
 * at an index independent of the loop, an element the same loop writes (each stored node has
 * its own storage, and accumulators appear only on the left).
 */
export function hoistInvariantReads(stmt: Stmt, inner: string, fresh: (hint: string) => string): { stmt: Stmt; hoisted: Stmt[] } {
  if (stmt.k !== "store" && stmt.k !== "assign") return { stmt, hoisted: [] };
  const hoisted: Stmt[] = [];
  const names = new Map<string, string>();
  const value = mapExpr(stmt.value, (e) => {
    if (e.k !== "load" || mentions(e.index, inner)) return undefined;
    const key = JSON.stringify(e);
    let name = names.get(key);
    if (!name) {
      name = fresh("r");
      names.set(key, name);
      hoisted.push(decl("const", name, e));
    }
    return v(name);
  });
  return { stmt: { ...stmt, value }, hoisted };
}

/** `array[base + flat]` for element `index` of a tensor of `shape` stored at `base`. */
export function at(array: string, base: Index, shape: Shape, index: readonly Index[]): Expr {
  return load(array, indexAdd(ix(base), flatIndex(shape, index)));
}
