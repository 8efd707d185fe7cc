// Activation functions with Keras names. Each is usable as a function in math
// (`tanh(W @ x + b)`) and by name as the activation of a layer (`dense(x, 8, tanh)`).

import type { Node } from "../ir/node.js";
import type { Graph } from "../ir/graph.js";

export interface Activation {
  name: string;
  /** Named options with defaults, e.g. leaky_relu's negative_slope, gelu's approximate. */
  options: Record<string, number | boolean>;
  apply(graph: Graph, x: Node, options: Record<string, number | boolean>): Node;
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

/** Keras' exact gelu: x·Φ(x), Φ the standard normal CDF (= 0.5·(1 + erf(x/√2))). */
function geluExact(graph: Graph, x: Node): Node {
  return graph.mul(x, graph.unary("normal_cdf", x));
}

/** Keras' gelu(approximate = true): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
function geluTanh(graph: Graph, x: Node): Node {
  const inner = graph.mul(graph.const(Math.sqrt(2 / Math.PI)), graph.add(x, graph.mul(graph.const(0.044715), graph.pow(x, 3))));
  return graph.mul(graph.mul(graph.const(0.5), x), graph.add(graph.const(1), graph.unary("tanh", inner)));
}

export const ACTIVATIONS: Activation[] = [
  { name: "linear", options: {}, apply: (_graph, x) => x },
  simple("sigmoid"),
  simple("tanh"),
  simple("relu"),
  {
    name: "leaky_relu",
    options: { negative_slope: 0.2 },
    apply: (graph, x, o) => graph.unary("leaky_relu", x, { alpha: Number(o["negative_slope"]) }),
  },
  { name: "elu", options: { alpha: 1 }, apply: (graph, x, o) => graph.unary("elu", x, { alpha: Number(o["alpha"]) }) },
  simple("softplus"),
  { name: "gelu", options: { approximate: false }, apply: (graph, x, o) => (o["approximate"] === true ? geluTanh(graph, x) : geluExact(graph, x)) },
  vectorOnly("softmax", "softmax"),
];

export function activation(name: string): Activation | undefined {
  return ACTIVATIONS.find((a) => a.name === name);
}
