// Iteration over a shape inside an op's lowering: literal indices when unrolling (one
// statement per element), nested `for` loops with literal bounds otherwise.
//
//   forEachIndex(ctx, [2, 3], ([i, j]) => [`s += ${i} * ${j};`])
//   unrolled: s += 0 * 0; s += 0 * 1; ...      loops: for (let i0 = 0; i0 < 2; i0++) { for (let i1 = 0; ...) { ... } }

import type { Shape } from "../ir/node.js";
import type { Index, LowerContext } from "./op-def.js";

export function forEachIndex(
  ctx: Pick<LowerContext, "unrolled" | "fresh">,
  shape: Shape,
  body: (index: Index[]) => string[],
): string[] {
  if (ctx.unrolled) {
    const lines: string[] = [];
    const index = new Array<number>(shape.length).fill(0);
    const total = shape.reduce((a, b) => a * b, 1);
    for (let n = 0; n < total; n++) {
      lines.push(...body([...index]));
      for (let d = shape.length - 1; d >= 0; d--) {
        if (++index[d]! < shape[d]!) break;
        index[d] = 0;
      }
    }
    return lines;
  }
  // A dimension of size 1 needs no loop: its index is the literal 0.
  const vars: Index[] = shape.map((d) => (d === 1 ? 0 : ctx.fresh("i")));
  let lines = body(vars);
  for (let d = shape.length - 1; d >= 0; d--) {
    const v = vars[d]!;
    if (typeof v === "number") continue;
    lines = [`for (let ${v} = 0; ${v} < ${shape[d]}; ${v}++) {`, ...lines.map((l) => `  ${l}`), `}`];
  }
  return lines;
}

/** `a + b + c` for unrolled sums; "0" for none. */
export function sumTerms(terms: string[]): string {
  return terms.length === 0 ? "0" : terms.join(" + ");
}
