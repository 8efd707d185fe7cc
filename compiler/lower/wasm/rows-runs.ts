// Which statements of a kernel move into WebAssembly (for rows.ts): the maximal runs of
// statements the translation (rows-code.ts) expresses, narrowed until none declares a variable
// JavaScript after it reads or assigns more than one it does not declare, each doing at least
// MIN_WORK element operations per call. Each run becomes a helper: a function whose body is the
// run (the JavaScript fallback) with a WebAssembly twin, its parameters the kernel arrays and
// numbers the run reads but does not declare; the one variable declared before it that it may
// assign (a reduction) comes in as a parameter and goes back as the result.
//
//   moveRuns(predictRowsInMemory, ctx, name)
//     -> body: …, predictRows_loop2(p, n), …; moved: [{ fn: predictRows_loop2 (wasm), wasm: WFunc, arrays: p read }]
//   moveRuns(gradRowsInMemory, …)  ->  total = gradRows_loop5(g, outputs, n, total)

import { type Expr, type Stmt, assign, call, callStmt, children, ret, v } from "../../ir/code.js";
import { countTokens } from "../budget.js";
import type { Fn } from "../program.js";
import { type WExpr, type WFunc, type WStmt, get, i32 } from "./code.js";
import { type NumType, RowsTranslation, Untranslatable, join, refuse, typeOf } from "./rows-code.js";
import { vectorLoop } from "./rows-vector.js";

/**
 * Estimated element operations (stores and assignments, times their loops' literal trip counts;
 * a loop over the runtime row count counts once) below which a run stays JavaScript: the call
 * into WebAssembly and its argument conversions cost about as much as a few dozen JavaScript
 * element operations (measured, docs/wasm.md).
 */
export const MIN_WORK = 64;

/** Kernel arrays a run may use, and how: read-only ones may not be written. */
export const ROW_ARRAYS: Record<string, "read" | "write"> = { X: "read", Y: "read", p: "read", g: "write", outputs: "write" };

/** Estimated element operations of the statements per call (see MIN_WORK). */
export function work(stmts: readonly Stmt[]): number {
  let total = 0;
  for (const s of stmts) {
    if (s.k === "for") {
      const trips = s.from?.k === "num" && s.to.k === "num" ? Math.max(0, Math.ceil((s.to.value - s.from.value) / s.step)) : 1;
      total += trips * work(s.body);
    } else if (s.k === "if" || s.k === "block") total += work(s.body);
    else total += 1;
  }
  return total;
}

/** Every variable's type in `fn`: parameters, loop indices, and declarations joined with what is assigned to them. */
export function typeEnv(fn: Fn): (name: string) => NumType {
  const types = new Map<string, NumType>();
  for (const [name, type] of fn.params) types.set(name, type === "number" ? (name === "n" ? "i32" : "f64") : "other");
  const lookup = (name: string): NumType => types.get(name) ?? "other";
  const widen = (name: string, t: NumType) => {
    const known = types.get(name);
    const next = known === undefined ? t : join(known, t);
    if (next !== known) {
      types.set(name, next);
      changed = true;
    }
  };
  let changed = true;
  // Types only widen (i32 -> f64 -> other): this ends.
  while (changed) {
    changed = false;
    const walk = (stmts: readonly Stmt[]) => {
      for (const s of stmts) {
        if (s.k === "decl" || s.k === "assign") widen(s.name, typeOf(s.value, lookup));
        else if (s.k === "for") {
          widen(s.v, "i32");
          walk(s.body);
        } else if (s.k === "if" || s.k === "block") walk(s.body);
      }
    };
    walk(fn.body);
  }
  return lookup;
}

/** How often each variable is named in the statements (read, declared or assigned). */
function nameCounts(stmts: readonly Stmt[], out = new Map<string, number>()): Map<string, number> {
  const add = (name: string) => out.set(name, (out.get(name) ?? 0) + 1);
  const expr = (e: Expr) => {
    const stack = [e];
    while (stack.length > 0) {
      const x = stack.pop()!;
      if (x.k === "var") add(x.name);
      stack.push(...children(x));
    }
  };
  for (const s of stmts) {
    switch (s.k) {
      case "decl":
      case "assign":
        add(s.name);
        expr(s.value);
        break;
      case "store":
        expr(s.index);
        expr(s.value);
        break;
      case "for":
        add(s.v);
        if (s.from) expr(s.from);
        expr(s.to);
        nameCounts(s.body, out);
        break;
      case "if":
        expr(s.test);
        nameCounts(s.body, out);
        break;
      case "block":
        nameCounts(s.body, out);
        break;
      case "call":
      case "return":
        for (const a of s.k === "call" ? s.args : [s.value]) expr(a);
        break;
    }
  }
  return out;
}

/** Variables the statements declare, at any depth. */
function declared(stmts: readonly Stmt[], out = new Set<string>()): Set<string> {
  for (const s of stmts) {
    if (s.k === "decl") out.add(s.name);
    else if (s.k === "for" || s.k === "if" || s.k === "block") {
      if (s.k === "for" && s.from) out.add(s.v);
      declared(s.body, out);
    }
  }
  return out;
}

/** Variables the statements declare in their own scope (a block is printed without braces; loop and if bodies have their own). */
function exported(stmts: readonly Stmt[], out = new Set<string>()): Set<string> {
  for (const s of stmts) {
    if (s.k === "decl") out.add(s.name);
    else if (s.k === "block") exported(s.body, out);
  }
  return out;
}

/** The model lines a run's blocks come from, in order, once each. */
function comments(stmts: readonly Stmt[], out: string[] = []): string[] {
  for (const s of stmts) {
    if (s.k === "block" && !out.includes(s.comment)) out.push(s.comment);
    if (s.k === "for" || s.k === "if" || s.k === "block") comments(s.body, out);
  }
  return out;
}

export interface RowsContext {
  /** Byte offsets of the buffers in the memory. */
  buffers: ReadonlyMap<string, number>;
  precision: "f64" | "f32";
}

/** A run moved into WebAssembly: the helper (JavaScript fallback and twin) and the kernel arrays it reads and writes. */
export interface Moved {
  fn: Fn;
  wasm: WFunc;
  arrays: Map<string, "read" | "write">;
}

/** The translation of a run, or why there is none. */
function translate(
  stmts: readonly Stmt[],
  fn: Fn,
  types: (name: string) => NumType,
  ctx: RowsContext,
  arrays?: Map<string, "read" | "write">,
  reduction?: string,
): { t: RowsTranslation; body: WStmt[] } {
  const vecParams = new Set(fn.params.filter(([, t]) => t === "Vec").map(([n]) => n));
  const t = new RowsTranslation({
    precision: ctx.precision,
    type: types,
    vector: vectorLoop,
    array(name, written): WExpr {
      const at = ctx.buffers.get(name);
      if (at !== undefined) return i32(at);
      const use = ROW_ARRAYS[name];
      if (!vecParams.has(name) || use === undefined) return refuse(`array ${name}`);
      if (written && use === "read") return refuse(`a store into ${name}`);
      if (arrays && arrays.get(name) !== "write") arrays.set(name, written ? "write" : "read");
      return get(name);
    },
  });
  const body = t.stmts(stmts);
  // A single statement may assign what an earlier one of its run declares; a whole run only its reduction.
  if (arrays) for (const a of t.assigned) if (t.free.has(a) && a !== reduction) refuse(`assignment of ${a}, declared outside`);
  return { t, body };
}

/**
 * `fn` with its runs moved out: the new body and the helpers. `name(k)` names the k-th helper.
 */
export function moveRuns(fn: Fn, ctx: RowsContext, name: () => string): { body: Stmt[]; moved: Moved[] } {
  const types = typeEnv(fn);
  const total = nameCounts(fn.body);
  const moved: Moved[] = [];
  const ok = (s: Stmt): boolean => {
    try {
      translate([s], fn, types, ctx);
      return true;
    } catch (error) {
      if (error instanceof Untranslatable) return false;
      throw error;
    }
  };
  const list = (stmts: readonly Stmt[]): Stmt[] => {
    const good = stmts.map(ok);
    // Runs of translatable statements, narrowed until none declares what JavaScript outside it
    // reads, or assigns what it does not declare.
    for (let changed = true; changed; ) {
      changed = false;
      for (let i = 0; i < stmts.length; ) {
        if (!good[i]) {
          i++;
          continue;
        }
        let j = i;
        while (j < stmts.length && good[j]) j++;
        const run = stmts.slice(i, j);
        const inside = nameCounts(run);
        const own = declared(run);
        const reduction = reductionOf(run, own, types);
        for (let k = i; k < j; k++) {
          const s = stmts[k]!;
          const leaks = [...exported([s])].some((d) => (total.get(d) ?? 0) > (inside.get(d) ?? 0));
          const assignsOuter = [...assignedNames([s])].some((n) => !own.has(n) && n !== reduction);
          if (leaks || assignsOuter) {
            good[k] = false;
            changed = true;
          }
        }
        i = j;
      }
    }
    const out: Stmt[] = [];
    for (let i = 0; i < stmts.length; ) {
      const s = stmts[i]!;
      if (!good[i]) {
        out.push(s.k === "for" || s.k === "if" || s.k === "block" ? { ...s, body: list(s.body) } : s);
        i++;
        continue;
      }
      let j = i;
      while (j < stmts.length && good[j]) j++;
      const run = stmts.slice(i, j);
      i = j;
      if (work(run) < MIN_WORK) {
        out.push(...run);
        continue;
      }
      const arrays = new Map<string, "read" | "write">();
      const reduction = reductionOf(run, declared(run), types);
      let translated: ReturnType<typeof translate>;
      try {
        translated = translate(run, fn, types, ctx, arrays, reduction);
      } catch (error) {
        if (!(error instanceof Untranslatable)) throw error;
        out.push(...run);
        continue;
      }
      const { t, body } = translated;
      const helper = name();
      const arrayParams = fn.params.filter(([n, type]) => type === "Vec" && arrays.has(n)).map(([n]) => n);
      const numbers = [...t.free];
      const lines = comments(run);
      const doc = `Row loops in WebAssembly (its JavaScript fallback below): ${lines.length > 0 ? lines.join("; ") : fn.name}`;
      // A reduction comes in as a parameter and goes back as the result: `total = helper(…, total)`.
      const result = reduction ? { type: t.free.get(reduction)!, value: get(reduction) } : undefined;
      moved.push({
        fn: {
          name: helper,
          params: [...arrayParams.map((n) => [n, "Vec"] as const), ...numbers.map(([n]) => [n, "number"] as const)],
          returns: reduction ? "number" : "void",
          doc,
          body: reduction ? [...run, ret(v(reduction))] : run,
          tokens: countTokens(run),
          wasm: helper,
        },
        wasm: {
          name: helper,
          params: [...arrayParams.map((n) => [n, "i32"] as const), ...numbers],
          locals: [...t.locals].filter(([n]) => !t.free.has(n) && !arrayParams.includes(n)),
          body,
          ...(result ? { result } : {}),
          doc: `${fn.name}: ${lines.length > 0 ? lines.join("\n") : "row loops"}`,
        },
        arrays,
      });
      const args = [...arrayParams, ...numbers.map(([n]) => n)].map((n) => v(n));
      out.push(reduction ? assign(reduction, "=", call(helper, ...args)) : callStmt(helper, args));
    }
    return out;
  };
  return { body: list(fn.body), moved };
}

/** The variables the statements assign (assignments, and loops continuing over one), in order. */
function assignedNames(stmts: readonly Stmt[], out = new Set<string>()): Set<string> {
  for (const s of stmts) {
    if (s.k === "assign") out.add(s.name);
    if (s.k === "for" && !s.from) out.add(s.v);
    if (s.k === "for" || s.k === "if" || s.k === "block") assignedNames(s.body, out);
  }
  return out;
}

/**
 * The one variable declared before the run that the run may assign (a sum: `total += …`, a norm's
 * squares): the first it assigns, if a number. The helper returns its new value.
 */
function reductionOf(run: readonly Stmt[], own: ReadonlySet<string>, types: (name: string) => NumType): string | undefined {
  const first = [...assignedNames(run)].find((n) => !own.has(n));
  return first !== undefined && (types(first) === "i32" || types(first) === "f64") ? first : undefined;
}
