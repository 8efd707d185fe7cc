// Expressions of the loop language as JavaScript, with as few parentheses as precedence allows
// but every one that evaluation order needs: floating-point addition is not associative, so
// `a + (b + c)` keeps its parentheses, and a right operand of equal precedence is always wrapped.
//
//   binary("/", num(1), binary("+", num(1), call("Math.exp", neg(v("z")))))   ->   1 / (1 + Math.exp(-z))

import type { Expr } from "../ir/code.js";

/** JavaScript operator precedence (higher binds tighter). */
const COND = 2;
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

export function exprPrec(e: Expr): Printed {
  switch (e.k) {
    case "num":
      return numberText(e.value);
    case "var":
      return { text: e.name, prec: ATOM };
    case "load":
      return { text: `${e.array}[${exprText(e.index)}]`, prec: ATOM };
    case "binary": {
      const prec = e.op === "+" || e.op === "-" ? ADDITIVE : MULTIPLICATIVE;
      return { text: `${wrap(exprPrec(e.a), prec)} ${e.op} ${wrap(exprPrec(e.b), prec + 1)}`, prec };
    }
    case "sum":
      return { text: e.terms.map((t, i) => wrap(exprPrec(t), i === 0 ? ADDITIVE : ADDITIVE + 1)).join(" + "), prec: ADDITIVE };
    case "neg": {
      const inner = wrap(exprPrec(e.a), UNARY);
      // `- -x` would read as a decrement: a leading minus gets parentheses.
      return { text: inner.startsWith("-") ? `-(${inner})` : `-${inner}`, prec: UNARY };
    }
    case "call":
      return { text: `${e.fn}(${e.args.map(exprText).join(", ")})`, prec: ATOM };
    case "compare": {
      const prec = e.op === "===" ? EQUALITY : RELATIONAL;
      return { text: `${wrap(exprPrec(e.a), prec)} ${e.op} ${wrap(exprPrec(e.b), prec + 1)}`, prec };
    }
    case "and":
      return { text: `${wrap(exprPrec(e.a), AND)} && ${wrap(exprPrec(e.b), AND + 1)}`, prec: AND };
    case "cond":
      return { text: `${wrap(exprPrec(e.test), COND + 1)} ? ${wrap(exprPrec(e.then), COND)} : ${wrap(exprPrec(e.else), COND)}`, prec: COND };
  }
}

/** `e` as a JavaScript expression. */
export function exprText(e: Expr): string {
  return exprPrec(e).text;
}
