// Expressions of the loop language as JavaScript, with as few parentheses as precedence allows
// but every one that evaluation order needs: floating-point addition is not associative, so
// `a + (b + c)` keeps its parentheses, and a right operand of equal precedence is always wrapped.
//
//   binary("/", num(1), binary("+", num(1), call("Math.exp", neg(v("z")))))   ->   1 / (1 + Math.exp(-z))
//
// In TypeScript (`typed`), an array read is `a[i]!`: the index is in range by construction,
// and the `!` lets the code type-check under `noUncheckedIndexedAccess` at no runtime cost.

import type { Expr } from "../ir/code.js";

/** JavaScript operator precedence (higher binds tighter). */
const COND = 2;
const OR = 3;
const AND = 4;
const EQUALITY = 9;
const RELATIONAL = 10;
const ADDITIVE = 12;
const MULTIPLICATIVE = 13;
const UNARY = 15;
const ATOM = 18;

interface Printed {
  text: string;
  prec: number;
}

/** A number as JavaScript reads it back exactly (`String` round-trips doubles; -0 is written 0 by the graph already). */
function numberText(value: number): Printed {
  const text = String(value);
  return { text, prec: text.startsWith("-") ? UNARY : ATOM };
}

function wrap(p: Printed, min: number): string {
  return p.prec >= min ? p.text : `(${p.text})`;
}

export function exprPrec(e: Expr, typed = false): Printed {
  const sub = (x: Expr) => exprPrec(x, typed);
  switch (e.k) {
    case "num":
      return numberText(e.value);
    case "var":
      return { text: e.name, prec: ATOM };
    case "load":
      return { text: `${e.array}[${exprText(e.index)}]${typed ? "!" : ""}`, prec: ATOM };
    case "binary": {
      const prec = e.op === "+" || e.op === "-" ? ADDITIVE : MULTIPLICATIVE;
      return { text: `${wrap(sub(e.a), prec)} ${e.op} ${wrap(sub(e.b), prec + 1)}`, prec };
    }
    case "sum":
      return { text: e.terms.map((t, i) => wrap(sub(t), i === 0 ? ADDITIVE : ADDITIVE + 1)).join(" + "), prec: ADDITIVE };
    case "neg": {
      const inner = wrap(sub(e.a), UNARY);
      // `- -x` would read as a decrement: a leading minus gets parentheses.
      return { text: inner.startsWith("-") ? `-(${inner})` : `-${inner}`, prec: UNARY };
    }
    case "call":
      return { text: `${e.fn}(${e.args.map((a) => exprText(a, typed)).join(", ")})`, prec: ATOM };
    case "compare": {
      const prec = e.op === "===" ? EQUALITY : RELATIONAL;
      return { text: `${wrap(sub(e.a), prec)} ${e.op} ${wrap(sub(e.b), prec + 1)}`, prec };
    }
    case "and":
      return { text: `${wrap(sub(e.a), AND)} && ${wrap(sub(e.b), AND + 1)}`, prec: AND };
    case "or":
      return { text: `${wrap(sub(e.a), OR)} || ${wrap(sub(e.b), OR + 1)}`, prec: OR };
    case "cond":
      return { text: `${wrap(sub(e.test), COND + 1)} ? ${wrap(sub(e.then), COND)} : ${wrap(sub(e.else), COND)}`, prec: COND };
  }
}

/** `e` as a JavaScript expression (TypeScript when `typed`). */
export function exprText(e: Expr, typed = false): string {
  return exprPrec(e, typed).text;
}
