// Every rewrite rule (RULES and STABILITY_RULES in compiler/passes/rules.ts) on literal graphs
// built by hand: one row per case, the rule, the input, and the exact replacement (or `leaves`:
// the rule must not fire). Each replacement must keep the value at random inputs, and the
// stable forms must stay finite and exact at inputs where the form as written overflows
// (z = ±40, ±800). A rule without a row of each kind fails the coverage test.
//
//   rewrites("mul identity", ({ g, a }) => g.mul(a, g.const(1)), "a")

import { describe, expect, it } from "vitest";
import type { Graph } from "../../compiler/ir/graph.js";
import { type Node, sizeOf, topoOrder } from "../../compiler/ir/node.js";
import { evaluate } from "../../compiler/interpret.js";
import { newGraph } from "../../compiler/ops/registry.js";
import { RULES, STABILITY_RULES } from "../../compiler/passes/rules.js";
import { relError, testRandom } from "../helpers/fd.js";
import { expression } from "../helpers/graph-text.js";

/** The leaves rows are built from: vectors a, b, c, z of 3, scalars s, t, a target y[3], a matrix W[2, 3]. */
interface Leaves {
  g: Graph;
  a: Node;
  b: Node;
  c: Node;
  z: Node;
  s: Node;
  t: Node;
  y: Node;
  W: Node;
}

function leaves(): Leaves {
  const g = newGraph();
  return {
    g,
    a: g.param("a", [3]),
    b: g.param("b", [3]),
    c: g.param("c", [3]),
    z: g.param("z", [3]),
    s: g.param("s", []),
    t: g.param("t", []),
    y: g.input("y", [3], "target"),
    W: g.param("W", [2, 3]),
  };
}

/** Values of the leaves (by name) where the replacement must equal an exact value. */
interface Extreme {
  at: Record<string, number[]>;
  /** The exact value, written out or from Math in the test (never from the compiler). */
  expected: number[];
}

interface Row {
  rule: string;
  input: (l: Leaves) => Node;
  /** The replacement as `expression` writes it; undefined: the rule must leave the input alone. */
  expected?: string;
  extremes?: Extreme[];
  /** The input as written is not finite at the first extreme point (the reason for the rule). */
  writtenOverflows?: boolean;
}

const rewrites = (rule: string, input: Row["input"], expected: string, more: Partial<Row> = {}): Row => ({ rule, input, expected, ...more });
const leavesAlone = (rule: string, input: Row["input"]): Row => ({ rule, input });

/** log(1 + e^−|v|), the part of softplus that vanishes at large |v| (Math, not the compiler). */
const tail = (v: number) => Math.log1p(Math.exp(-Math.abs(v)));
const one = (l: Leaves) => l.g.const(1);

const ROWS: Row[] = [
  rewrites("fold constants", ({ g }) => g.add(g.const(2), g.const(3)), "5"),
  rewrites("fold constants", ({ g }) => g.unary("exp", g.const(0, [3])), "1:[3]"),
  rewrites("fold constants", ({ g }) => g.sum(g.const(2, [3])), "6"),
  rewrites("fold constants", ({ g }) => g.node("softmax", [g.const(0, [4])]), "0.25:[4]"),
  leavesAlone("fold constants", ({ g, a }) => g.add(a, g.const(2, [3]))),
  // Not one value: a constant tensor holds a single value.
  leavesAlone("fold constants", ({ g }) => g.node("onehot", [g.const(1, [1])], { n: 3 })),
  leavesAlone("fold constants", ({ g }) => g.unary("exp", g.const(0, [100_001]))),
  // Bounded by its inputs too: Σ of a constant of 10¹⁰ elements, evaluated, would allocate 80 GB.
  leavesAlone("fold constants", ({ g }) => g.sum(g.const(0.5, [100_000, 100_000]))),

  rewrites("reshape of reshape", ({ g, W }) => g.node("reshape", [g.node("reshape", [W], { shape: "3x2" })], { shape: "6" }), "reshape[shape=6](W)"),
  leavesAlone("reshape of reshape", ({ g, W }) => g.node("reshape", [W], { shape: "6" })),
  rewrites("reshape to its shape", ({ g, W }) => g.node("reshape", [W], { shape: "2x3" }), "W"),
  leavesAlone("reshape to its shape", ({ g, W }) => g.node("reshape", [W], { shape: "3x2" })),

  rewrites("broadcast const", ({ g }) => g.broadcast(g.const(2), [3]), "2:[3]"),
  leavesAlone("broadcast const", ({ g, s }) => g.broadcast(s, [3])),

  rewrites("add zero", ({ g, a }) => g.add(a, g.const(0)), "a"),
  rewrites("add zero", ({ g, a }) => g.add(g.const(0, [3]), a), "a"),
  leavesAlone("add zero", ({ g, a }) => g.add(a, g.const(1, [3]))),

  rewrites("sub zero", ({ g, a }) => g.sub(a, g.const(0, [3])), "a"),
  rewrites("sub zero", ({ g, a }) => g.sub(g.const(0), a), "neg(a)"),
  rewrites("sub zero", ({ g, a }) => g.sub(a, a), "0:[3]"),
  leavesAlone("sub zero", ({ g, a, b }) => g.sub(a, b)),

  rewrites("mul identity", ({ g, a }) => g.mul(a, g.const(1)), "a"),
  rewrites("mul identity", ({ g, a }) => g.mul(g.const(1, [3]), a), "a"),
  rewrites("mul identity", ({ g, a }) => g.mul(a, g.const(0, [3])), "0:[3]"),
  rewrites("mul identity", ({ g, a }) => g.mul(g.const(-1), a), "neg(a)"),
  leavesAlone("mul identity", ({ g, a }) => g.mul(g.const(2), a)),

  rewrites("div const", ({ g, a }) => g.div(a, g.const(1)), "a"),
  rewrites("div const", ({ g, a }) => g.div(a, g.const(4, [3])), "mul(0.25:[3], a)"),
  rewrites("div const", ({ g, a }) => g.div(a, g.const(-2)), "mul(-0.5:[3], a)"),
  leavesAlone("div const", ({ g, a, b }) => g.div(a, b)),
  leavesAlone("div const", ({ g, a }) => g.div(g.const(2, [3]), a)),

  rewrites("const first", ({ g, a }) => g.mul(a, g.const(2, [3])), "mul(2:[3], a)"),
  rewrites("const first", ({ g, s }) => g.mul(s, g.const(2)), "mul(2, s)"),
  leavesAlone("const first", ({ g, a }) => g.mul(g.const(2, [3]), a)),
  leavesAlone("const first", ({ g }) => g.mul(g.const(3, [3]), g.const(2, [3]))),

  rewrites("merge const factors", ({ g, a }) => g.mul(g.const(2, [3]), g.mul(g.const(3, [3]), a)), "mul(6:[3], a)"),
  rewrites("merge const factors", ({ g, a }) => g.mul(g.const(0.5), g.mul(g.const(4), a)), "mul(2:[3], a)"),
  leavesAlone("merge const factors", ({ g, a }) => g.mul(g.const(2, [3]), g.mul(a, g.const(3, [3])))),
  leavesAlone("merge const factors", ({ g, a, b }) => g.mul(a, g.mul(g.const(3, [3]), b))),

  rewrites("double negation", ({ g, a }) => g.neg(g.neg(a)), "a"),
  leavesAlone("double negation", ({ g, a }) => g.neg(a)),

  rewrites("negation out of sum", ({ g, a }) => g.sum(g.neg(a)), "neg(sum(a))"),
  leavesAlone("negation out of sum", ({ g, a }) => g.sum(a)),

  rewrites("negation out of broadcast", ({ g, s }) => g.broadcast(g.neg(s), [3]), "neg(broadcast:[3](s))"),
  leavesAlone("negation out of broadcast", ({ g, s }) => g.broadcast(s, [3])),

  rewrites("negated difference", ({ g, a, b }) => g.neg(g.sub(a, b)), "sub(b, a)"),
  leavesAlone("negated difference", ({ g, a, b }) => g.neg(g.add(a, b))),

  rewrites("sigmoid of negation", ({ g, z }) => g.unary("sigmoid", g.neg(z)), "sub(1:[3], sigmoid(z))"),
  leavesAlone("sigmoid of negation", ({ g, z }) => g.unary("sigmoid", z)),

  rewrites("pull negation out of mul", ({ g, a, b }) => g.mul(g.neg(a), b), "neg(mul(a, b))"),
  rewrites("pull negation out of mul", ({ g, a, b }) => g.mul(a, g.neg(b)), "neg(mul(a, b))"),
  leavesAlone("pull negation out of mul", ({ g, a, b }) => g.mul(a, b)),

  rewrites("negation into sub", ({ g, a, b }) => g.add(a, g.neg(b)), "sub(a, b)"),
  rewrites("negation into sub", ({ g, a, b }) => g.add(g.neg(a), b), "sub(b, a)"),
  rewrites("negation into sub", ({ g, a, b }) => g.sub(a, g.neg(b)), "add(a, b)"),
  leavesAlone("negation into sub", ({ g, a, b }) => g.sub(g.neg(a), b)),

  rewrites("factor common term", ({ g, a, b, c }) => g.add(g.mul(a, c), g.mul(b, c)), "mul(add(a, b), c)"),
  rewrites("factor common term", ({ g, a, b, c }) => g.sub(g.mul(c, a), g.mul(b, c)), "mul(sub(a, b), c)"),
  leavesAlone("factor common term", ({ g, a, b, c, z }) => g.add(g.mul(a, b), g.mul(c, z))),
  leavesAlone("factor common term", ({ g, a, b, c }) => g.add(g.mul(a, c), g.div(b, c))),

  rewrites("sum of broadcast", ({ g, s }) => g.sum(g.broadcast(s, [3])), "mul(3, s)"),
  rewrites("sum of broadcast", ({ g, s }) => g.sum(g.broadcast(s, [2, 3])), "mul(6, s)"),
  leavesAlone("sum of broadcast", ({ g, a }) => g.sum(a)),

  rewrites("scalar out of sum", ({ g, s, a }) => g.sum(g.mul(g.broadcast(s, [3]), a)), "mul(s, sum(a))"),
  rewrites("scalar out of sum", ({ g, s, a }) => g.sum(g.mul(a, g.broadcast(s, [3]))), "mul(s, sum(a))"),
  rewrites("scalar out of sum", ({ g, a }) => g.sum(g.mul(a, g.const(2, [3]))), "mul(2, sum(a))"),
  leavesAlone("scalar out of sum", ({ g, a, b }) => g.sum(g.mul(a, b))),
  leavesAlone("scalar out of sum", ({ g, s, a }) => g.sum(g.add(g.broadcast(s, [3]), a))),

  rewrites("elementwise of broadcasts", ({ g, s, t }) => g.add(g.broadcast(s, [3]), g.broadcast(t, [3])), "broadcast:[3](add(s, t))"),
  rewrites("elementwise of broadcasts", ({ g, s, t }) => g.div(g.broadcast(s, [2, 3]), g.broadcast(t, [2, 3])), "broadcast:[2, 3](div(s, t))"),
  leavesAlone("elementwise of broadcasts", ({ g, s, a }) => g.mul(g.broadcast(s, [3]), a)),
  leavesAlone("elementwise of broadcasts", ({ g, s }) => g.unary("exp", g.broadcast(s, [3]))),

  rewrites("stable log sigmoid", ({ g, z }) => g.unary("log", g.unary("sigmoid", z)), "neg(softplus(neg(z)))", {
    extremes: [
      { at: { z: [-800, -40, 40] }, expected: [-800, -40 - tail(40), -tail(40)] },
      { at: { z: [0, 0, 0] }, expected: [-Math.LN2, -Math.LN2, -Math.LN2] },
    ],
    writtenOverflows: true,
  }),
  rewrites("stable log sigmoid", (l) => l.g.unary("log", l.g.sub(one(l), l.g.unary("sigmoid", l.z))), "neg(softplus(z))", {
    extremes: [{ at: { z: [800, 40, -40] }, expected: [-800, -40 - tail(40), -tail(40)] }],
    writtenOverflows: true,
  }),
  leavesAlone("stable log sigmoid", ({ g, z }) => g.unary("log", g.sub(g.const(2), g.unary("sigmoid", z)))),
  leavesAlone("stable log sigmoid", ({ g, z }) => g.unary("log", g.unary("tanh", z))),

  rewrites("stable log softmax", ({ g, z }) => g.unary("log", g.node("softmax", [z])), "logsoftmax(z)", {
    extremes: [
      { at: { z: [1000, 0, -1000] }, expected: [0, -1000, -2000] },
      { at: { z: [40, -40, 0] }, expected: [40, -40, 0].map((v) => v - 40 - Math.log1p(Math.exp(-80) + Math.exp(-40))) },
    ],
    writtenOverflows: true,
  }),
  rewrites("stable log softmax", ({ g, z }) => g.unary("log", g.unary("exp", z)), "z", {
    extremes: [{ at: { z: [1000, -1000, 40] }, expected: [1000, -1000, 40] }],
    writtenOverflows: true,
  }),
  leavesAlone("stable log softmax", ({ g, z }) => g.unary("log", g.unary("sigmoid", z))),

  rewrites("stable logsumexp", ({ g, z }) => g.unary("log", g.sum(g.unary("exp", z))), "logsumexp(z)", {
    extremes: [
      { at: { z: [800, 800, 800] }, expected: [800 + Math.log(3)] },
      { at: { z: [-800, -800, -800] }, expected: [-800 + Math.log(3)] },
      { at: { z: [40, -40, 0] }, expected: [40 + Math.log1p(Math.exp(-80) + Math.exp(-40))] },
    ],
    writtenOverflows: true,
  }),
  // Only vectors: logsumexp is a vector op.
  leavesAlone("stable logsumexp", ({ g, W }) => g.unary("log", g.sum(g.unary("exp", W)))),
  leavesAlone("stable logsumexp", ({ g, z }) => g.unary("log", g.sum(z))),

  // y log σ(z) + (1 − y) log(1 − σ(z)) = y z − softplus(z)
  ...crossEntropyRows(),
];

function crossEntropyRows(): Row[] {
  const rule = "cross-entropy of sigmoid";
  const parts = ({ g, y, z }: Leaves) => {
    const sig = g.unary("sigmoid", z);
    return { pos: g.mul(y, g.unary("log", sig)), neg: g.mul(g.sub(g.const(1), y), g.unary("log", g.sub(g.const(1), sig))) };
  };
  // Per element y z − softplus(z) at y = (1, 0, 1): z − z − tail, −tail, z − tail (for z = 40, −40, −40).
  const extremes: Extreme[] = [
    { at: { y: [1, 0, 1], z: [40, -40, -40] }, expected: [-tail(40), -tail(40), -40 - tail(40)] },
    { at: { y: [1, 0, 1], z: [800, -800, -800] }, expected: [-0, -0, -800] },
  ];
  const expected = "sub(mul(y, z), softplus(z))";
  return [
    rewrites(rule, (l) => l.g.add(parts(l).pos, parts(l).neg), expected, { extremes, writtenOverflows: true }),
    rewrites(rule, (l) => l.g.add(parts(l).neg, parts(l).pos), expected, { extremes }),
    // Operands of each product in the other order.
    rewrites(
      rule,
      ({ g, y, z }) => {
        const sig = g.unary("sigmoid", z);
        return g.add(g.mul(g.unary("log", sig), y), g.mul(g.unary("log", g.sub(g.const(1), sig)), g.sub(g.const(1), y)));
      },
      expected,
      { extremes },
    ),
    // (1 − a) is not (1 − y): not a cross-entropy.
    leavesAlone(rule, ({ g, y, z, a }) => {
      const sig = g.unary("sigmoid", z);
      return g.add(g.mul(y, g.unary("log", sig)), g.mul(g.sub(g.const(1), a), g.unary("log", g.sub(g.const(1), sig))));
    }),
    // log(1 − σ(a)) is not log(1 − σ(z)).
    leavesAlone(rule, ({ g, y, z, a }) =>
      g.add(g.mul(y, g.unary("log", g.unary("sigmoid", z))), g.mul(g.sub(g.const(1), y), g.unary("log", g.sub(g.const(1), g.unary("sigmoid", a)))))),
    leavesAlone(rule, ({ g, y, z }) => g.add(g.mul(y, g.unary("log", g.unary("sigmoid", z))), y)),
  ];
}

const ALL_RULES = [...RULES, ...STABILITY_RULES];

function ruleNamed(name: string) {
  const rule = ALL_RULES.find((r) => r.name === name);
  if (!rule) throw new Error(`no rule named '${name}'`);
  return rule;
}

/** Random values in [−2, 2] for every parameter and input under `roots`, by name. */
function randomValues(roots: readonly Node[], seed: number, fixed: Record<string, number[]> = {}): Map<string, Float64Array> {
  const random = testRandom(seed);
  const values = new Map<string, Float64Array>();
  for (const node of topoOrder(roots)) {
    if (node.op !== "param" && node.op !== "input") continue;
    const name = String(node.attrs["name"]);
    values.set(name, fixed[name] ? Float64Array.from(fixed[name]) : Float64Array.from({ length: sizeOf(node.shape) }, () => random() * 4 - 2));
  }
  return values;
}

describe("rewrite rules, one row per case", () => {
  it.each(ROWS.map((row, i) => [`${row.rule}: ${row.expected === undefined ? "leaves" : "rewrites"} #${i}`, row] as const))("%s", (_label, row) => {
    const l = leaves();
    const input = row.input(l);
    const out = ruleNamed(row.rule).apply(input, l.g);
    if (row.expected === undefined) {
      expect(out === undefined || out === input, `rewrote ${expression(input)} to ${out && expression(out)}`).toBe(true);
      return;
    }
    expect(out, `did not rewrite ${expression(input)}`).toBeDefined();
    expect(expression(out!)).toBe(row.expected);
    expect(out!.shape).toEqual(input.shape);

    // The value is kept, at random inputs.
    for (const seed of [1, 2, 3]) {
      const values = randomValues([input], seed);
      const v = evaluate([input, out!], { values });
      const [before, after] = [v.get(input.id)!, v.get(out!.id)!];
      before.forEach((b, k) => expect(relError(b, after[k]!), `element ${k}: ${b} before, ${after[k]} after`).toBeLessThan(1e-12));
    }
    // The stable forms: finite and exact where the written form overflows.
    for (const [k, { at, expected }] of (row.extremes ?? []).entries()) {
      const values = randomValues([input], 9, at);
      const v = evaluate([input, out!], { values });
      const after = v.get(out!.id)!;
      expect([...after], `at ${JSON.stringify(at)}`).toEqual(expected.map((e, i) => (relError(after[i]!, e) < 1e-12 ? after[i] : e)));
      expect(after.every(Number.isFinite)).toBe(true);
      if (k === 0 && row.writtenOverflows) expect(v.get(input.id)!.every(Number.isFinite), `the written form at ${JSON.stringify(at)}`).toBe(false);
    }
  });

  it("has, for every rule, a row it rewrites and a row it leaves alone", () => {
    const names = ALL_RULES.map((r) => r.name);
    expect(new Set(names).size, "rule names are unique").toBe(names.length);
    const missing = names.filter((n) => !ROWS.some((r) => r.rule === n && r.expected !== undefined) || !ROWS.some((r) => r.rule === n && r.expected === undefined));
    expect(missing, "rules without both kinds of rows").toEqual([]);
    const stale = ROWS.filter((r) => !names.includes(r.rule)).map((r) => r.rule);
    expect(stale, "rows naming no rule").toEqual([]);
  });
});
