// Iteration over a shape inside an op's lowering: literal indices when unrolling (one
// statement per element), nested `for` loops with literal bounds otherwise. In nested loops,
// array reads that do not depend on the innermost index are hoisted out of it (V8 does not
// move loads out of loops by itself, and the outer-product rows of a gradient need it).
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
  const loopVars = vars.filter((v): v is string => typeof v === "string");
  let hoisted: string[] = [];
  if (loopVars.length >= 2 && lines.length === 1) {
    const h = hoistInvariantReads(lines[0]!, loopVars[loopVars.length - 1]!, ctx.fresh);
    lines = [h.line];
    hoisted = h.hoisted;
  }
  const innermost = loopVars[loopVars.length - 1];
  for (let d = shape.length - 1; d >= 0; d--) {
    const v = vars[d]!;
    if (typeof v === "number") continue;
    lines = [`for (let ${v} = 0; ${v} < ${shape[d]}; ${v}++) {`, ...lines.map((l) => `  ${l}`), `}`];
    if (v === innermost && hoisted.length > 0) lines = [...hoisted, ...lines];
  }
  return lines;
}

/**
 * In `LHS op= RHS;`, replaces reads `a[index]` of the RHS whose index does not mention
 * `inner` by constants declared before the inner loop. Safe because a generated statement
 * never reads, at an index independent of the loop, an element the same loop writes (each
 * stored node has its own scratch slice, and accumulators appear only on the left).
 */
export function hoistInvariantReads(line: string, inner: string, fresh: (hint: string) => string): { line: string; hoisted: string[] } {
  const m = /^([^=]*?) ([-+*]?=) (.*);$/.exec(line);
  if (!m) return { line, hoisted: [] };
  const innerRe = new RegExp(`\\b${inner}\\b`);
  const hoisted: string[] = [];
  const names = new Map<string, string>();
  const rhs = m[3]!.replace(/\b([A-Za-z_$][\w$]*)\[([^[\]]+)\]/g, (read: string, _a: string, index: string) => {
    if (innerRe.test(index)) return read;
    let name = names.get(read);
    if (!name) {
      name = fresh("r");
      names.set(read, name);
      hoisted.push(`const ${name} = ${read};`);
    }
    return name;
  });
  return { line: `${m[1]} ${m[2]} ${rhs};`, hoisted };
}

/** `a + b + c` for unrolled sums; "0" for none. */
export function sumTerms(terms: string[]): string {
  return terms.length === 0 ? "0" : terms.join(" + ");
}
