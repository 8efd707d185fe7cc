// V8's optimization budget for generated functions. TurboFan never optimizes a function whose
// bytecode exceeds --max-optimized-bytecode-size (61,440 bytes in Node 20); such a function
// stays in the baseline tier and ran 25–30× slower here. We cannot ask V8 for bytecode sizes
// at compile time, so we count tokens of the code a function will print as: measured with
// --print-bytecode on nnc's own unrolled kernels (dense layers, softmax, penalties), bytecode
// was 2.0–3.8 bytes per token, growing with function size (register operands get wider past
// 128 locals). 13,000 tokens is at most ~49 KB of bytecode: optimizable, with a 20% margin.
// tests/perf checks the real status.
//
//   countTokens([decl("const", "h_0", binary("*", load("p", 0), load("x", v("xo"))))])  // 13

import { type Expr, type Stmt, children } from "../ir/code.js";
import { leadsWithMinus, operandPrecedences, precedence } from "../ir/precedence.js";

/** Most tokens one generated function may have. */
export const FUNCTION_TOKEN_BUDGET = 13_000;

/** An unrolled block bigger than this is lowered as loops instead (large ops gain little from unrolling). */
export const UNROLLED_BLOCK_TOKENS = 4_000;

/** At most this many functions of unrolled code per kernel; past it, the largest blocks become loops. */
export const MAX_CHUNKS = 6;

/** `Math.exp` is three tokens, `f` one. */
const nameTokens = (name: string): number => name.split(".").length * 2 - 1;

/** Tokens of an expression as printed (names, numbers, operators, brackets), parentheses by ir/precedence.ts. */
export function exprTokens(root: Expr): number {
  let n = 0;
  const stack: Expr[] = [root];
  while (stack.length > 0) {
    const e = stack.pop()!;
    const operands = children(e);
    const mins = operandPrecedences(e);
    operands.forEach((x, i) => {
      if (precedence(x) < mins[i]!) n += 2;
      stack.push(x);
    });
    switch (e.k) {
      case "num":
        n += e.value < 0 ? 2 : 1;
        break;
      case "var":
        n += 1;
        break;
      case "load":
        n += 3;
        break;
      case "binary":
      case "compare":
      case "and":
      case "or":
        n += 1;
        break;
      case "neg":
        // `-(-x)`: a leading minus under a negation is wrapped (print/expr.ts).
        n += leadsWithMinus(e.a) ? 3 : 1;
        break;
      case "sum":
        n += e.terms.length - 1;
        break;
      case "call":
        n += nameTokens(e.fn) + 2 + Math.max(0, e.args.length - 1);
        break;
      case "cond":
        n += 2;
        break;
    }
  }
  return n;
}

/** Tokens of statements as printed, comments excluded. */
export function countTokens(stmts: readonly Stmt[]): number {
  let n = 0;
  const stack: Stmt[] = [...stmts];
  while (stack.length > 0) {
    const s = stack.pop()!;
    switch (s.k) {
      case "decl":
        n += 4 + exprTokens(s.value);
        break;
      case "store":
        n += 5 + exprTokens(s.index) + exprTokens(s.value);
        break;
      case "assign":
        n += 3 + exprTokens(s.value);
        break;
      case "for": {
        // `for (let v = from; v + (step − 1) < to; v += step) { }`, each part as print/typescript.ts writes it.
        const init = s.from ? 3 + exprTokens(s.from) : 0;
        const test = (s.whole && s.step > 1 ? 4 : 2) + exprTokens(s.to);
        const step = s.step === 1 ? 2 : 3;
        n += 7 + init + test + step;
        stack.push(...s.body);
        break;
      }
      case "if":
        n += 5 + exprTokens(s.test);
        stack.push(...s.body);
        break;
      case "call":
        n += nameTokens(s.fn) + 3 + s.args.reduce((t, a) => t + exprTokens(a), 0) + Math.max(0, s.args.length - 1);
        break;
      case "return":
        n += 2 + exprTokens(s.value);
        break;
      case "block":
        stack.push(...s.body);
        break;
    }
  }
  return n;
}
