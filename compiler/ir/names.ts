// Readable names of graph nodes, kept in a map beside the graph (nodes are immutable).
// The first name given to a node wins; parameters, inputs and constants are never named
// this way (they print as their `name` attribute or their value).
//
//   const names = new Map<number, string>();
//   giveName(names, z, "z_h");  giveName(names, z, "other");  names.get(z.id)  // "z_h"
//   nodeLabel(W, names)  // "W_h" (a param's own name);  nodeLabel(t, names)  // "%12" when unnamed

import type { Names, Node } from "./node.js";

const SELF_NAMED = new Set(["param", "input", "const"]);

/** Names `node` unless it already has a name or names itself; returns the node. */
export function giveName(names: Map<number, string>, node: Node, name: string): Node {
  if (!names.has(node.id) && !SELF_NAMED.has(node.op)) names.set(node.id, name);
  return node;
}

/** The printed name of a node: a parameter's or input's own name, a scalar constant's value, its given name, or %id. */
export function nodeLabel(node: Node, names: Names): string {
  if (node.op === "param" || node.op === "input") return String(node.attrs["name"]);
  if (node.op === "const" && node.shape.length === 0) return String(node.attrs["value"]);
  return names.get(node.id) ?? `%${node.id}`;
}
