// What the TensorFlow.js exporter's rows (export-layers.ts, export-image-layers.ts) have in
// common: the layer a pattern of nnc's graph becomes, and the activations a Dense or Conv2D
// layer (or an Activation layer) can name.
//
//   namedActivation(sigmoid(z))   -> { name: "sigmoid", of: z }

import type { Node } from "../../ir/node.js";

export interface LayerSpec {
  className: string;
  config: Record<string, unknown>;
  /** Graph nodes whose layers feed this one. */
  inputs: Node[];
  /** Parameters that become the layer's weights: kernel (a Dense W, transposed; a Conv2D K as it is) and bias. */
  kernel?: Node;
  bias?: Node;
  /** Why tfjs could not run the layer, though it matches (export.ts refuses it at its model line). */
  problem?: string;
}

export interface ExportLayerRow {
  /** What the pattern is, for docs/interop.md. */
  pattern: string;
  className: string;
  /** The layer for `node`, when the pattern matches. */
  match(node: Node, isData: (n: Node) => boolean): LayerSpec | undefined;
}

/** tfjs' names of the activations nnc's graph ops are (gelu is matched by its shape, x · Φ(x)). */
const DENSE_ACTIVATIONS: Record<string, string> = { sigmoid: "sigmoid", tanh: "tanh", relu: "relu", softplus: "softplus", softmax: "softmax", logsoftmax: "logSoftmax" };

/** The activation `node` applies and to what, if it is one a Dense or Activation layer can name. */
export function namedActivation(node: Node): { name: string; of: Node } | undefined {
  if (DENSE_ACTIVATIONS[node.op]) return { name: DENSE_ACTIVATIONS[node.op]!, of: node.inputs[0]! };
  if (node.op === "elu" && node.attrs["alpha"] === 1) return { name: "elu", of: node.inputs[0]! };
  if (node.op === "mul") {
    const [a, b] = node.inputs as [Node, Node];
    if (b.op === "normal_cdf" && b.inputs[0] === a) return { name: "gelu", of: a };
    if (a.op === "normal_cdf" && a.inputs[0] === b) return { name: "gelu", of: b };
  }
  return undefined;
}

