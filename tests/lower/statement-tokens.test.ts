// The token count that decides how kernels are split (lower/budget.ts countTokens) is the count of
// the text the printer writes (print/typescript.ts), for any statements of the loop language:
// loops of every form, tests, calls, returns, blocks with comments, in TypeScript and JavaScript.
// Expressions are checked alone in token-count.test.ts; here they are small, the statements vary.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AssignOp, Expr, Stmt } from "../../compiler/ir/code.js";
import { countTokens } from "../../compiler/lower/budget.js";
import { printStatements } from "../../compiler/print/typescript.js";
import { tokensOfText } from "../helpers/tokens.js";

const name = fc.constantFrom("a", "b1", "x_0", "z_h");
const expr: fc.Arbitrary<Expr> = fc.oneof(
  fc.integer({ min: -3, max: 40 }).map((value): Expr => ({ k: "num", value })),
  name.map((n): Expr => ({ k: "var", name: n })),
  fc.tuple(name, fc.integer({ min: 0, max: 9 })).map(([n, i]): Expr => ({ k: "binary", op: "*", a: { k: "var", name: n }, b: { k: "num", value: i } })),
  fc.tuple(name, name).map(([a, i]): Expr => ({ k: "load", array: a, index: { k: "var", name: i } })),
);
const assignOp = fc.constantFrom<AssignOp>("=", "+=", "-=", "*=");
const comment = fc.constantFrom("", "h = dense(x, 3)", "Σ loss over the batch", "∂loss/∂W [3, 2]");

const stmt: fc.Arbitrary<Stmt> = fc.letrec<{ s: Stmt }>((tie) => {
  const body = fc.array(tie("s"), { maxLength: 3 });
  return {
    s: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.tuple(fc.constantFrom<"const" | "let">("const", "let"), name, expr).map(([kind, n, value]): Stmt => ({ k: "decl", kind, name: n, value })),
      fc.tuple(name, expr, assignOp, expr).map(([array, index, op, value]): Stmt => ({ k: "store", array, index, op, value })),
      fc.tuple(name, assignOp, expr).map(([n, op, value]): Stmt => ({ k: "assign", name: n, op, value })),
      fc
        .record({ v: name, from: fc.option(expr, { nil: undefined }), to: expr, step: fc.integer({ min: 1, max: 4 }), whole: fc.boolean(), body })
        .map(({ from, ...rest }): Stmt => ({ k: "for", ...rest, ...(from ? { from } : {}) })),
      fc.tuple(expr, body).map(([test, b]): Stmt => ({ k: "if", test: { k: "compare", op: "<", a: test, b: { k: "num", value: 4 } }, body: b })),
      fc.tuple(fc.constantFrom("gradRows_1", "f"), fc.array(expr, { maxLength: 4 })).map(([fn, args]): Stmt => ({ k: "call", fn, args })),
      expr.map((value): Stmt => ({ k: "return", value })),
      fc.tuple(comment, body).map(([c, b]): Stmt => ({ k: "block", comment: c, body: b })),
    ),
  };
}).s;

describe("the token count of statements", () => {
  it("is the count of their printed text, for any statements, typed or not", () => {
    fc.assert(
      fc.property(fc.array(stmt, { maxLength: 4 }), (stmts) => {
        expect(countTokens(stmts)).toBe(tokensOfText(printStatements(stmts, "  ", true)));
        expect(countTokens(stmts)).toBe(tokensOfText(printStatements(stmts, "  ", false)));
      }),
      { numRuns: 1000, seed: 1 },
    );
  });
});
