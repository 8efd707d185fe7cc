// lower: generated statements from graph nodes and the sinks that consume them. Each stored
// node becomes one block of statements (unrolled per element, or loops with literal bounds,
// chosen per node); fused nodes become parts of their consumer's expression; comments point
// at the DSL. kernels.ts packs blocks into functions; batched.ts reuses the node lowerer
// for the row-wise parts of batched kernels.
//
//   sinks [{ kind: "return", node: loss }]  ->
//     // parity.nn:5  h = dense(x, 2, sigmoid)
//     const h_0 = 1 / (1 + Math.exp(-(p[0] * x[xo] + p[2])));
//     ...
//     return loss_0;

import { type Node, sizeOf } from "../ir/node.js";
import { literal } from "../ops/elementwise.js";
import { flatIndex } from "../ops/linalg.js";
import { forEachIndex } from "../ops/loops.js";
import type { Index, LowerContext } from "../ops/op-def.js";
import { opDef } from "../ops/registry.js";
import { type Plan, type PlanOptions, planStorage } from "./plan.js";
import { commentText } from "./comments.js";

/** Where a sink writes: `return` a scalar, assign into an array, or accumulate into one. */
export type Sink =
  | { kind: "return"; node: Node }
  | {
      kind: "store" | "accumulate";
      node: Node;
      array: string;
      offset: string | number;
      comment: string;
      /** Accumulate: subtract instead of add. */
      negate?: boolean;
      /** Accumulate: a factor on every element (batched code: n × a parameter-only term). */
      scale?: string;
    };

export interface DataBinding {
  /** Array and base-offset expressions for `input` leaves by role. */
  input: { array: string; offset: string };
  target: { array: string; offset: string };
  params: { array: string; offsets: ReadonlyMap<string, number> };
  /** The Rng expression for dropout masks (training functions only). */
  rng?: string;
  scratch: string;
  /** Batched code: the row variable; scratch slices of `rowNodes` are indexed by it. */
  row?: string;
  rowNodes?: ReadonlySet<number>;
}

/** One node's (or one sink's) statements, with the DSL comment that heads them. */
export interface Block {
  comment: string;
  lines: string[];
  /** A `return` (always last in its function). */
  returns?: boolean;
  /** The stored node or sink node the block computes. */
  node?: Node;
}

export interface LoweredFunction {
  blocks: Block[];
  scratchSize: number;
  /** Multiply-adds etc. per call, for the benchmark's GFLOP/s. */
  flops: number;
}

export function plus(base: string | number, index: string | number): string | number {
  if (typeof base === "number" && typeof index === "number") return base + index;
  if (base === 0) return index;
  if (index === 0) return base;
  return `${base} + ${index}`;
}

const ATOMIC = /^(?:[A-Za-z_$][\w$]*(?:\[[^\]]*\])?|\d+(?:\.\d+)?(?:e[+-]?\d+)?|\([^()]*\))$/;

/** Parenthesizes an operand unless it is obviously atomic (name, array read, literal). */
export function paren(e: string): string {
  return ATOMIC.test(e) ? e : `(${e})`;
}

/** Lowers nodes and sinks of one plan; blocks come out in the order they are asked for. */
export function nodeLowerer(plan: Plan, binding: DataBinding, unrolled: (node: Node) => boolean, file: string) {
  let freshCounter = 0;
  const fresh = (hint: string) => `${hint}${++freshCounter}`;

  /** Scratch index of element `flat` of a stored node (row-offset when batched). */
  function slot(node: Node, offset: number, flat: number | string): number | string {
    if (binding.row && binding.rowNodes?.has(node.id)) return plus(plus(offset, `${binding.row} * ${sizeOf(node.shape)}`), flat);
    return plus(offset, flat);
  }

  function elem(node: Node, index: readonly Index[]): string {
    const st = plan.storage.get(node.id)!;
    const flat = flatIndex(node.shape, index);
    switch (st.kind) {
      case "local":
        if (typeof flat !== "number") throw new Error(`internal: unrolled read of ${node.op} with a loop index`);
        return `${st.base}_${flat}`;
      case "buffer":
        return `${binding.scratch}[${slot(node, st.offset, flat)}]`;
      case "leaf":
        return leaf(node, flat);
      case "inline": {
        const def = opDef(node.op);
        if (def.kind === "elementwise") {
          return def.code(node.inputs.map((i) => paren(elem(i, index))), node.attrs);
        }
        if (def.kind === "indexmap") {
          return def.element(index, (k, ix) => paren(elem(node.inputs[k]!, ix)), node.inputs.map((i) => i.shape));
        }
        throw new Error(`internal: cannot fuse ${node.op}`);
      }
    }
  }

  function leaf(node: Node, flat: number | string): string {
    switch (node.op) {
      case "const":
        return literal(Number(node.attrs["value"]));
      case "param": {
        const offset = binding.params.offsets.get(String(node.attrs["name"]));
        if (offset === undefined) throw new Error(`internal: no offset for param ${String(node.attrs["name"])}`);
        return `${binding.params.array}[${plus(offset, flat)}]`;
      }
      case "input": {
        const b = node.attrs["role"] === "target" ? binding.target : binding.input;
        return `${b.array}[${plus(b.offset, flat)}]`;
      }
      default:
        throw new Error(`internal: leaf ${node.op}`);
    }
  }

  function location(node: Node, index: readonly Index[]): string {
    const st = plan.storage.get(node.id)!;
    if (st.kind !== "buffer") throw new Error(`internal: out() on ${st.kind}`);
    return `${binding.scratch}[${slot(node, st.offset, flatIndex(node.shape, index))}]`;
  }

  function define(node: Node, index: readonly Index[], expr: string): string {
    const st = plan.storage.get(node.id)!;
    if (st.kind === "local") return `const ${st.base}_${flatIndex(node.shape, index)} = ${expr};`;
    return `${location(node, index)} = ${expr};`;
  }

  function commentOf(node: Node): string {
    return node.origin ? commentText(file, node.origin, node.role === "gradient") : "";
  }

  /** The statements computing a stored node (nothing for leaves and fused nodes). */
  function lowerNode(node: Node): { block: Block; flops: number } | null {
    const st = plan.storage.get(node.id)!;
    if (st.kind === "leaf" || st.kind === "inline") return null;
    const def = opDef(node.op);
    const ctx: LowerContext = {
      inputShapes: node.inputs.map((i) => i.shape),
      shape: node.shape,
      attrs: node.attrs,
      unrolled: unrolled(node),
      elem: (k, index) => elem(node.inputs[k]!, index),
      define: (index, expr) => define(node, index, expr),
      out: (index) => location(node, index),
      fresh,
    };
    const lines: string[] = [];
    let flops = 0;
    switch (def.kind) {
      case "structural":
        lines.push(...def.lower(ctx));
        flops = def.flops(ctx.inputShapes, node.shape);
        break;
      case "elementwise":
        lines.push(...forEachIndex(ctx, node.shape, (ix) => [ctx.define(ix, def.code(node.inputs.map((i) => paren(elem(i, ix))), node.attrs))]));
        flops = def.cost * sizeOf(node.shape);
        break;
      case "leaf": {
        // Only dropout masks are stored leaves: drawn once per sample, in training.
        if (!binding.rng) throw new Error("internal: dropout mask outside a training function");
        const rate = Number(node.attrs["rate"]);
        const keep = literal(1 / (1 - rate));
        lines.push(...forEachIndex(ctx, node.shape, (ix) => [ctx.define(ix, `${binding.rng}.uniform() < ${literal(rate)} ? 0 : ${keep}`)]));
        break;
      }
      case "indexmap":
        throw new Error(`internal: stored index map ${node.op}`);
    }
    return { block: { comment: commentOf(node), lines, node }, flops };
  }

  function lowerSink(sink: Sink): Block {
    if (sink.kind === "return") return { comment: commentOf(sink.node), lines: [`return ${elem(sink.node, [])};`], returns: true, node: sink.node };
    const op = sink.kind === "store" ? "=" : sink.negate ? "-=" : "+=";
    const ctx = { unrolled: unrolled(sink.node), fresh };
    const value = (ix: Index[]) => (sink.scale ? `${sink.scale} * ${paren(elem(sink.node, ix))}` : elem(sink.node, ix));
    const lines = forEachIndex(ctx, sink.node.shape, (ix) => [`${sink.array}[${plus(sink.offset, flatIndex(sink.node.shape, ix))}] ${op} ${value(ix)};`]);
    return { comment: sink.comment, lines, node: sink.node };
  }

  return { elem, lowerNode, lowerSink, fresh };
}

export interface LowerMode extends Omit<PlanOptions, "rows"> {
  /** Whether a stored node's (or a sink's) statements are unrolled or loops. */
  unrolled: (node: Node) => boolean;
}

/** One per-sample function: every stored node in dependency order, then the sinks (the `return` last). */
/** Stored nodes in the order they are computed: dropout masks first (by id), then dependency order. */
export function computeOrder(order: readonly Node[]): Node[] {
  const masks = order.filter((n) => n.op === "dropout_mask").sort((a, b) => a.id - b.id);
  return [...masks, ...order.filter((n) => n.op !== "dropout_mask")];
}

export function lowerFunction(sinks: readonly Sink[], binding: DataBinding, mode: LowerMode, file: string): LoweredFunction {
  const plan = planStorage(
    sinks.map((s) => s.node),
    mode,
  );
  const lowerer = nodeLowerer(plan, binding, mode.unrolled, file);
  const blocks: Block[] = [];
  let flops = 0;
  for (const node of computeOrder(plan.order)) {
    const r = lowerer.lowerNode(node);
    if (!r) continue;
    blocks.push(r.block);
    flops += r.flops;
  }
  const ordered = [...sinks.filter((s) => s.kind !== "return"), ...sinks.filter((s) => s.kind === "return")];
  for (const sink of ordered) blocks.push(lowerer.lowerSink(sink));
  return { blocks, scratchSize: plan.scratchSize, flops };
}

/** Blocks as indented-free lines, with a comment line (and a blank line) wherever the comment changes. */
export function renderBlocks(blocks: readonly Block[]): string[] {
  const lines: string[] = [];
  let last = "";
  for (const b of blocks) {
    if (b.comment && b.comment !== last) {
      if (lines.length > 0) lines.push("");
      lines.push(`// ${b.comment}`);
      last = b.comment;
    }
    lines.push(...b.lines);
  }
  return lines;
}
