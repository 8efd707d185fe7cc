// Simplification rules as data: one row per identity, the identity as its comment.
// A rule looks at one node (whose inputs are already simplified) and returns a
// replacement built through the graph, or undefined. `simplify` runs them to a fixed point.

import type { Graph } from "../ir/graph.js";
import { type Node, sameShape, sizeOf } from "../ir/node.js";
import { opDef } from "../ops/registry.js";

export interface Rule {
  name: string;
  apply(node: Node, graph: Graph): Node | undefined;
}

/** The value of a constant node (all elements equal), or undefined. */
export function constValue(node: Node): number | undefined {
  if (node.op === "const") return Number(node.attrs["value"]);
  if (node.op === "broadcast" && node.inputs[0]!.op === "const") return Number(node.inputs[0]!.attrs["value"]);
  return undefined;
}

const isConst = (n: Node, v: number) => constValue(n) === v;
const [A, B] = [0, 1];
const arg = (n: Node, i: number) => n.inputs[i]!;

/** The most elements constant folding evaluates (inputs and output together): a fold is never a large allocation. */
const MAX_FOLDED_ELEMENTS = 100_000;

/** Folds an op whose inputs are all constants, via the op's own evaluation. */
function foldConstants(node: Node, graph: Graph): Node | undefined {
  if (node.inputs.length === 0 || !node.inputs.every((i) => i.op === "const")) return undefined;
  if ([node, ...node.inputs].reduce((n, x) => n + sizeOf(x.shape), 0) > MAX_FOLDED_ELEMENTS) return undefined;
  const def = opDef(node.op);
  const values = node.inputs.map((i) => new Float64Array(sizeOf(i.shape)).fill(Number(i.attrs["value"])));
  let out: Float64Array;
  if (def.kind === "elementwise") {
    out = new Float64Array(sizeOf(node.shape));
    for (let k = 0; k < out.length; k++) out[k] = def.scalar(values.map((v) => v[k]!), node.attrs);
  } else if (def.kind === "indexmap" || def.kind === "structural") {
    out = def.evaluate(values, node.attrs, node.inputs.map((i) => i.shape), node.shape);
  } else {
    return undefined;
  }
  const first = out[0]!;
  if (!out.every((v) => Object.is(v, first) || v === first)) return undefined;
  return graph.const(first, node.shape);
}

function sameFactor(a: Node, b: Node): [Node, Node, Node] | undefined {
  // a = p*c, b = q*c (in either operand order) -> [p, q, c]
  if (a.op !== "mul" || b.op !== "mul") return undefined;
  for (const i of [0, 1]) {
    for (const j of [0, 1]) {
      if (arg(a, i) === arg(b, j)) return [arg(a, 1 - i), arg(b, 1 - j), arg(a, i)];
    }
  }
  return undefined;
}

/** y · log σ(z) + (1 − y) · log(1 − σ(z)), in either order of the two terms -> [y, z]. */
function matchBinaryCrossEntropy(n: Node): [Node, Node] | undefined {
  if (n.op !== "add") return undefined;
  for (const [t1, t2] of [
    [arg(n, A), arg(n, B)],
    [arg(n, B), arg(n, A)],
  ] as const) {
    if (t1.op !== "mul" || t2.op !== "mul") continue;
    const [y, logP] = arg(t1, A).op === "log" ? [arg(t1, B), arg(t1, A)] : [arg(t1, A), arg(t1, B)];
    if (logP.op !== "log" || arg(logP, A).op !== "sigmoid") continue;
    const sig = arg(logP, A);
    const [oneMinusY, logQ] = arg(t2, A).op === "log" ? [arg(t2, B), arg(t2, A)] : [arg(t2, A), arg(t2, B)];
    if (logQ.op !== "log") continue;
    const q = arg(logQ, A);
    const isOneMinus = (m: Node, v: Node) => m.op === "sub" && isConst(arg(m, A), 1) && arg(m, B) === v;
    if (isOneMinus(oneMinusY, y) && isOneMinus(q, sig)) return [y, arg(sig, A)];
  }
  return undefined;
}

/**
 * Numerically stable forms, applied to the forward graph before differentiation so that the
 * derivative is taken of the stable form (log σ(z) differentiates to 1 − σ(z), not σ'/σ).
 */
export const STABILITY_RULES: Rule[] = [
  // y log σ(z) + (1 − y) log(1 − σ(z)) -> y z − softplus(z): cross-entropy from logits
  {
    name: "cross-entropy of sigmoid",
    apply: (n, g) => {
      const m = matchBinaryCrossEntropy(n);
      return m ? g.sub(g.mul(m[0], m[1]), g.unary("softplus", m[1])) : undefined;
    },
  },
];

export const RULES: Rule[] = [
  { name: "fold constants", apply: foldConstants },
  // broadcast(c) -> c as a tensor constant
  { name: "broadcast const", apply: (n, g) => (n.op === "broadcast" && arg(n, A).op === "const" ? g.const(constValue(n)!, n.shape) : undefined) },
  // x + 0 -> x ; 0 + x -> x
  { name: "add zero", apply: (n) => (n.op === "add" ? (isConst(arg(n, B), 0) ? arg(n, A) : isConst(arg(n, A), 0) ? arg(n, B) : undefined) : undefined) },
  // x - 0 -> x ; 0 - x -> −x ; x − x -> 0
  {
    name: "sub zero",
    apply: (n, g) => {
      if (n.op !== "sub") return undefined;
      if (isConst(arg(n, B), 0)) return arg(n, A);
      if (isConst(arg(n, A), 0)) return g.neg(arg(n, B));
      if (arg(n, A) === arg(n, B)) return g.const(0, n.shape);
      return undefined;
    },
  },
  // x * 1 -> x ; x * 0 -> 0 ; x * −1 -> −x
  {
    name: "mul identity",
    apply: (n, g) => {
      if (n.op !== "mul") return undefined;
      for (const [c, x] of [
        [arg(n, A), arg(n, B)],
        [arg(n, B), arg(n, A)],
      ] as const) {
        if (isConst(c, 1)) return x;
        if (isConst(c, 0)) return g.const(0, n.shape);
        if (isConst(c, -1)) return g.neg(x);
      }
      return undefined;
    },
  },
  // x / 1 -> x ; x / c -> (1/c) * x
  {
    name: "div const",
    apply: (n, g) => {
      if (n.op !== "div") return undefined;
      const c = constValue(arg(n, B));
      if (c === undefined) return undefined;
      return c === 1 ? arg(n, A) : g.mul(g.const(1 / c, n.shape), arg(n, A));
    },
  },
  // x * c -> c * x (constants first, so later rules see one form)
  { name: "const first", apply: (n, g) => (n.op === "mul" && constValue(arg(n, B)) !== undefined && constValue(arg(n, A)) === undefined ? g.mul(arg(n, B), arg(n, A)) : undefined) },
  // a * (b * x) -> (a b) * x for constants a, b
  {
    name: "merge const factors",
    apply: (n, g) => {
      if (n.op !== "mul") return undefined;
      const a = constValue(arg(n, A));
      const inner = arg(n, B);
      if (a === undefined || inner.op !== "mul") return undefined;
      const b = constValue(arg(inner, A));
      return b === undefined ? undefined : g.mul(g.const(a * b, n.shape), arg(inner, B));
    },
  },
  // −(−x) -> x
  { name: "double negation", apply: (n) => (n.op === "neg" && arg(n, A).op === "neg" ? arg(arg(n, A), A) : undefined) },
  // Σ(−x) -> −Σx ; broadcast(−s) -> −broadcast(s): negations move outward, where they cancel
  { name: "negation out of sum", apply: (n, g) => (n.op === "sum" && arg(n, A).op === "neg" ? g.neg(g.sum(arg(arg(n, A), A))) : undefined) },
  {
    name: "negation out of broadcast",
    apply: (n, g) => (n.op === "broadcast" && arg(n, A).op === "neg" ? g.neg(g.broadcast(arg(arg(n, A), A), n.shape)) : undefined),
  },
  // −(a − b) -> b − a
  { name: "negated difference", apply: (n, g) => (n.op === "neg" && arg(n, A).op === "sub" ? g.sub(arg(arg(n, A), B), arg(arg(n, A), A)) : undefined) },
  // σ(−z) -> 1 − σ(z): shares the forward σ(z)
  { name: "sigmoid of negation", apply: (n, g) => (n.op === "sigmoid" && arg(n, A).op === "neg" ? g.sub(g.const(1, n.shape), g.unary("sigmoid", arg(arg(n, A), A))) : undefined) },
  // (−a) * b -> −(a b) ; a * (−b) -> −(a b)
  {
    name: "pull negation out of mul",
    apply: (n, g) => {
      if (n.op !== "mul") return undefined;
      if (arg(n, A).op === "neg") return g.neg(g.mul(arg(arg(n, A), A), arg(n, B)));
      if (arg(n, B).op === "neg") return g.neg(g.mul(arg(n, A), arg(arg(n, B), A)));
      return undefined;
    },
  },
  // a + (−b) -> a − b ; (−a) + b -> b − a ; a − (−b) -> a + b
  {
    name: "negation into sub",
    apply: (n, g) => {
      if (n.op === "add" && arg(n, B).op === "neg") return g.sub(arg(n, A), arg(arg(n, B), A));
      if (n.op === "add" && arg(n, A).op === "neg") return g.sub(arg(n, B), arg(arg(n, A), A));
      if (n.op === "sub" && arg(n, B).op === "neg") return g.add(arg(n, A), arg(arg(n, B), A));
      return undefined;
    },
  },
  // p c ± q c -> (p ± q) c
  {
    name: "factor common term",
    apply: (n, g) => {
      if (n.op !== "add" && n.op !== "sub") return undefined;
      const f = sameFactor(arg(n, A), arg(n, B));
      if (!f) return undefined;
      const [p, q, c] = f;
      return g.mul(n.op === "add" ? g.add(p, q) : g.sub(p, q), c);
    },
  },
  // Σ broadcast(s) -> (n / |s|) Σ s   (n s for a scalar s)
  {
    name: "sum of broadcast",
    apply: (n, g) => {
      if (n.op !== "sum" || arg(n, A).op !== "broadcast") return undefined;
      const s = arg(arg(n, A), A);
      return g.mul(g.const(sizeOf(arg(n, A).shape) / sizeOf(s.shape)), g.sum(s));
    },
  },
  // Σ (broadcast(s) x) -> s Σ x : scalar factors leave sums
  {
    name: "scalar out of sum",
    apply: (n, g) => {
      if (n.op !== "sum" || arg(n, A).op !== "mul") return undefined;
      const m = arg(n, A);
      for (const i of [0, 1]) {
        const s = arg(m, i);
        if (s.op === "broadcast" && arg(s, A).shape.length === 0) return g.mul(arg(s, A), g.sum(arg(m, 1 - i)));
        const c = constValue(s);
        if (c !== undefined && s.op === "const") return g.mul(g.const(c), g.sum(arg(m, 1 - i)));
      }
      return undefined;
    },
  },
  // broadcast(a) ∘ broadcast(b) -> broadcast(a ∘ b): scalar work instead of vector work
  {
    name: "elementwise of broadcasts",
    apply: (n, g) => {
      if (!["add", "sub", "mul", "div"].includes(n.op)) return undefined;
      const [a, b] = [arg(n, A), arg(n, B)];
      if (a.op === "broadcast" && b.op === "broadcast" && sameShape(arg(a, A).shape, arg(b, A).shape)) return g.broadcast(g.node(n.op, [arg(a, A), arg(b, A)]), n.shape);
      return undefined;
    },
  },
  // log σ(z) -> −softplus(−z) ; log(1 − σ(z)) -> −softplus(z): stable at any z
  {
    name: "stable log sigmoid",
    apply: (n, g) => {
      if (n.op !== "log") return undefined;
      const x = arg(n, A);
      if (x.op === "sigmoid") return g.neg(g.unary("softplus", g.neg(arg(x, A))));
      if (x.op === "sub" && isConst(arg(x, A), 1) && arg(x, B).op === "sigmoid") return g.neg(g.unary("softplus", arg(arg(x, B), A)));
      return undefined;
    },
  },
  // log softmax(z) -> logsoftmax(z) ; log exp x -> x
  {
    name: "stable log softmax",
    apply: (n, g) => {
      if (n.op !== "log") return undefined;
      const x = arg(n, A);
      if (x.op === "softmax") return g.node("logsoftmax", [arg(x, A)]);
      if (x.op === "exp") return arg(x, A);
      return undefined;
    },
  },
  // reshape(reshape(x)) -> reshape(x) ; reshape(x) to x's own shape -> x: a view of a view is one view
  {
    name: "reshape of reshape",
    apply: (n, g) => (n.op === "reshape" && arg(n, A).op === "reshape" ? g.node("reshape", [arg(arg(n, A), A)], n.attrs) : undefined),
  },
  { name: "reshape to its shape", apply: (n) => (n.op === "reshape" && sameShape(arg(n, A).shape, n.shape) ? arg(n, A) : undefined) },
  // log Σ exp(z) -> logsumexp(z)
  {
    name: "stable logsumexp",
    // (logsumexp takes the exponent z, not exp(z): tests/robustness/numerics.test.ts)
    apply: (n, g) => {
      if (n.op !== "log" || arg(n, A).op !== "sum") return undefined;
      const e = arg(arg(n, A), A);
      return e.op === "exp" && e.shape.length === 1 ? g.node("logsumexp", [arg(e, A)]) : undefined;
    },
  },
];
