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

import type { Expr, Stmt } from "../ir/code.js";

/** Most tokens one generated function may have. */
export const FUNCTION_TOKEN_BUDGET = 13_000;

/** An unrolled block bigger than this is lowered as loops instead (large ops gain little from unrolling). */
export const UNROLLED_BLOCK_TOKENS = 4_000;

/** At most this many functions of unrolled code per kernel; past it, the largest blocks become loops. */
export const MAX_CHUNKS = 6;

/** Binding strength as JavaScript prints it: a child weaker than its parent costs two parentheses. */
function strength(e: Expr): number {
  switch (e.k) {
    case "cond":
      return 1;
    case "or":
      return 2;
    case "and":
      return 2;
    case "compare":
      return 3;
    case "sum":
      return 4;
    case "binary":
      return e.op === "+" || e.op === "-" ? 4 : 5;
    case "neg":
      return 6;
    case "num":
      return e.value < 0 ? 6 : 7;
    default:
      return 7;
  }
}

/** Tokens of an expression as printed (names, numbers, operators, brackets). */
export function exprTokens(root: Expr): number {
  let n = 0;
  const stack: { e: Expr; parent: number }[] = [{ e: root, parent: 0 }];
  while (stack.length > 0) {
    const { e, parent } = stack.pop()!;
    const own = strength(e);
    if (own < parent) n += 2;
    switch (e.k) {
      case "num":
        n += e.value < 0 ? 2 : 1;
        break;
      case "var":
        n += 1;
        break;
      case "load":
        n += 3;
        stack.push({ e: e.index, parent: 0 });
        break;
      case "binary":
      case "compare":
      case "and":
      case "or":
        n += 1;
        stack.push({ e: e.a, parent: own }, { e: e.b, parent: own + 1 });
        break;
      case "sum":
        n += e.terms.length - 1;
        e.terms.forEach((t, i) => stack.push({ e: t, parent: i === 0 ? own : own + 1 }));
        break;
      case "neg":
        n += 1;
        stack.push({ e: e.a, parent: own });
        break;
      case "call":
        n += e.fn.split(".").length * 2 - 1 + 2 + Math.max(0, e.args.length - 1);
        for (const a of e.args) stack.push({ e: a, parent: 0 });
        break;
      case "cond":
        n += 2;
        stack.push({ e: e.test, parent: 2 }, { e: e.then, parent: 1 }, { e: e.else, parent: 1 });
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
      case "for":
        n += 14 + (s.from ? exprTokens(s.from) : 0) + exprTokens(s.to);
        stack.push(...s.body);
        break;
      case "if":
        n += 6 + exprTokens(s.test);
        stack.push(...s.body);
        break;
      case "call":
        n += 3 + s.args.reduce((t, a) => t + exprTokens(a) + 1, 0);
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
