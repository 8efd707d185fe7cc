// Built-in losses with Keras names and semantics, written as ordinary graph math so the
// same autodiff differentiates them. Arguments are (prediction, target).
//
// Probabilities are clipped to [ε, 1 − ε] with ε = 1e-7 as Keras does. When the prediction
// is directly a sigmoid or softmax, the loss is computed from its logits instead
// (softplus / log-softmax), as tf.keras does: identical values where both are finite,
// stable at ±1000, and the gradient w.r.t. the logits is p − y.

import type { Node } from "../ir/node.js";
import type { Graph } from "../ir/graph.js";

export const EPSILON = 1e-7;

function clipProb(graph: Graph, p: Node): Node {
  return graph.unary("clip", p, { lo: EPSILON, hi: 1 - EPSILON });
}

/** mean(softplus(z) − y z): binary cross-entropy from logits, stable for any z. */
function bceFromLogits(graph: Graph, z: Node, y: Node): Node {
  return graph.mean(graph.sub(graph.unary("softplus", z), graph.mul(y, z)));
}

export function binaryCrossentropy(graph: Graph, p: Node, y: Node, fromLogits: boolean): Node {
  if (fromLogits) return bceFromLogits(graph, p, y);
  if (p.op === "sigmoid") return bceFromLogits(graph, p.inputs[0]!, y);
  const pc = clipProb(graph, p);
  const one = graph.const(1);
  const ll = graph.add(graph.mul(y, graph.unary("log", pc)), graph.mul(graph.sub(one, y), graph.unary("log", graph.sub(one, pc))));
  return graph.neg(graph.mean(ll));
}

export function categoricalCrossentropy(graph: Graph, p: Node, y: Node, fromLogits: boolean): Node {
  if (fromLogits) return graph.neg(graph.sum(graph.mul(y, graph.node("logsoftmax", [p]))));
  if (p.op === "softmax") return graph.neg(graph.sum(graph.mul(y, graph.node("logsoftmax", [p.inputs[0]!]))));
  // Keras rescales the probabilities to sum to 1 before clipping.
  const normalized = graph.div(p, graph.sum(p));
  return graph.neg(graph.sum(graph.mul(y, graph.unary("log", clipProb(graph, normalized)))));
}

export function sparseCategoricalCrossentropy(graph: Graph, p: Node, k: Node, fromLogits: boolean): Node {
  const y = graph.node("onehot", [k], { n: p.shape[0]! });
  return categoricalCrossentropy(graph, p, y, fromLogits);
}

export function meanSquaredError(graph: Graph, p: Node, y: Node): Node {
  return graph.mean(graph.pow(graph.sub(p, y), 2));
}

export function meanAbsoluteError(graph: Graph, p: Node, y: Node): Node {
  return graph.mean(graph.unary("abs", graph.sub(p, y)));
}
