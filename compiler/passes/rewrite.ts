// rewrite: runs rewrite rules (rules.ts) over a graph until nothing changes.
// Pure: the old nodes stay as they were; the result is a new set of roots in the same
// interned graph (so identical rewritten subexpressions become one node: CSE), plus the
// provenance of every node it made (which node it replaces), from which the naming step
// carries names over.
//
//   mul(const 1, sub(p, y))  ->  sub(p, y)        provenance: [[mul(1, sub(p, y)), sub(p, y)]]

import type { Graph } from "../ir/graph.js";
import { type Node, topoOrder } from "../ir/node.js";
import { RULES, type Rule } from "./rules.js";

export interface RewriteStats {
  rewrites: Record<string, number>;
  rounds: number;
}

/** `[from, to]`: `to` was made to stand for `from`, in the order it happened. */
export type Provenance = (readonly [Node, Node])[];

export interface Rewritten {
  roots: Node[];
  provenance: Provenance;
  stats: RewriteStats;
}

const MAX_ROUNDS = 50;
const MAX_REWRITES_PER_NODE = 50;

/** Rebuilds `node` on new inputs, with its origin and role. */
function rebuild(graph: Graph, node: Node, inputs: Node[], provenance: Provenance): Node {
  if (inputs.every((n, i) => n === node.inputs[i])) return node;
  const fresh = graph.at(node.origin, node.role).node(node.op, inputs, node.attrs);
  provenance.push([node, fresh]);
  return fresh;
}

function rewriteOnce(graph: Graph, node: Node, rules: readonly Rule[], stats: RewriteStats, provenance: Provenance): Node {
  let current = node;
  for (let n = 0; n < MAX_REWRITES_PER_NODE; n++) {
    let changed = false;
    // Replacements come from the model line and role of what they replace.
    const at = graph.at(current.origin, current.role);
    for (const rule of rules) {
      const next = rule.apply(current, at);
      if (next && next !== current) {
        stats.rewrites[rule.name] = (stats.rewrites[rule.name] ?? 0) + 1;
        provenance.push([current, next]);
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
export function rewrite(graph: Graph, roots: readonly Node[], rules: readonly Rule[] = RULES): Rewritten {
  const stats: RewriteStats = { rewrites: {}, rounds: 0 };
  const provenance: Provenance = [];
  let current = [...roots];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    stats.rounds = round + 1;
    const mapped = new Map<number, Node>();
    let changed = false;
    for (const node of topoOrder(current)) {
      const inputs = node.inputs.map((i) => mapped.get(i.id)!);
      const result = rewriteOnce(graph, rebuild(graph, node, inputs, provenance), rules, stats, provenance);
      if (result !== node) changed = true;
      mapped.set(node.id, result);
    }
    current = current.map((r) => mapped.get(r.id)!);
    if (!changed) break;
  }
  return { roots: current, provenance, stats };
}
