// Activation functions with Keras names. Each is usable as a function in math
// (`tanh(W @ x + b)`) and by name as the activation of a layer (`dense(x, 8, tanh)`).

import type { Node } from "../ir/node.js";
import type { Graph } from "../ir/graph.js";

export interface Activation {
  name: string;
  /** Named options with defaults, e.g. leaky_relu's negative_slope. */
  options: Record<string, number>;
  apply(graph: Graph, x: Node, options: Record<string, number>): Node;
}

const simple = (name: string, op = name): Activation => ({
  name,
  options: {},
  apply: (graph, x) => graph.unary(op, x),
});

const vectorOnly = (name: string, op: string): Activation => ({
  name,
  options: {},
  apply: (graph, x) => graph.node(op, [x]),
});

export const ACTIVATIONS: Activation[] = [
  { name: "linear", options: {}, apply: (_graph, x) => x },
  simple("sigmoid"),
  simple("tanh"),
  simple("relu"),
  {
    name: "leaky_relu",
    options: { negative_slope: 0.2 },
    apply: (graph, x, o) => graph.unary("leaky_relu", x, { alpha: o["negative_slope"]! }),
  },
  { name: "elu", options: { alpha: 1 }, apply: (graph, x, o) => graph.unary("elu", x, { alpha: o["alpha"]! }) },
  simple("softplus"),
  vectorOnly("softmax", "softmax"),
];

export function activation(name: string): Activation | undefined {
  return ACTIVATIONS.find((a) => a.name === name);
}
