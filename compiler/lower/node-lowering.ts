// Statements from graph nodes and the sinks that consume them, in the loop language. Each
// stored node becomes one block of statements (unrolled per element, or loops with literal
// bounds, chosen per node) headed by the model line it comes from; fused nodes become parts
// of their consumer's expression. per-sample.ts packs blocks into functions; batched.ts uses
// the same lowerer inside its loops over minibatch rows.
//
//   sinks [{ kind: "return", node: loss }]  ->
//     // parity.nn:5  h = dense(x, 2, sigmoid)
//     const h_0 = 1 / (1 + Math.exp(-(p[0] * x[xo] + p[2])));
//     ...
//     return loss_0;

import { type Expr, type Stmt, assign, binary, block, call, cond, compare, decl, indexAdd, indexMul, load, num, ret, store, v } from "../ir/code.js";
import { type Node, sizeOf } from "../ir/node.js";
import { flatIndex, forEachIndex, ix, unflatten } from "../ops/loops.js";
import type { Index, LowerContext } from "../ops/op-def.js";
import { isView, opDef } from "../ops/registry.js";
import type { Buffers } from "./buffers.js";
import { baseName, commentText } from "./comments.js";
import type { Plan } from "./plan.js";

/** Where a sink writes: `return` a scalar, assign into an array, accumulate into one, or into locals. */
export type Sink =
  | { kind: "return"; node: Node }
  /**
   * `local(flat) += element` for every element (a fused training step's gradient and loss sums);
   * `round`: `local = Math.fround(local + element)`, as a Float32Array element would hold it.
   */
  | { kind: "addTo"; node: Node; local: (flat: number) => string; comment: string; round?: boolean }
  | {
      kind: "store" | "accumulate";
      node: Node;
      array: string;
      offset: Expr | number;
      comment: string;
      /** Accumulate: subtract instead of add. */
      negate?: boolean;
      /** Accumulate: a factor on every element. */
      scale?: Expr;
    };

export interface DataBinding {
  /** Array and base-offset expressions for `input` leaves by role. */
  input: { array: string; offset: Expr };
  target: { array: string; offset: Expr };
  params: { array: string; offsets: ReadonlyMap<string, number> };
  /** The Rng expression for dropout masks (training functions only). */
  rng?: string;
  buffers: Buffers;
  /** Batched code: the row variable, which nodes hold one value per row, and the row count. */
  row?: { name: string; rowwise: (node: Node) => boolean; rows: number; count: Expr };
}

/** The block comment for a node: the model line it comes from (`backward of …` for gradient nodes). */
export function commentOf(node: Node, file: string): string {
  return node.origin ? commentText(baseName(file), node.origin, node.role === "gradient") : "";
}

/** Lowers nodes and sinks of one plan; blocks come out in the order they are asked for. */
export function nodeLowerer(plan: Plan, binding: DataBinding, unrolled: (node: Node) => boolean, file: string, fresh: (hint: string) => string) {
  const rowOf = (node: Node) => (binding.row && binding.row.rowwise(node) ? binding.row : undefined);

  function buffer(node: Node): string {
    return binding.buffers.of(node, rowOf(node)?.rows ?? 1);
  }

  /** Element `flat` of a stored node's buffer (in the current row, when it has rows). */
  function slot(node: Node, flat: Expr): Expr {
    const row = rowOf(node);
    return row ? indexAdd(indexMul(v(row.name), sizeOf(node.shape)), flat) : flat;
  }

  function elem(node: Node, index: readonly Index[]): Expr {
    const st = plan.storage.get(node.id)!;
    if (st.kind === "inline") {
      const def = opDef(node.op);
      if (def.kind === "elementwise") return def.expr(node.inputs.map((i) => elem(i, index)), node.attrs);
      if (def.kind === "indexmap") {
        return def.element(index, (k, at) => elem(node.inputs[k]!, at), node.inputs.map((i) => i.shape), node.shape, (k, flat) => elemFlat(node.inputs[k]!, flat));
      }
      throw new Error(`internal: cannot fuse ${node.op}`);
    }
    return elemFlat(node, flatIndex(node.shape, index));
  }

  /** Element `flat` (row-major offset) of a node. */
  function elemFlat(node: Node, flat: Expr): Expr {
    const st = plan.storage.get(node.id)!;
    switch (st.kind) {
      case "local":
        if (flat.k !== "num") throw new Error(`internal: unrolled read of ${node.op} with a loop index`);
        return v(`${st.base}_${flat.value}`);
      case "buffer":
        return load(buffer(node), slot(node, flat));
      case "leaf":
        return leaf(node, flat);
      case "inline": {
        const def = opDef(node.op);
        // Elementwise: every operand has this shape, so the same offset.
        if (def.kind === "elementwise") return def.expr(node.inputs.map((i) => elemFlat(i, flat)), node.attrs);
        // A view: the same offset of what it shows.
        if (isView(node)) return elemFlat(node.inputs[0]!, flat);
        if (flat.k === "num") return elem(node, unflatten(node.shape, flat.value));
        throw new Error(`internal: ${node.op} read by offset in a loop (the plan stores it)`);
      }
    }
  }

  function leaf(node: Node, flat: Expr): Expr {
    switch (node.op) {
      case "const":
        return num(Number(node.attrs["value"]));
      case "param": {
        const offset = binding.params.offsets.get(String(node.attrs["name"]));
        if (offset === undefined) throw new Error(`internal: no offset for param ${String(node.attrs["name"])}`);
        return load(binding.params.array, indexAdd(offset, flat));
      }
      case "input": {
        const b = node.attrs["role"] === "target" ? binding.target : binding.input;
        return load(b.array, indexAdd(b.offset, flat));
      }
      case "batch_size":
        if (!binding.row) throw new Error("internal: batch_size outside a batched kernel");
        return binding.row.count;
      default:
        throw new Error(`internal: leaf ${node.op}`);
    }
  }

  function define(node: Node, index: readonly Index[], value: Expr): Stmt {
    const st = plan.storage.get(node.id)!;
    const flat = flatIndex(node.shape, index);
    if (st.kind === "local") {
      if (flat.k !== "num") throw new Error(`internal: unrolled definition of ${node.op} with a loop index`);
      return decl("const", `${st.base}_${flat.value}`, value);
    }
    return store(buffer(node), slot(node, flat), "=", value);
  }

  /** The statements computing a stored node (nothing for leaves and fused nodes). */
  function lowerNode(node: Node): { block: Stmt; flops: number } | null {
    const st = plan.storage.get(node.id)!;
    if (st.kind === "leaf" || st.kind === "inline") return null;
    const def = opDef(node.op);
    const ctx: LowerContext = {
      inputShapes: node.inputs.map((i) => i.shape),
      shape: node.shape,
      attrs: node.attrs,
      unrolled: unrolled(node),
      elem: (k, index) => elem(node.inputs[k]!, index),
      define: (index, value) => define(node, index, value),
      store: (index, op, value) => {
        if (st.kind !== "buffer") throw new Error(`internal: in-place update of ${node.op} held in ${st.kind}`);
        return store(buffer(node), slot(node, flatIndex(node.shape, index)), op, value);
      },
      fresh,
    };
    const stmts: Stmt[] = [];
    let flops = 0;
    switch (def.kind) {
      case "structural":
        stmts.push(...def.lower(ctx));
        flops = def.flops(ctx.inputShapes, node.shape);
        break;
      case "elementwise":
        stmts.push(...forEachIndex(ctx, node.shape, (index) => [ctx.define(index, def.expr(node.inputs.map((i) => elem(i, index)), node.attrs))]));
        flops = def.cost * sizeOf(node.shape);
        break;
      case "leaf": {
        // Only dropout masks are stored leaves: drawn once per sample, in training.
        if (!binding.rng) throw new Error("internal: dropout mask outside a training function");
        const rate = Number(node.attrs["rate"]);
        const draw = cond(compare("<", { k: "call", fn: `${binding.rng}.uniform`, args: [] }, num(rate)), num(0), num(1 / (1 - rate)));
        stmts.push(...forEachIndex(ctx, node.shape, (index) => [ctx.define(index, draw)]));
        break;
      }
      case "indexmap":
        // Stored only where an op needs its operand in memory (a matrix product's): each element by the op's own rule.
        stmts.push(
          ...forEachIndex(ctx, node.shape, (index) => [
            ctx.define(index, def.element(index, (k, at) => elem(node.inputs[k]!, at), ctx.inputShapes, node.shape, (k, flat) => elemFlat(node.inputs[k]!, flat))),
          ]),
        );
        break;
      case "rows":
        throw new Error(`internal: ${node.op} cannot be lowered as a stored node here`);
    }
    return { block: block(commentOf(node, file), stmts, node.id), flops };
  }

  function lowerSink(sink: Sink): Stmt {
    if (sink.kind === "return") return block(commentOf(sink.node, file), [ret(elem(sink.node, []))], sink.node.id);
    if (sink.kind === "addTo") {
      const stmts = forEachIndex({ unrolled: true, fresh }, sink.node.shape, (index) => {
        const flat = flatIndex(sink.node.shape, index);
        const local = sink.local(flat.k === "num" ? flat.value : 0);
        const value = elem(sink.node, index);
        return [sink.round ? assign(local, "=", call("Math.fround", binary("+", v(local), value))) : assign(local, "+=", value)];
      });
      return block(sink.comment, stmts, sink.node.id);
    }
    const op = sink.kind === "store" ? "=" : sink.negate ? "-=" : "+=";
    const ctx = { unrolled: unrolled(sink.node), fresh };
    const value = (index: Index[]) => (sink.scale ? binary("*", sink.scale, elem(sink.node, index)) : elem(sink.node, index));
    const stmts = forEachIndex(ctx, sink.node.shape, (index) => [store(sink.array, indexAdd(ix(sink.offset), flatIndex(sink.node.shape, index)), op, value(index))]);
    return block(sink.comment, stmts, sink.node.id);
  }

  return { elem, lowerNode, lowerSink };
}

/** Stored nodes in the order they are computed: dropout masks first (by id), then dependency order. */
export function computeOrder(order: readonly Node[]): Node[] {
  const masks = order.filter((n) => n.op === "dropout_mask").sort((a, b) => a.id - b.id);
  return [...masks, ...order.filter((n) => n.op !== "dropout_mask")];
}
