// `--kernels wasm`, the row loops: after the products (offload.ts), every maximal run of
// statements of an entry kernel (and of the JavaScript helpers it calls) that the translation
// (rows-code.ts) expresses and that does enough work per call moves into a WebAssembly function
// of its own. The kernel keeps a call of a helper function whose body is the run itself, the
// JavaScript fallback, dispatching to its WebAssembly twin as product functions do (Fn.wasm).
// The kernel arrays a run reads or writes (X, outputs, …) get staging areas, so that they are
// in the memory when it runs.
//
//   for (let b = 0; b < n; b++) { …im2col of X into patches_img… }
//   ->  predictRows_loop1(X, n);   // function predictRows_loop1(X: Vec, n: number) { if (wasm…) return …; for (…) … }
//
// What stays JavaScript: statements the translation refuses (Math.exp, Math.log, rng.uniform(),
// calls, returns, the optimizer's state arrays), declarations that JavaScript after the run
// reads, assignments of more than one variable the run does not declare (one is a reduction the
// helper returns), and runs below MIN_WORK (rows-runs.ts).

import { type Call, type Stmt, mapCalls, mapStmtExprs, namesUsed } from "../../ir/code.js";
import type { Fn, Program } from "../program.js";
import { PAGE_BYTES, type WFunc } from "./code.js";
import type { Stage } from "./part.js";
import { ROW_ARRAYS, type RowsContext, moveRuns } from "./rows-runs.js";

/** The helpers' names: `${kernel}_loop${k}`, never one the program has (a function, a buffer named after the model's tensors, a local). */
function namer(program: Program): (fn: Fn) => () => string {
  const taken = new Set([...program.functions.map((f) => f.name), ...program.buffers.map((b) => b.name), ...program.functions.flatMap((f) => [...namesUsed(f.body)])]);
  return (fn) => {
    const base = fn.name.replace(/InMemory$/, "");
    return () => {
      let k = 1;
      while (taken.has(`${base}_loop${k}`)) k++;
      taken.add(`${base}_loop${k}`);
      return `${base}_loop${k}`;
    };
  };
}

/** The statements with their calls of `from` (as statements, or for a value) calling `to`. */
function renamedCalls(stmts: readonly Stmt[], from: string, to: string): Stmt[] {
  const values = mapStmtExprs(stmts, (e) => (e.k === "call" && e.fn === from ? { ...e, fn: to } : undefined));
  return mapCalls(values, (c) => (c.fn === from ? { ...c, fn: to } : undefined));
}

/** The calls the statements make (as statements, or for a value), at any depth. */
function calls(stmts: readonly Stmt[], out: Call[] = []): Call[] {
  for (const s of stmts) {
    if (s.k === "call") out.push(s);
    // `const sq = trainStep_8(n)`, `total = gradRows_loop5(…)`, `return f(…)`.
    if ((s.k === "decl" || s.k === "assign" || s.k === "return") && s.value.k === "call") out.push(s.value);
    if (s.k === "for" || s.k === "block" || s.k === "if") calls(s.body, out);
  }
  return out;
}

/**
 * The program (products already offloaded: offload.ts) with the row loops of its entry kernels,
 * and of the JavaScript helpers they call, moved into WebAssembly where they can be, and the
 * staging areas and wrappers for the kernel arrays those read and write.
 */
export function offloadRows(program: Program, stageOf: (param: string) => Pick<Stage, "view" | "length" | "perRow">): Program {
  const part = program.wasm;
  if (!part) throw new Error("internal: offloadRows needs the products offloaded first");
  const ctx: RowsContext = { buffers: new Map(program.buffers.map((b) => [b.name, b.memory!])), precision: part.precision };
  const byName = new Map(program.functions.map((fn) => [fn.name, fn]));
  // Which functions to look into: the entry kernels and the JavaScript helpers they reach, with
  // the entries reaching each. A helper's kernel arrays must be its callers' own (every call
  // passes X as X): that is how the entry's wrapper knows what to stage.
  const reach = new Map<string, Set<string>>();
  const visit = (name: string, entry: string) => {
    const fn = byName.get(name);
    if (!fn || fn.wasm || fn.product || fn.update) return;
    const seen = reach.get(name) ?? new Set<string>();
    if (seen.has(entry)) return;
    seen.add(entry);
    reach.set(name, seen);
    for (const c of calls(fn.body)) visit(c.fn, entry);
  };
  for (const e of part.entries) visit(e.kernel, e.name);
  const passedThrough = (fn: Fn, array: string) =>
    part.entries.some((e) => e.kernel === fn.name) ||
    program.functions.every((caller) =>
      calls(caller.body).every((c) => {
        const arg = c.args[fn.params.findIndex(([n]) => n === array)];
        return c.fn !== fn.name || (arg?.k === "var" && arg.name === array);
      }),
    );
  const name = namer(program);
  const helpers = new Map<string, Fn[]>();
  const wasmFunctions: WFunc[] = [];
  const staged = new Map<string, Map<string, "read" | "write">>();
  // A run another kernel already moved, statement for statement (predictRows' and lossRows'
  // forward pass), calls that kernel's helper: one function in the module, not two alike.
  const helperOf = new Map<string, string>();
  const functions = program.functions.map((fn) => {
    const entries = reach.get(fn.name);
    if (!entries) return fn;
    const runs = moveRuns(fn, ctx, name(fn));
    const { moved } = runs;
    let { body } = runs;
    const passed = moved.filter((m) => [...m.arrays.keys()].every((a) => passedThrough(fn, a)));
    if (passed.length < moved.length) return fn;
    if (moved.length === 0) return fn;
    const fresh: typeof moved = [];
    for (const m of moved) {
      const key = JSON.stringify([m.fn.params, m.fn.returns, m.fn.body]);
      const earlier = helperOf.get(key);
      if (earlier === undefined) {
        helperOf.set(key, m.fn.name);
        fresh.push(m);
      } else body = renamedCalls(body, m.fn.name, earlier);
    }
    helpers.set(fn.name, fresh.map((m) => m.fn));
    for (const m of fresh) wasmFunctions.push(m.wasm);
    for (const m of moved) {
      for (const entry of entries) {
        const uses = staged.get(entry) ?? new Map<string, "read" | "write">();
        for (const [a, use] of m.arrays) if (uses.get(a) !== "write") uses.set(a, use);
        staged.set(entry, uses);
      }
    }
    return { ...fn, body };
  });
  if (wasmFunctions.length === 0) return program;

  // Staging areas: the products' ones, marked for what the rows do too; new ones after the
  // last area the products laid out (the parameter slots).
  const bytes = part.precision === "f64" ? 8 : 4;
  let end = part.arena.offset + part.arena.slots * part.arena.slotBytes;
  const stages: Stage[] = part.stages.map((s) => ({ ...s }));
  for (const uses of staged.values()) {
    for (const [param, use] of uses) {
      let stage = stages.find((s) => s.param === param);
      if (!stage) {
        stage = { param, ...stageOf(param), offset: end, copyIn: true, copyOut: false };
        end += Math.ceil((stage.length * bytes) / 16) * 16;
        stages.push(stage);
      }
      // An array a run may write (g, outputs) goes back even when this run only reads it: the
      // kernel's JavaScript may write it, into the staged copy.
      if (use === "write" || ROW_ARRAYS[param] === "write") stage.copyOut = true;
      stage.copyIn = true;
    }
  }
  const entries = part.entries.map((e) => {
    const uses = staged.get(e.name);
    if (!uses) return e;
    const more = [...uses.keys()].filter((a) => !e.staged.includes(a) && e.params.some(([p]) => p === a));
    return { ...e, staged: [...e.staged, ...more] };
  });
  const pages = Math.max(part.module.pages, Math.ceil(end / PAGE_BYTES));
  return {
    ...program,
    functions: functions.flatMap((fn) => [...(helpers.get(fn.name) ?? []), fn]),
    wasm: { ...part, module: { pages, functions: [...part.module.functions, ...wasmFunctions] }, bytes: pages * PAGE_BYTES, stages, entries },
  };
}
