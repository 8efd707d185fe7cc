// How expressions of the loop language bind when printed as JavaScript: each expression's
// precedence, and the least precedence each of its operands may have to print without
// parentheses. The printer (print/expr.ts) wraps by it; the token counter (lower/budget.ts)
// counts the parentheses the printer will write by it, so the two cannot disagree.
//
//   a - (b + c): the right operand of `-` needs ADDITIVE + 1, `b + c` has ADDITIVE: wrapped.

import { type Expr, children } from "./code.js";

/** JavaScript operator precedence (higher binds tighter). */
export const COND = 2;
export const OR = 3;
export const AND = 4;
export const EQUALITY = 9;
export const RELATIONAL = 10;
export const ADDITIVE = 12;
export const MULTIPLICATIVE = 13;
export const UNARY = 15;
export const ATOM = 18;

/** The precedence of `e` as printed (a negative number literal prints with its minus: unary). */
export function precedence(e: Expr): number {
  switch (e.k) {
    case "num":
      return e.value < 0 ? UNARY : ATOM;
    case "binary":
      return e.op === "+" || e.op === "-" ? ADDITIVE : MULTIPLICATIVE;
    case "sum":
      return ADDITIVE;
    case "neg":
      return UNARY;
    case "compare":
      return e.op === "===" ? EQUALITY : RELATIONAL;
    case "and":
      return AND;
    case "or":
      return OR;
    case "cond":
      return COND;
    default:
      return ATOM;
  }
}

/** Whether `e`, as the operand of a negation, prints with a leading minus: wrapped then (`-(-x)`, not `--x`). */
export function leadsWithMinus(e: Expr): boolean {
  // Anything binding less tightly than a negation is in parentheses already.
  return e.k === "neg" || (e.k === "num" && e.value < 0);
}

/**
 * The least precedence each operand of `e` (in `children` order) may have without parentheses:
 * left operands bind at the operator's own level, right ones one tighter (floating-point `+`
 * is not associative, so `a + (b + c)` keeps them); indices and arguments stand alone.
 */
export function operandPrecedences(e: Expr): number[] {
  const own = precedence(e);
  switch (e.k) {
    case "binary":
    case "compare":
    case "and":
    case "or":
      return [own, own + 1];
    case "sum":
      return e.terms.map((_, i) => (i === 0 ? own : own + 1));
    case "neg":
      return [UNARY];
    case "cond":
      return [COND + 1, COND, COND];
    default:
      return children(e).map(() => 0);
  }
}
