// Per-sample kernels (predictSample, lossSample, gradSample: the single-sample API, and the
// whole training path of small models): fully unrolled while the function fits V8's
// optimization budget; past it, large ops become loops with literal bounds and what stays
// unrolled is split into several functions under the budget (budget.ts).
//
//   gradSample(p, x, xo, y, yo, g, rng, out, oo): number
//     // parity.nn:9  h   = dense(x, 2, sigmoid)
//     const h_0 = 1 / (1 + Math.exp(-(p[0] * x[xo] + p[2])));  …  return loss_0;

import { type Stmt, callStmt, ret, v } from "../ir/code.js";
import type { Names, Node } from "../ir/node.js";
import { sizeOf, topoOrder } from "../ir/node.js";
import { opDef } from "../ops/registry.js";
import { FUNCTION_TOKEN_BUDGET, MAX_CHUNKS, UNROLLED_BLOCK_TOKENS, countTokens } from "./budget.js";
import { Buffers } from "./buffers.js";
import type { Namer } from "./namer.js";
import { type DataBinding, type Sink, computeOrder, nodeLowerer } from "./node-lowering.js";
import { type PlanOptions, planStorage } from "./plan.js";
import type { Fn, KernelHead, Strategy } from "./program.js";

export type UnrollMode = "auto" | "always" | "never";

/** How one function is lowered: where stored values live and which nodes are unrolled. */
export interface Mode {
  locals: PlanOptions["locals"];
  unrolled: (node: Node) => boolean;
}

interface Rendered {
  blocks: Stmt[];
  flops: number;
}

/** What every per-sample kernel shares: the value names, the module's names and buffers. */
export interface SampleContext {
  names: Names;
  namer: Namer;
  buffers: Buffers;
  file: string;
  binding: (training: boolean, buffers: Buffers) => DataBinding;
}

/** Statements of one function computing `sinks`: every stored node in dependency order, then the sinks (the `return` last). */
export function render(sinks: readonly Sink[], mode: Mode, ctx: SampleContext, training: boolean, buffers: Buffers, namer: Namer): Rendered {
  const plan = planStorage(
    sinks.map((s) => s.node),
    { locals: mode.locals, names: ctx.names, namer },
  );
  const lowerer = nodeLowerer(plan, ctx.binding(training, buffers), mode.unrolled, ctx.file, (hint) => namer.fresh(hint));
  const blocks: Stmt[] = [];
  let flops = 0;
  for (const node of computeOrder(plan.order)) {
    const r = lowerer.lowerNode(node);
    if (!r) continue;
    blocks.push(r.block);
    flops += r.flops;
  }
  const ordered = [...sinks.filter((s) => s.kind !== "return"), ...sinks.filter((s) => s.kind === "return")];
  for (const sink of ordered) blocks.push(lowerer.lowerSink(sink));
  return { blocks, flops };
}

/** Packs blocks in order into chunks of at most `budget` tokens (a `return` stays last). */
function chunk(blocks: readonly Stmt[], budget: number): Stmt[][] {
  const chunks: Stmt[][] = [[]];
  let used = 0;
  for (const b of blocks) {
    const t = countTokens([b]);
    if (used + t > budget && chunks[chunks.length - 1]!.length > 0) {
      chunks.push([]);
      used = 0;
    }
    chunks[chunks.length - 1]!.push(b);
    used += t;
  }
  return chunks;
}

/** A cheap upper-end guess of each stored node's unrolled size in tokens (≈ 6 per flop, 12 per element). */
function roughTokens(sinks: readonly Sink[]): Map<number, number> {
  const rough = new Map<number, number>();
  for (const node of topoOrder(sinks.map((s) => s.node))) {
    const def = opDef(node.op);
    if (def.kind === "structural") rough.set(node.id, 6 * def.flops(node.inputs.map((i) => i.shape), node.shape) + 12);
    else if (def.kind === "elementwise") rough.set(node.id, 12 * sizeOf(node.shape));
  }
  for (const s of sinks) rough.set(s.node.id, Math.max(rough.get(s.node.id) ?? 0, 16 * sizeOf(s.node.shape)));
  return rough;
}

export interface SampleKernel {
  functions: Fn[];
  strategy: Strategy;
  flops: number;
}

export interface KernelSpec extends KernelHead {
  sinks: Sink[];
  /** Whether the kernel fits one unrolled function, where already measured (fitsOneFunction). */
  fits?: boolean;
}

/** One per-sample kernel, lowered under the budget (or as forced by `unroll`). */
export function sampleKernel(spec: KernelSpec, unroll: UnrollMode, ctx: SampleContext): SampleKernel {
  const namer = ctx.namer.fork();
  const final = (mode: Mode) => render(spec.sinks, mode, ctx, spec.training, ctx.buffers, namer);
  // Measuring renders use names and buffers of their own, so they leave no trace in the module.
  const measure = (mode: Mode) => render(spec.sinks, mode, ctx, spec.training, new Buffers(ctx.namer.sandbox(), ctx.names), ctx.namer.sandbox());
  const fn = (name: string, returns: "number" | "void", body: Stmt[], doc?: string): Fn => ({ name, params: spec.params, returns, body, tokens: countTokens(body), ...(doc ? { doc } : {}) });
  const single = (r: Rendered, strategy: Strategy): SampleKernel => ({ functions: [fn(spec.name, spec.returns, r.blocks, spec.doc)], strategy, flops: r.flops });
  if (unroll === "never") return single(final({ locals: "scalars", unrolled: () => false }), "loops");
  if (unroll === "always") return single(final({ locals: "all", unrolled: () => true }), "unrolled");
  if (spec.fits ?? fitsOneFunction(spec.sinks, ctx, spec.training)) return single(final({ locals: "all", unrolled: () => true }), "unrolled");

  // Too big for one function: everything in buffers; large ops as loops, the rest unrolled.
  const rough = roughTokens(spec.sinks);
  const preLooped = new Set([...rough].filter(([, t]) => t > 4 * UNROLLED_BLOCK_TOKENS).map(([id]) => id));
  const unrolledAll = measure({ locals: "none", unrolled: (n) => !preLooped.has(n.id) });
  const cost = new Map<number, number>();
  for (const blk of unrolledAll.blocks) if (blk.k === "block" && blk.node !== undefined) cost.set(blk.node, Math.max(cost.get(blk.node) ?? 0, countTokens([blk])));
  const looped = new Set([...cost].filter(([id, t]) => preLooped.has(id) || t > UNROLLED_BLOCK_TOKENS).map(([id]) => id));
  let remaining = [...cost].filter(([id]) => !looped.has(id)).sort((x, y) => y[1] - x[1] || x[0] - y[0]);
  let total = remaining.reduce((s, [, t]) => s + t, 0);
  while (total > MAX_CHUNKS * FUNCTION_TOKEN_BUDGET * 0.8 && remaining.length > 0) {
    const [id, t] = remaining.shift()!;
    looped.add(id);
    total -= t;
  }
  const mixed = final({ locals: "none", unrolled: (n) => !looped.has(n.id) });
  const allLoops = looped.size === cost.size;
  const chunks = chunk(mixed.blocks, FUNCTION_TOKEN_BUDGET);
  if (chunks.length === 1) return single(mixed, allLoops ? "loops" : "mixed");
  const parts = chunks.map((blocks, i) => fn(`${spec.name}_${i + 1}`, i === chunks.length - 1 ? spec.returns : "void", blocks));
  const args = spec.params.map(([n]) => v(n));
  const calls = parts.map((part, i) => (i === parts.length - 1 && spec.returns !== "void" ? ret({ k: "call", fn: part.name, args }) : callStmt(part.name, args)));
  const main = fn(spec.name, spec.returns, calls, `${spec.doc} (split into ${parts.length} functions, each within V8's optimization budget)`);
  return { functions: [...parts, main], strategy: "split", flops: mixed.flops };
}

/** Whether a kernel fits V8's budget fully unrolled in one function. */
export function fitsOneFunction(sinks: readonly Sink[], ctx: SampleContext, training: boolean): boolean {
  // Rough sizes first, so that a 100,000-element layer is never written out unrolled just to be measured.
  if ([...roughTokens(sinks).values()].reduce((a, b) => a + b, 0) > 4 * FUNCTION_TOKEN_BUDGET) return false;
  const whole = render(sinks, { locals: "all", unrolled: () => true }, ctx, training, new Buffers(ctx.namer.sandbox(), ctx.names), ctx.namer.sandbox());
  return countTokens(whole.blocks) <= FUNCTION_TOKEN_BUDGET;
}
