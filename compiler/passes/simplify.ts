// simplify: rewrites a graph with the rules in rules.ts until nothing changes.
// Pure in spirit: the old nodes stay as they were; the result is a new set of roots in the
// same interned graph (so identical rewritten subexpressions become one node: CSE).
//
//   mul(const 1, sub(p, y))  ->  sub(p, y)

import type { Graph } from "../ir/graph.js";
import { type Node, topoOrder } from "../ir/node.js";
import { RULES, type Rule } from "./rules.js";

export interface SimplifyStats {
  rewrites: Record<string, number>;
  rounds: number;
}

const MAX_ROUNDS = 50;
const MAX_REWRITES_PER_NODE = 50;

/** Rebuilds `node` on new inputs, keeping its name, origin and role. */
function rebuild(graph: Graph, node: Node, inputs: Node[]): Node {
  if (inputs.every((n, i) => n === node.inputs[i])) return node;
  graph.origin = node.origin;
  graph.role = node.role ?? "forward";
  const fresh = graph.node(node.op, inputs, node.attrs);
  if (node.name) graph.named(fresh, node.name);
  return fresh;
}

function rewriteOnce(graph: Graph, node: Node, rules: readonly Rule[], stats: SimplifyStats): Node {
  let current = node;
  for (let n = 0; n < MAX_REWRITES_PER_NODE; n++) {
    let changed = false;
    for (const rule of rules) {
      graph.origin = current.origin;
      graph.role = current.role ?? "forward";
      const next = rule.apply(current, graph);
      if (next && next !== current) {
        stats.rewrites[rule.name] = (stats.rewrites[rule.name] ?? 0) + 1;
        if (current.name && !next.name && next.op !== "const") graph.named(next, current.name);
        current = next;
        changed = true;
        break;
      }
    }
    if (!changed) break;
  }
  return current;
}

/** Simplifies everything reachable from `roots`; returns the new roots in the same order. */
export function simplify(graph: Graph, roots: readonly Node[], rules: readonly Rule[] = RULES): { roots: Node[]; stats: SimplifyStats } {
  const stats: SimplifyStats = { rewrites: {}, rounds: 0 };
  const savedOrigin = graph.origin;
  const savedRole = graph.role;
  let current = [...roots];
  try {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      stats.rounds = round + 1;
      const mapped = new Map<number, Node>();
      let changed = false;
      for (const node of topoOrder(current)) {
        const inputs = node.inputs.map((i) => mapped.get(i.id)!);
        const result = rewriteOnce(graph, rebuild(graph, node, inputs), rules, stats);
        if (result !== node) changed = true;
        mapped.set(node.id, result);
      }
      current = current.map((r) => mapped.get(r.id)!);
      if (!changed) break;
    }
  } finally {
    graph.origin = savedOrigin;
    graph.role = savedRole;
  }
  return { roots: current, stats };
}
