// lower: one generated function's body from graph nodes and the sinks that consume them.
// Each stored node becomes statements (unrolled per element, or loops with literal bounds);
// fused nodes become parts of their consumer's expression; comments point at the DSL.
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
import { type Plan, planStorage } from "./plan.js";
import { commentText } from "./comments.js";

/** Where a sink writes: `return` a scalar, assign into an array, or accumulate into one. */
export type Sink =
  | { kind: "return"; node: Node }
  | { kind: "store" | "accumulate"; node: Node; array: string; offset: string | number; comment: string };

export interface DataBinding {
  /** Array and base-offset expressions for `input` leaves by role. */
  input: { array: string; offset: string };
  target: { array: string; offset: string };
  params: { array: string; offsets: ReadonlyMap<string, number> };
  /** The Rng expression for dropout masks (training functions only). */
  rng?: string;
  scratch: string;
}

export interface LoweredFunction {
  lines: string[];
  scratchSize: number;
  /** Multiply-adds etc. per call, for the benchmark's GFLOP/s. */
  flops: number;
}

function plus(base: string | number, index: string | number): string | number {
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

export function lowerFunction(sinks: readonly Sink[], binding: DataBinding, unrolled: boolean, file: string): LoweredFunction {
  const plan: Plan = planStorage(
    sinks.map((s) => s.node),
    unrolled,
  );
  let freshCounter = 0;
  const fresh = (hint: string) => `${hint}${++freshCounter}`;

  function elem(node: Node, index: readonly Index[]): string {
    const st = plan.storage.get(node.id)!;
    const flat = flatIndex(node.shape, index);
    switch (st.kind) {
      case "local":
        if (typeof flat !== "number") throw new Error(`internal: unrolled read of ${node.op} with a loop index`);
        return `${st.base}_${flat}`;
      case "buffer":
        return `${binding.scratch}[${plus(st.offset, flat)}]`;
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

  function define(node: Node, index: readonly Index[], expr: string): string {
    const st = plan.storage.get(node.id)!;
    const flat = flatIndex(node.shape, index);
    if (st.kind === "local") return `const ${st.base}_${flat} = ${expr};`;
    if (st.kind === "buffer") return `${binding.scratch}[${plus(st.offset, flat)}] = ${expr};`;
    throw new Error(`internal: define on ${st.kind}`);
  }

  const lines: string[] = [];
  let flops = 0;
  let lastComment = "";
  const comment = (text: string) => {
    if (text !== lastComment) {
      if (lines.length > 0) lines.push("");
      lines.push(`// ${text}`);
      lastComment = text;
    }
  };

  for (const node of plan.order) {
    const st = plan.storage.get(node.id)!;
    if (st.kind === "leaf" || st.kind === "inline") continue;
    const def = opDef(node.op);
    if (node.origin) comment(commentText(file, node.origin, node.role === "gradient"));
    const ctx: LowerContext = {
      inputShapes: node.inputs.map((i) => i.shape),
      shape: node.shape,
      attrs: node.attrs,
      unrolled,
      elem: (k, index) => elem(node.inputs[k]!, index),
      define: (index, expr) => define(node, index, expr),
      out: (index) => {
        if (st.kind !== "buffer") throw new Error(`internal: out() on ${st.kind}`);
        return `${binding.scratch}[${plus(st.offset, flatIndex(node.shape, index))}]`;
      },
      fresh,
    };
    switch (def.kind) {
      case "structural":
        lines.push(...def.lower(ctx));
        flops += def.flops(ctx.inputShapes, node.shape);
        break;
      case "elementwise":
        lines.push(...forEachIndex(ctx, node.shape, (ix) => [ctx.define(ix, def.code(node.inputs.map((i) => paren(elem(i, ix))), node.attrs))]));
        flops += def.cost * sizeOf(node.shape);
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
  }

  // Stores first, the `return` last.
  const ordered = [...sinks.filter((s) => s.kind !== "return"), ...sinks.filter((s) => s.kind === "return")];
  for (const sink of ordered) {
    if (sink.kind === "return") {
      if (sink.node.origin) comment(commentText(file, sink.node.origin, false));
      lines.push(`return ${elem(sink.node, [])};`);
      continue;
    }
    comment(sink.comment);
    const op = sink.kind === "store" ? "=" : "+=";
    const ctx = { unrolled, fresh };
    lines.push(...forEachIndex(ctx, sink.node.shape, (ix) => [`${sink.array}[${plus(sink.offset, flatIndex(sink.node.shape, ix))}] ${op} ${elem(sink.node, ix)};`]));
  }
  return { lines, scratchSize: plan.scratchSize, flops };
}
