// One function for identical helpers: the training step's forward products are gradRows's own
// (the same matrix product over the same buffers), so the module keeps the first and every call
// of a copy calls it instead. Helpers come before their callers, so a copy is known before any
// call of it is rewritten.
//
//   trainStep_1(p, X, n) ≡ gradRows_1(p, X, n)  ->  trainStep calls gradRows_1; trainStep_1 is dropped

import { type Expr, type Stmt, mapCalls, mapExpr, v } from "../ir/code.js";
import type { Fn } from "./program.js";

/** The statements with calls of dropped copies calling the function they copy. */
function withCallees(stmts: readonly Stmt[], to: ReadonlyMap<string, string>): Stmt[] {
  return mapCalls(stmts, (c) => (to.has(c.fn) ? { fn: to.get(c.fn)!, args: c.args } : undefined));
}

/**
 * A function's body with its locals renamed in order of declaration (`$0`, `$1` …): two helpers
 * lowered in different scopes differ only in their temporaries' numbers (`acc5` and `acc40`).
 */
function canonicalBody(stmts: readonly Stmt[]): string {
  const names = new Map<string, string>();
  const local = (name: string) => names.get(name) ?? name;
  const expr = (e: Expr): Expr =>
    mapExpr(e, (x) => (x.k === "var" ? v(local(x.name)) : x.k === "load" ? { ...x, array: local(x.array), index: expr(x.index) } : undefined));
  const declare = (name: string) => {
    if (!names.has(name)) names.set(name, `$${names.size}`);
    return names.get(name)!;
  };
  const walk = (list: readonly Stmt[]): Stmt[] =>
    list.map((s): Stmt => {
      switch (s.k) {
        case "decl": {
          const value = expr(s.value);
          return { ...s, value, name: declare(s.name) };
        }
        case "store":
          return { ...s, array: local(s.array), index: expr(s.index), value: expr(s.value) };
        case "assign":
          return { ...s, name: local(s.name), value: expr(s.value) };
        case "for": {
          const from = s.from ? expr(s.from) : undefined;
          const name = s.from ? declare(s.v) : local(s.v);
          return { ...s, v: name, ...(from ? { from } : {}), to: expr(s.to), body: walk(s.body) };
        }
        case "if":
          return { ...s, test: expr(s.test), body: walk(s.body) };
        case "block":
          return { ...s, body: walk(s.body) };
        case "call":
          return { ...s, args: s.args.map(expr) };
        case "return":
          return { ...s, value: expr(s.value) };
      }
    });
  return JSON.stringify(walk(stmts));
}

/** `functions` without helpers identical to an earlier one (same parameters, result and body up to local names); `entries` are kept. */
export function dedupeFunctions(functions: readonly Fn[], entries: ReadonlySet<string>): Fn[] {
  const seen = new Map<string, string>();
  const to = new Map<string, string>();
  const out: Fn[] = [];
  for (const fn of functions) {
    const body = withCallees(fn.body, to);
    const key = JSON.stringify([fn.params, fn.returns]) + canonicalBody(body);
    const first = seen.get(key);
    if (first !== undefined && !entries.has(fn.name)) {
      to.set(fn.name, first);
      continue;
    }
    seen.set(key, fn.name);
    out.push({ ...fn, body });
  }
  return out;
}
