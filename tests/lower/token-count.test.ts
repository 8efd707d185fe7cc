// The token count that decides how kernels are split (lower/budget.ts) is the count of the text
// the printer writes (print/expr.ts), parentheses included, for any expression of the loop
// language: both take precedence from ir/precedence.ts. (Before, the counter kept a table of
// its own, which disagreed on `-(-x)` and on `||` under `&&`.)

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { BinaryOp, CompareOp, Expr } from "../../compiler/ir/code.js";
import { exprTokens } from "../../compiler/lower/budget.js";
import { exprText } from "../../compiler/print/expr.js";
import { tokensOfText } from "../helpers/tokens.js";

const expr: fc.Arbitrary<Expr> = fc.letrec<{ e: Expr }>((tie) => ({
  e: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.integer({ min: -3, max: 3 }).map((value): Expr => ({ k: "num", value })),
    fc.constantFrom("a", "b1", "x_0").map((name): Expr => ({ k: "var", name })),
    tie("e").map((index): Expr => ({ k: "load", array: "p", index })),
    fc.tuple(fc.constantFrom<BinaryOp>("+", "-", "*", "/"), tie("e"), tie("e")).map(([op, a, b]): Expr => ({ k: "binary", op, a, b })),
    fc.array(tie("e"), { minLength: 2, maxLength: 4 }).map((terms): Expr => ({ k: "sum", terms })),
    tie("e").map((a): Expr => ({ k: "neg", a })),
    fc.tuple(fc.constantFrom("Math.exp", "normalCdf", "Math.max"), fc.array(tie("e"), { maxLength: 3 })).map(([fn, args]): Expr => ({ k: "call", fn, args })),
    fc.tuple(fc.constantFrom<CompareOp>(">", ">=", "<", "<=", "==="), tie("e"), tie("e")).map(([op, a, b]): Expr => ({ k: "compare", op, a, b })),
    fc.tuple(tie("e"), tie("e")).map(([a, b]): Expr => ({ k: "and", a, b })),
    fc.tuple(tie("e"), tie("e")).map(([a, b]): Expr => ({ k: "or", a, b })),
    fc.tuple(tie("e"), tie("e"), tie("e")).map(([test, then, otherwise]): Expr => ({ k: "cond", test, then, else: otherwise })),
  ),
})).e;

describe("the token count of an expression", () => {
  it("is the count of its printed text, for any expression", () => {
    fc.assert(
      fc.property(expr, (e) => {
        expect(exprTokens(e)).toBe(tokensOfText([exprText(e)]));
        expect(exprTokens(e)).toBe(tokensOfText([exprText(e, true)]));
      }),
      { numRuns: 2000, seed: 1 },
    );
  });

  it("counts the parentheses of the cases that once differed", () => {
    const x: Expr = { k: "var", name: "x" };
    const negNeg: Expr = { k: "neg", a: { k: "neg", a: x } };
    const orInAnd: Expr = { k: "and", a: { k: "or", a: x, b: x }, b: x };
    expect(exprText(negNeg)).toBe("-(-x)");
    expect(exprTokens(negNeg)).toBe(5);
    expect(exprText(orInAnd)).toBe("(x || x) && x");
    expect(exprTokens(orInAnd)).toBe(7);
  });
});
