// Expressions of the loop language as JavaScript, with as few parentheses as precedence allows
// but every one that evaluation order needs: floating-point addition is not associative, so
// `a + (b + c)` keeps its parentheses, and a right operand of equal precedence is always wrapped
// (the rule is ir/precedence.ts, which the token counter shares).
//
//   binary("/", num(1), binary("+", num(1), call("Math.exp", neg(v("z")))))   ->   1 / (1 + Math.exp(-z))
//
// In TypeScript (`typed`), an array read is `a[i]!`: the index is in range by construction,
// and the `!` lets the code type-check under `noUncheckedIndexedAccess` at no runtime cost.

import { type Expr, children } from "../ir/code.js";
import { leadsWithMinus, operandPrecedences, precedence } from "../ir/precedence.js";

/** `e` as a JavaScript expression (TypeScript when `typed`). */
export function exprText(e: Expr, typed = false): string {
  const mins = operandPrecedences(e);
  // Each operand printed, in parentheses where it binds less tightly than its place needs.
  const parts = children(e).map((x, i) => {
    const text = exprText(x, typed);
    return precedence(x) >= mins[i]! ? text : `(${text})`;
  });
  const [a, b, c] = parts;
  switch (e.k) {
    case "num":
      // `String` round-trips doubles; -0 is written 0 by the graph already.
      return String(e.value);
    case "var":
      return e.name;
    case "load":
      return `${e.array}[${a}]${typed ? "!" : ""}`;
    case "binary":
    case "compare":
      return `${a} ${e.op} ${b}`;
    case "sum":
      return parts.join(" + ");
    case "neg":
      // `- -x` would read as a decrement: a leading minus gets parentheses.
      return leadsWithMinus(e.a) ? `-(${a})` : `-${a}`;
    case "call":
      return `${e.fn}(${parts.join(", ")})`;
    case "and":
      return `${a} && ${b}`;
    case "or":
      return `${a} || ${b}`;
    case "cond":
      return `${a} ? ${b} : ${c}`;
  }
}
