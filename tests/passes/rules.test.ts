// Every rewrite rule keeps the value it rewrites: a case per rule (the coverage test below fails
// for a rule without one) that the rule fires on, evaluated by the reference interpreter before
// and after rewriting at random parameters. Derivatives of the rewritten graphs are checked
// against finite differences in tests/op-gradients.test.ts.

import { describe, expect, it } from "vitest";
import type { Graph } from "../../compiler/ir/graph.js";
import { type Node, type Shape, sizeOf } from "../../compiler/ir/node.js";
import { newGraph } from "../../compiler/ops/registry.js";
import { evaluate } from "../../compiler/interpret.js";
import { rewrite } from "../../compiler/passes/rewrite.js";
import { RULES, STABILITY_RULES } from "../../compiler/passes/rules.js";
import { relError, testRandom } from "../helpers/fd.js";

interface RuleCase {
  rule: string;
  /** Parameters a, b, c of these shapes (s, t scalars). */
  shapes: Shape[];
  build(g: Graph, p: Node[]): Node;
}

const v3: Shape = [3];
const CASES: RuleCase[] = [
  { rule: "fold constants", shapes: [v3], build: (g, [a]) => g.add(a!, g.unary("exp", g.const(1, v3))) },
  // (smaller ones are folded first; past the folding bound the broadcast still becomes a constant)
  { rule: "broadcast const", shapes: [[200_000]], build: (g, [a]) => g.mul(a!, g.broadcast(g.const(2), [200_000])) },
  { rule: "add zero", shapes: [v3], build: (g, [a]) => g.add(g.const(0, v3), a!) },
  { rule: "sub zero", shapes: [v3], build: (g, [a]) => g.sub(g.const(0, v3), a!) },
  { rule: "sub zero", shapes: [v3, v3], build: (g, [a, b]) => g.add(g.sub(a!, a!), b!) },
  { rule: "mul identity", shapes: [v3], build: (g, [a]) => g.mul(g.const(-1, v3), a!) },
  { rule: "mul identity", shapes: [v3, v3], build: (g, [a, b]) => g.add(g.mul(a!, g.const(0, v3)), b!) },
  { rule: "div const", shapes: [v3], build: (g, [a]) => g.div(a!, g.const(4, v3)) },
  { rule: "const first", shapes: [v3], build: (g, [a]) => g.mul(a!, g.const(3, v3)) },
  { rule: "merge const factors", shapes: [v3], build: (g, [a]) => g.mul(g.const(2, v3), g.mul(g.const(3, v3), a!)) },
  { rule: "double negation", shapes: [v3], build: (g, [a]) => g.neg(g.neg(a!)) },
  { rule: "negation out of sum", shapes: [v3], build: (g, [a]) => g.sum(g.neg(a!)) },
  { rule: "negation out of broadcast", shapes: [v3, []], build: (g, [a, s]) => g.mul(a!, g.broadcast(g.neg(s!), v3)) },
  { rule: "negated difference", shapes: [v3, v3], build: (g, [a, b]) => g.neg(g.sub(a!, b!)) },
  { rule: "sigmoid of negation", shapes: [v3], build: (g, [a]) => g.unary("sigmoid", g.neg(a!)) },
  { rule: "pull negation out of mul", shapes: [v3, v3], build: (g, [a, b]) => g.mul(g.neg(a!), b!) },
  { rule: "negation into sub", shapes: [v3, v3], build: (g, [a, b]) => g.add(a!, g.neg(b!)) },
  { rule: "factor common term", shapes: [v3, v3, v3], build: (g, [a, b, c]) => g.sub(g.mul(a!, c!), g.mul(b!, c!)) },
  { rule: "sum of broadcast", shapes: [[]], build: (g, [s]) => g.sum(g.broadcast(s!, v3)) },
  { rule: "scalar out of sum", shapes: [[], v3], build: (g, [s, a]) => g.sum(g.mul(g.broadcast(s!, v3), a!)) },
  { rule: "elementwise of broadcasts", shapes: [[], []], build: (g, [s, t]) => g.div(g.broadcast(s!, v3), g.broadcast(t!, v3)) },
  { rule: "stable log sigmoid", shapes: [v3], build: (g, [a]) => g.unary("log", g.unary("sigmoid", a!)) },
  { rule: "stable log sigmoid", shapes: [v3], build: (g, [a]) => g.unary("log", g.sub(g.const(1, v3), g.unary("sigmoid", a!))) },
  { rule: "stable log softmax", shapes: [v3], build: (g, [a]) => g.unary("log", g.node("softmax", [a!])) },
  { rule: "stable log softmax", shapes: [v3], build: (g, [a]) => g.unary("log", g.unary("exp", a!)) },
  { rule: "stable logsumexp", shapes: [v3], build: (g, [a]) => g.unary("log", g.sum(g.unary("exp", a!))) },
  { rule: "reshape of reshape", shapes: [[2, 3]], build: (g, [a]) => g.node("reshape", [g.node("reshape", [a!], { shape: "3x2" })], { shape: "6" }) },
  { rule: "reshape of reshape", shapes: [[2, 3]], build: (g, [a]) => g.node("reshape", [g.node("reshape", [a!], { shape: "6" })], { shape: "2x3" }) },
  { rule: "reshape to its shape", shapes: [[2, 3]], build: (g, [a]) => g.node("reshape", [a!], { shape: "2x3" }) },
  {
    rule: "cross-entropy of sigmoid",
    shapes: [v3, v3],
    build: (g, [z, y]) => {
      const p = g.unary("sigmoid", z!);
      const one = g.const(1, v3);
      return g.add(g.mul(y!, g.unary("log", p)), g.mul(g.sub(one, y!), g.unary("log", g.sub(one, p))));
    },
  },
];

const STABILITY = new Set(STABILITY_RULES.map((r) => r.name));

describe("rewrite rules", () => {
  it.each(CASES.map((c, i) => [`${c.rule} #${i}`, c] as const))("%s: fires and keeps the value", (_label, c) => {
    const g = newGraph();
    const random = testRandom(29);
    const params = c.shapes.map((s, i) => g.param(`p${i}`, s));
    const values = new Map(c.shapes.map((s, i) => [`p${i}`, Float64Array.from({ length: sizeOf(s) }, () => random() * 4 - 2)]));
    const root = c.build(g, params);
    const { roots, stats } = rewrite(g, [root], STABILITY.has(c.rule) ? STABILITY_RULES : RULES);
    expect(stats.rewrites[c.rule] ?? 0).toBeGreaterThan(0);
    const before = evaluate([root], { values }).get(root.id)!;
    const after = evaluate(roots, { values }).get(roots[0]!.id)!;
    expect(roots[0]!.shape).toEqual(root.shape);
    before.forEach((x, k) => expect(relError(after[k]!, x)).toBeLessThan(1e-12));
  });

  it("each have a case here", () => {
    const covered = new Set(CASES.map((c) => c.rule));
    expect([...RULES, ...STABILITY_RULES].map((r) => r.name).filter((name) => !covered.has(name))).toEqual([]);
  });

  it("fold constants without evaluating more than a bounded number of elements", () => {
    // Σ of a constant of 10¹⁰ elements: evaluating it would allocate 80 GB (here: fail at once).
    const g = newGraph();
    const root = g.sum(g.const(0.5, [100_000, 100_000]));
    const { roots } = rewrite(g, [root]);
    expect(roots[0]!.op).toBe("sum");
  });
});
