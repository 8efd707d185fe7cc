// The part of a model's gradient kernel (gradSample, or gradRows for batched models) that
// computes one parameter's gradient: the blocks of its `∂loss/∂W` sink and, transitively, the
// backward blocks they read, taken from the Program (not from text) so that row loops and the
// functions of matrix products slice like straight-line code. Forward values the slice reads
// are listed rather than repeated.
//
//   sliceGradient(program, "W_h")  ->  { statements: [block "backward of parity.nn:12 …", …, block "∂loss/∂W_h [2, 1]"],
//                                         forwardReads: ["h_0", "h_1", "z_out_0"] }

import { type Expr, type Stmt, children } from "../ir/code.js";
import type { Fn, Program } from "../lower/program.js";

/** One block of the kernel, with the row loop around it (batched kernels) and what it reads and writes. */
interface Unit {
  block: Stmt & { k: "block" };
  loop?: Stmt & { k: "for" };
  reads: Set<string>;
  writes: Set<string>;
}

export interface GradientSlice {
  /** The sliced code: blocks in kernel order, consecutive ones of one row loop inside that loop. */
  statements: Stmt[];
  /** Locals (or buffers) computed by forward blocks that the slice reads. */
  forwardReads: string[];
}

/** The gradient kernel and every function it calls, in the order they are printed. */
export function gradFunctions(program: Program): Fn[] {
  const byName = new Map(program.functions.map((f) => [f.name, f]));
  const wanted = new Set<string>();
  const visit = (name: string) => {
    const fn = byName.get(name);
    if (!fn || wanted.has(name)) return;
    wanted.add(name);
    const stack: Stmt[] = [...fn.body];
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (s.k === "call") visit(s.fn);
      else if (s.k === "return" && s.value.k === "call") visit(s.value.fn);
      else if (s.k === "for" || s.k === "block") stack.push(...s.body);
    }
  };
  visit(program.kernels.grad);
  return program.functions.filter((f) => wanted.has(f.name));
}

/**
 * Storage a statement touches, as cells: `h_0` (a local), `s[12]` (one element at a literal
 * index) or `s` (a whole array: an element at a computed index).
 */
const cell = (array: string, index: Expr) => (index.k === "num" ? `${array}[${index.value}]` : array);

function exprReads(e: Expr, out: Set<string>): void {
  const stack: Expr[] = [e];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (x.k === "var") out.add(x.name);
    else if (x.k === "load") out.add(cell(x.array, x.index));
    stack.push(...children(x));
  }
}

/** Reads and writes of statements; names declared inside them (temporaries, loop indices) are their own business. */
function effects(stmts: readonly Stmt[]): { reads: Set<string>; writes: Set<string> } {
  const reads = new Set<string>();
  const writes = new Set<string>();
  const declared = new Set<string>();
  const stack: Stmt[] = [...stmts];
  while (stack.length > 0) {
    const s = stack.pop()!;
    switch (s.k) {
      case "decl":
        declared.add(s.name);
        writes.add(s.name);
        exprReads(s.value, reads);
        break;
      case "store":
        writes.add(cell(s.array, s.index));
        exprReads(s.value, reads);
        break;
      case "assign":
        writes.add(s.name);
        exprReads(s.value, reads);
        break;
      case "for":
        declared.add(s.v);
        stack.push(...s.body);
        break;
      case "if":
        exprReads(s.test, reads);
        stack.push(...s.body);
        break;
      case "return":
        exprReads(s.value, reads);
        break;
      case "call":
        for (const a of s.args) exprReads(a, reads);
        break;
      case "block":
        stack.push(...s.body);
        break;
    }
  }
  for (const d of declared) reads.delete(d);
  return { reads, writes };
}

/** The kernel as units, the functions it calls expanded in place. */
function units(program: Program): Unit[] {
  const byName = new Map(program.functions.map((f) => [f.name, f]));
  const out: Unit[] = [];
  const walk = (stmts: readonly Stmt[], loop: (Stmt & { k: "for" }) | undefined) => {
    for (const s of stmts) {
      if (s.k === "block") {
        const calls = s.body.filter((b) => b.k === "call" && byName.has(b.fn)) as (Stmt & { k: "call" })[];
        if (calls.length > 0 && calls.length === s.body.length) for (const c of calls) walk(byName.get(c.fn)!.body, loop);
        else out.push({ block: s, ...(loop ? { loop } : {}), ...effects(s.body) });
      } else if (s.k === "for" && s.body.some((b) => b.k === "block")) walk(s.body, s);
      else if (s.k === "call" && byName.has(s.fn)) walk(byName.get(s.fn)!.body, loop);
      else if (s.k === "return" && s.value.k === "call" && byName.has(s.value.fn)) walk(byName.get(s.value.fn)!.body, loop);
    }
  };
  walk(byName.get(program.kernels.grad)!.body, undefined);
  return out;
}

/** Whether writing `written` can provide something in `wanted`: equal, or either is the whole array. */
function provides(written: string, wanted: Set<string>): boolean {
  if (wanted.has(written)) return true;
  const bracket = written.indexOf("[");
  if (bracket >= 0) return wanted.has(written.slice(0, bracket));
  for (const w of wanted) if (w.startsWith(`${written}[`)) return true;
  return false;
}

/** Whether a block comment marks backward code (a gradient's own block or `backward of …`). */
const isBackward = (comment: string) => comment.startsWith("backward of ") || comment.startsWith("∂loss/∂");

/** The code computing ∂loss/∂`param`, or undefined if the kernel has no block for it. */
export function sliceGradient(program: Program, param: string): GradientSlice | undefined {
  const all = units(program);
  const isTarget = (u: Unit) => u.block.comment.startsWith(`∂loss/∂${param} `);
  const first = all.findIndex(isTarget);
  if (first < 0) return undefined;
  // Walk blocks backwards from the target, keeping those that write something needed.
  const keep = new Set<number>();
  const needed = new Set<string>();
  all.forEach((u, i) => {
    if (!isTarget(u)) return;
    keep.add(i);
    for (const r of u.reads) needed.add(r);
  });
  const forwardReads = new Set<string>();
  const lastTarget = Math.max(...keep);
  for (let i = lastTarget - 1; i >= 0; i--) {
    const u = all[i]!;
    if (keep.has(i)) continue;
    // Other parameters' blocks only add into g; they compute nothing this one reads.
    if (u.block.comment.startsWith("∂loss/∂")) continue;
    const provided = [...u.writes].filter((w) => provides(w, needed));
    if (provided.length === 0) continue;
    if (isBackward(u.block.comment)) {
      keep.add(i);
      for (const r of u.reads) needed.add(r);
    } else {
      // Forward statements are listed by what they define, not followed further.
      for (const w of provided) forwardReads.add(w);
    }
  }
  const statements: Stmt[] = [];
  let group: { loop: Stmt & { k: "for" }; body: Stmt[] } | undefined;
  all.forEach((u, i) => {
    if (!keep.has(i)) return;
    if (u.loop) {
      if (!group || group.loop !== u.loop) {
        group = { loop: u.loop, body: [] };
        statements.push({ ...u.loop, body: group.body });
      }
      group.body.push(u.block);
    } else {
      group = undefined;
      statements.push(u.block);
    }
  });
  // A whole buffer read covers its elements: list `s`, not also `s[17]`.
  const listed = [...forwardReads].filter((r) => !(r.includes("[") && forwardReads.has(r.slice(0, r.indexOf("[")))));
  return { statements, forwardReads: listed.sort() };
}

/** The comments of a slice's blocks, in order, each once in a row (as they print). */
export function sliceComments(slice: GradientSlice): string[] {
  const out: string[] = [];
  const stack = [...slice.statements].reverse();
  while (stack.length > 0) {
    const s = stack.pop()!;
    if (s.k === "block" && s.comment !== out[out.length - 1]) out.push(s.comment);
    else if (s.k === "for") stack.push(...[...s.body].reverse());
  }
  return out;
}
