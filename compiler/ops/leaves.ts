// Leaf ops: inputs and targets (per-sample data), parameters, constants and dropout masks.
// Leaves have no operands, so their derivative rule returns nothing; autodiff reads the
// adjoint of a `param` leaf as that parameter's gradient.

import { shapeAttr, sizeOf } from "../ir/node.js";
import type { LeafOp } from "./op-def.js";

const noGradient = () => [];

function lookup(name: string, values: ReadonlyMap<string, Float64Array>): Float64Array {
  const v = values.get(name);
  if (!v) throw new Error(`interpreter: no value bound for '${name}'`);
  return v;
}

/** How a dropout mask is named in math, pictures and legends: mask0, mask1, … */
export function maskName(attrs: Readonly<Record<string, unknown>>): string {
  return `mask${String(attrs["id"])}`;
}

export const leafOps: LeafOp[] = [
  {
    name: "input",
    kind: "leaf",
    shape: (_, attrs) => shapeAttr(attrs),
    evaluate: (node, env) => lookup(String(node.attrs["name"]), env.values),
    vjp: noGradient,
    math: (_, attrs) => String(attrs["name"]),
  },
  {
    name: "param",
    kind: "leaf",
    shape: (_, attrs) => shapeAttr(attrs),
    evaluate: (node, env) => lookup(String(node.attrs["name"]), env.values),
    vjp: noGradient,
    math: (_, attrs) => String(attrs["name"]),
  },
  {
    name: "const",
    kind: "leaf",
    shape: (_, attrs) => shapeAttr(attrs),
    evaluate: (node) => new Float64Array(sizeOf(node.shape)).fill(Number(node.attrs["value"])),
    vjp: noGradient,
    math: (_, attrs) => String(attrs["value"]),
  },
  {
    // Inverted dropout: each element is 0 with probability `rate`, else 1 / (1 - rate).
    name: "dropout_mask",
    kind: "leaf",
    shape: (_, attrs) => shapeAttr(attrs),
    evaluate: (node, env) => {
      const fixed = env.masks?.get(node.id);
      if (fixed) return fixed;
      const rate = Number(node.attrs["rate"]);
      const random = env.random ?? (() => 0.5);
      const mask = new Float64Array(sizeOf(node.shape));
      for (let i = 0; i < mask.length; i++) mask[i] = random() < rate ? 0 : 1 / (1 - rate);
      env.masks?.set(node.id, mask);
      return mask;
    },
    vjp: noGradient,
    math: (_, attrs) => maskName(attrs),
  },
];
