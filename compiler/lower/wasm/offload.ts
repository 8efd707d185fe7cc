// `--kernels wasm`: the batched kernels' matrix products as WebAssembly SIMD functions in one
// module, the rest (the row loops) staying JavaScript over the same memory. This decides what the
// WebAssembly memory holds and where (every buffer, a staging area for each array a product
// reads or writes, the optimizer state's area, and slots for parameter vectors and state
// arrays), writes each product function's WebAssembly twin (gemm.ts; for a fused step's
// weight-gradient products, with the optimizer's update in it: update.ts), and wraps each entry
// kernel so that its arrays (and the training step's optimizer state) are in the memory when the
// products run: a module prints this Program as it prints any other, plus the part in `program.wasm`.
//
//   offloadProducts(lower(...), { precision: "f32", sizes })
//     -> functions: gradRows_1 (wasm "gradRows_1"), …, gradRowsInMemory; wasm.entries: gradRows → gradRowsInMemory

import { type Expr, type Stmt, mentions } from "../../ir/code.js";
import type { Buffer, Fn, Program } from "../program.js";
import type { Entry, Stage } from "./part.js";
import { PAGE_BYTES, type WExpr, type WFunc, type WStmt, get, i32, op } from "./code.js";
import { type GemmTarget, Locals, type Precision, simdGemm } from "./gemm.js";
import { UnsupportedUpdate, updateCode } from "./update.js";
import { sweepFunction } from "./sweep.js";
import { GRAM_BUDGET, fusedRows } from "../train-step-batched.js";
import { offloadRows } from "./rows.js";

/** The module-level object holding the memory and the compiled functions (runtime/wasm.ts). */
export const WASM_OBJECT = "wasmKernels";

/** The most pages one WebAssembly memory may have (wasm32: 4 GiB). */
export const MAX_PAGES = 65536;

/** Room for parameter vectors (init, loadParams): this many, within ARENA_BYTES. */
const ARENA_SLOTS = 4;
/** And this many more per optimizer state array (each trainer's optimizer takes one of each). */
const STATE_SLOTS = 8;
const ARENA_BYTES = 256 * 2 ** 20;

export interface OffloadOptions {
  precision: Precision;
  /** Elements of the parameter vector and of one row of input, target and output. */
  sizes: { params: number; input: number; target: number; output: number };
}

/** Names the WebAssembly glue declares at the module's top level (generated names must not take them). */
export const WASM_NAMES = [WASM_OBJECT, "WasmExports", "wasmCode", "ready", "STAGE_PARAMS", "STAGE_GRAD", "STAGE_X", "STAGE_Y", "STAGE_OUTPUTS", "STAGE_STATE"];

/** The wrapped kernel of an entry. */
export const inMemory = (entry: string) => `${entry}InMemory`;

/** What each kernel array is: its staging view and size. */
function stageOf(param: string, program: Program, sizes: OffloadOptions["sizes"]): { view: string; length: number; perRow?: number } {
  const rows = program.maxBatch;
  switch (param) {
    case "p":
      return { view: "STAGE_PARAMS", length: sizes.params };
    case "g":
      return { view: "STAGE_GRAD", length: sizes.params };
    case "X":
      return { view: "STAGE_X", length: rows * sizes.input, perRow: sizes.input };
    case "Y":
      return { view: "STAGE_Y", length: rows * sizes.target, perRow: sizes.target };
    case "outputs":
      return { view: "STAGE_OUTPUTS", length: rows * sizes.output, perRow: sizes.output };
    default:
      throw new Error(`internal: no staging area for kernel array ${param}`);
  }
}

/** Bytes laid out one after another, each area starting on 16 bytes (a vector). */
class Layout {
  bytes = 0;
  place(size: number): number {
    const at = this.bytes;
    this.bytes += Math.ceil(size / 16) * 16;
    return at;
  }
}

/** An integer of the loop language (a row count: n, or n · R) as an i32 expression. */
function integer(e: Expr): WExpr {
  switch (e.k) {
    case "num":
      return i32(e.value);
    case "var":
      return get(e.name);
    case "binary":
      if (e.op === "/") break;
      return op(e.op === "+" ? "i32.add" : e.op === "-" ? "i32.sub" : "i32.mul", integer(e.a), integer(e.b));
    default:
      break;
  }
  throw new Error(`internal: cannot compute ${e.k} as an integer in WebAssembly`);
}

/** The training step's locals holding the optimizer's state arrays (`const m = state[0]`), by index. */
function stateLocals(step: Fn): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of step.body) if (s.k === "decl" && s.value.k === "load" && s.value.array === "state" && s.value.index.k === "num") out.set(s.name, s.value.index.value);
  return out;
}

/** The functions each function calls, directly. */
function callees(fn: Fn): Set<string> {
  const out = new Set<string>();
  const walk = (stmts: readonly Stmt[]) => {
    for (const s of stmts) {
      if (s.k === "call") out.add(s.fn);
      if (s.k === "for" || s.k === "block" || s.k === "if") walk(s.body);
    }
  };
  walk(fn.body);
  return out;
}

export function offloadProducts(program: Program, options: OffloadOptions): Program {
  if (!program.batched) throw new Error("internal: only batched kernels have products to offload");
  const { precision, sizes } = options;
  const bytes = precision === "f64" ? 8 : 4;
  const layout = new Layout();
  const buffers: Buffer[] = program.buffers.map((b) => ({ ...b, memory: layout.place(b.length * bytes) }));
  const bufferAt = new Map(buffers.map((b) => [b.name, b.memory!]));

  // Each product function's WebAssembly twin: arrays as byte offsets, n as an i32. A fused
  // training step's weight-gradient products apply the update as each sum is finished: their
  // twins do too (update.ts), reading the step's numbers (rate, scale) as f64 parameters and the
  // optimizer's state arrays, which the step's wrapper puts into the memory.
  const { train, apply } = program.kernels;
  const entryNames = [program.kernels.predict, program.kernels.loss, program.kernels.grad, ...(train ? [train] : []), ...(apply ? [apply] : [])];
  // The kernels that update parameters with the optimizer's state (the fused step, the generic step's tail).
  const updating = [train, apply].filter((name): name is string => name !== undefined);
  const stateArrays = new Map<string, number>();
  for (const name of updating) for (const [local, k] of stateLocals(program.functions.find((fn) => fn.name === name)!)) stateArrays.set(local, k);
  let stateUsed = false;
  const wasmFunctions: WFunc[] = [];
  const read = new Set<string>();
  const written = new Map<string, boolean>();
  const functions: Fn[] = program.functions.map((fn) => {
    if (fn.sweep) {
      // The generic step's passes (sweep.ts): they read the gradient, and the update reads and
      // writes p and the state (the tail's wrapper copies p back, as the training step's does).
      // An update update.ts cannot translate keeps its JavaScript body, as a fused product's does.
      try {
        wasmFunctions.push(sweepFunction({ ...fn, sweep: fn.sweep }, precision));
      } catch (error) {
        if (error instanceof UnsupportedUpdate) return fn;
        throw error;
      }
      for (const [a, type] of fn.params) {
        if (type !== "Vec") continue;
        if (stateArrays.has(a)) stateUsed = true;
        else read.add(a);
      }
      return { ...fn, wasm: fn.name };
    }
    const g = fn.product ?? fn.update?.product;
    if (!g) return fn;
    const scalars = new Set(fn.update?.scalars ?? []);
    const params = fn.params.filter(([, type]) => type === "Vec" || type === "number").map(([name, type]) => [name, scalars.has(name) ? "f64" : "i32"] as const);
    const isParam = new Set(params.map(([name]) => name));
    const L = new Locals(isParam);
    const address = (array: string): WExpr => {
      // A sink addresses the (never stored) result from 0: its byte offset in p, m, v, …
      if (fn.update && array === g.C.array) return i32(0);
      if (isParam.has(array)) return get(array);
      const at = bufferAt.get(array);
      if (at === undefined) throw new Error(`internal: product ${fn.name} reads ${array}, neither a parameter nor a buffer`);
      return i32(at);
    };
    let prologue: WStmt[] = [];
    let sink: GemmTarget["sink"];
    const arrays = new Set(fn.params.filter(([, type]) => type === "Vec").map(([name]) => name));
    if (fn.update) {
      try {
        const code = updateCode(fn.update.statements, precision, arrays, scalars, L);
        prologue = code.prologue;
        sink = code.element;
      } catch (error) {
        if (error instanceof UnsupportedUpdate) return fn;
        throw error;
      }
    }
    const body = [...prologue, ...simdGemm(g, { address, integer, precision, ...(sink ? { sink } : {}) }, L)];
    wasmFunctions.push({ name: fn.name, params, locals: L.list, body, doc: fn.body[0]?.k === "block" ? fn.body[0].comment : fn.name });
    for (const M of [g.A, g.B]) if (isParam.has(M.array)) read.add(M.array);
    if (fn.update) {
      // The update reads and writes p and the state arrays at the product's indices. Only the
      // training step runs it, and its wrapper copies p back (`writes`): marking p written here
      // would copy it back after predict, loss and grad too, rounding a caller's f64 weights to f32.
      for (const a of arrays) {
        if (a === g.A.array || a === g.B.array) continue;
        if (stateArrays.has(a)) stateUsed = true;
        else {
          read.add(a);
          if (a !== "p") written.set(a, true);
        }
      }
    } else if (isParam.has(g.C.array)) {
      written.set(g.C.array, true);
      if (g.op !== "=") read.add(g.C.array);
    }
    return { ...fn, wasm: fn.name };
  });

  // Staging areas for the kernel arrays products use, then room for parameter vectors.
  const stages: Stage[] = [...new Set([...read, ...written.keys()])].sort().map((param) => {
    const s = stageOf(param, program, sizes);
    return { param, ...s, offset: layout.place(s.length * bytes), copyIn: read.has(param), copyOut: written.has(param) };
  });
  const slotBytes = Math.ceil((sizes.params * bytes) / 16) * 16;
  // The optimizer's state arrays, when the update reads them: an area for each (the step's
  // wrapper copies them there when they are not in the memory), and slots where optimizers
  // allocate them (runtime/optimizers.ts stateArrays), a few trainers' worth.
  const stateCount = stateUsed ? Math.max(...stateArrays.values()) + 1 : 0;
  if (stateCount > 0) {
    const at = layout.place(0);
    for (let k = 0; k < stateCount; k++) layout.place(slotBytes);
    stages.push({ param: "state", view: "STAGE_STATE", offset: at, length: sizes.params, arrays: stateCount, copyIn: true, copyOut: true });
  }
  const slots = Math.max(1, Math.min(ARENA_SLOTS + STATE_SLOTS * stateCount, Math.floor(ARENA_BYTES / slotBytes)));
  const arena = { offset: layout.place(0), slots, slotBytes };
  for (let i = 0; i < slots; i++) layout.place(slotBytes);
  const pages = Math.max(1, Math.ceil(layout.bytes / PAGE_BYTES));

  // Entry kernels: the kernel renamed, a wrapper under its name staging what its products use.
  const byName = new Map(functions.map((fn) => [fn.name, fn]));
  const usesWasm = (name: string, seen = new Set<string>()): Set<string> => {
    const fn = byName.get(name)!;
    const arrays = new Set<string>();
    if (fn.wasm) for (const [p] of fn.params) if (stages.some((s) => s.param === p)) arrays.add(p);
    for (const callee of callees(fn)) {
      if (!byName.has(callee) || seen.has(callee)) continue;
      seen.add(callee);
      for (const a of usesWasm(callee, seen)) arrays.add(a);
    }
    return arrays;
  };
  const entries: Entry[] = entryNames.map((name) => {
    const fn = byName.get(name)!;
    const updates = updating.includes(name);
    const staged = [...usesWasm(name), ...(updates && stateCount > 0 ? ["state"] : [])].filter((a) => fn.params.some(([p]) => p === a));
    // The training step and the tail update the parameters in place: a staged copy goes back.
    const writes = updates ? ["p"] : [];
    return { name, kernel: inMemory(name), params: fn.params, returns: fn.returns, staged, writes };
  });
  const renamed = functions.map((fn) => (entryNames.includes(fn.name) ? { ...fn, name: inMemory(fn.name) } : fn));
  // A product's dispatch reads the row count; nothing else changes in the JavaScript.
  for (const fn of renamed) {
    const rows = (fn.product ?? fn.update?.product)?.rows;
    if (fn.wasm && !fn.params.some(([n]) => n === "n") && rows !== undefined && mentions(rows, "n")) throw new Error(`internal: ${fn.name} lacks n`);
  }
  // The generic step's passes now run as WebAssembly too: the fused step's Gram norms (JavaScript) pay for fewer rows.
  const { trainRows, trainGramWidths } = program.kernels;
  const budget = precision === "f64" ? GRAM_BUDGET.wasmF64 : GRAM_BUDGET.wasmF32;
  const kernels =
    trainRows !== undefined && trainGramWidths !== undefined && apply !== undefined
      ? { ...program.kernels, trainRows: Math.min(trainRows, fusedRows(trainGramWidths, sizes.params, program.maxBatch, budget)) }
      : program.kernels;
  const offloaded: Program = {
    ...program,
    kernels,
    buffers,
    functions: renamed,
    wasm: { module: { pages, functions: wasmFunctions }, object: WASM_OBJECT, precision, bytes: pages * PAGE_BYTES, stages, arena, entries },
  };
  // The row loops too, where they can be (rows.ts).
  return offloadRows(offloaded, (param) => stageOf(param, program, sizes));
}
