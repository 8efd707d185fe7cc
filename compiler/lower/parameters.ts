// The last step of lowering: each function's parameters as its body uses them. A function the
// kernels call (a matrix product, a part of a split kernel) takes only what it reads, and its
// calls pass just that; an entry kernel keeps the signature the module's ModelCore calls it
// with, an unused parameter named `_rng` so that it reads as unused (and type-checks under
// `noUnusedParameters`); lower.ts reserves those names, so that no buffer takes one and is hidden.
//
//   gradRows_1(p, X, Y, n, g, rng, outputs)  ->  gradRows_1(p, X, n)

import { type Stmt, mapCalls, namesUsed, v } from "../ir/code.js";
import type { Fn } from "./program.js";
import { countTokens } from "./budget.js";

/** The statements with each call of a fitted function passing just what it takes. */
function withCalls(stmts: readonly Stmt[], args: ReadonlyMap<string, string[]>): Stmt[] {
  return mapCalls(stmts, (c) => {
    const names = args.get(c.fn);
    return names ? { fn: c.fn, args: names.map(v) } : undefined;
  });
}

/** What an entry kernel calls a parameter it does not use (the module's namer reserves it). */
export const unusedName = (name: string): string => `_${name}`;

/** An entry kernel with the parameters its body does not read named as unused (`_rng`); names already so stay. */
export function withUnusedNamed(fn: Fn): Fn {
  const used = namesUsed(fn.body);
  const unused = (n: string) => !used.has(n) && n !== unusedName(n.replace(/^_/, ""));
  return { ...fn, params: fn.params.map(([n, t]) => (unused(n) ? ([unusedName(n), t] as const) : ([n, t] as const))) };
}

export function fitParameters(functions: readonly Fn[], entries: ReadonlySet<string>): Fn[] {
  // Callees come before their callers, so what a callee takes is known when its calls are rewritten.
  const args = new Map<string, string[]>();
  return functions.map((fn) => {
    const body = withCalls(fn.body, args);
    const used = namesUsed(body);
    // Its calls now pass fewer arguments: the function's count drops by what they no longer pass.
    const tokens = fn.tokens - (countTokens(fn.body) - countTokens(body));
    if (entries.has(fn.name)) return withUnusedNamed({ ...fn, body, tokens });
    const params = fn.params.filter(([n]) => used.has(n));
    args.set(
      fn.name,
      params.map(([n]) => n),
    );
    return { ...fn, body, tokens, params };
  });
}
