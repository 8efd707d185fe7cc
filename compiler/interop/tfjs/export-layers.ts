// How nnc's inference graph becomes TensorFlow.js layers, one row per pattern: a dense layer
// (W @ x + b and its activation), an activation layer, a merge. Anything else in the graph has
// no layer and is refused with its model line (export.ts); docs/interop.md's export table is
// generated from these rows.
//
//   sigmoid(add(matvec(W_h, x), b_h))   ->   Dense{name: "h", units, activation: "sigmoid"}, kernel = W_hᵀ
//   leaky_relu(z)                       ->   LeakyReLU{alpha}
//
// The image layers' rows (Conv2D, pooling, Flatten, Reshape) are in export-image-layers.ts.

import type { Node } from "../../ir/node.js";
import { EXPORT_IMAGE_LAYERS } from "./export-image-layers.js";
import { namedActivation, type ExportLayerRow, type LayerSpec } from "./export-patterns.js";

export type { ExportLayerRow, LayerSpec };

/** W @ x (+ b) with W and b parameters and x computed from the input. */
function affine(node: Node, isData: (n: Node) => boolean): { W: Node; x: Node; b?: Node } | undefined {
  const product = (n: Node) => (n.op === "matvec" && n.inputs[0]!.op === "param" && n.inputs[0]!.shape.length === 2 && isData(n.inputs[1]!) ? { W: n.inputs[0]!, x: n.inputs[1]! } : undefined);
  if (node.op === "add") {
    const [a, b] = node.inputs as [Node, Node];
    const pa = product(a);
    if (pa && b.op === "param" && b.shape.length === 1) return { ...pa, b };
    const pb = product(b);
    if (pb && a.op === "param" && a.shape.length === 1) return { ...pb, b: a };
  }
  return product(node);
}

function dense(node: Node, isData: (n: Node) => boolean): LayerSpec | undefined {
  const act = namedActivation(node);
  const core = act ? affine(act.of, isData) : undefined;
  const found = core ?? affine(node, isData);
  if (!found) return undefined;
  return {
    className: "Dense",
    config: { units: found.W.shape[0], activation: core ? act!.name : "linear", use_bias: found.b !== undefined },
    inputs: [found.x],
    kernel: found.W,
    ...(found.b ? { bias: found.b } : {}),
  };
}

function unary(op: string, className: string, config: (n: Node) => Record<string, unknown>): (node: Node, isData: (n: Node) => boolean) => LayerSpec | undefined {
  return (node, isData) => (node.op === op && isData(node.inputs[0]!) ? { className, config: config(node), inputs: [node.inputs[0]!] } : undefined);
}

function merge(op: string, className: string): (node: Node, isData: (n: Node) => boolean) => LayerSpec | undefined {
  return (node, isData) => (node.op === op && node.inputs.every(isData) && node.inputs[0]!.shape.join() === node.inputs[1]!.shape.join() ? { className, config: {}, inputs: [...node.inputs] } : undefined);
}

export const EXPORT_LAYERS: ExportLayerRow[] = [
  { pattern: "`act(W @ x + b)`, `act(W @ x)`, `W @ x + b`, `W @ x` (W, b parameters; act linear, sigmoid, tanh, relu, softplus, softmax, log_softmax, elu with alpha 1, exact gelu)", className: "Dense", match: dense },
  // Before Activation: a convolution layer takes its activation as a Dense layer does.
  ...EXPORT_IMAGE_LAYERS,
  {
    pattern: "an activation of those on any value",
    className: "Activation",
    match: (node, isData) => {
      const act = namedActivation(node);
      return act && isData(act.of) ? { className: "Activation", config: { activation: act.name }, inputs: [act.of] } : undefined;
    },
  },
  { pattern: "`leaky_relu(x, negative_slope)`", className: "LeakyReLU", match: unary("leaky_relu", "LeakyReLU", (n) => ({ alpha: n.attrs["alpha"] })) },
  { pattern: "`a + b` of two values", className: "Add", match: merge("add", "Add") },
  { pattern: "`a * b` of two values", className: "Multiply", match: merge("mul", "Multiply") },
];
