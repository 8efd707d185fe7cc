// Example uses of every op of the table (shapes, attributes, the domain of each operand), shared
// by the tests of derivative rules (tests/op-gradients.test.ts) and of lowerings
// (tests/lower/op-lowering.test.ts). A new op gets its rows here.

import type { Graph } from "../../compiler/ir/graph.js";
import type { Node, Shape } from "../../compiler/ir/node.js";

export type Domain = "any" | "positive" | "nonzero" | "unit";

export interface Case {
  op: string;
  shapes: Shape[];
  domain?: Domain[];
  build(g: Graph, args: Node[]): Node;
}

const v3: Shape = [3];
const un = (op: string, domain: Domain = "any", attrs = {}): Case => ({ op, shapes: [v3], domain: [domain], build: (g, [a]) => g.unary(op, a!, attrs) });
const bin = (op: "add" | "sub" | "mul" | "div"): Case => ({
  op,
  shapes: [v3, v3],
  domain: ["any", op === "div" ? "nonzero" : "any"],
  build: (g, [a, b]) => g[op](a!, b!),
});

/** Convolutions over every window setting: strides 1 and 2, both paddings, dilation, non-square kernels, channel counts. */
const WINDOWS = [
  { sh: 1, sw: 1, dh: 1, dw: 1, padding: "valid" },
  { sh: 2, sw: 1, dh: 1, dw: 1, padding: "valid" },
  { sh: 1, sw: 1, dh: 1, dw: 1, padding: "same" },
  { sh: 2, sw: 2, dh: 1, dw: 1, padding: "same" },
  { sh: 1, sw: 1, dh: 2, dw: 1, padding: "valid" },
  { sh: 1, sw: 2, dh: 1, dw: 2, padding: "same" },
] as const;
const CONV_CASES: Case[] = WINDOWS.flatMap((w, i): Case[] => {
  const [H, W, C, F] = [5 + (i % 2), 6, 1 + (i % 3), 2 + (i % 2)];
  const [kh, kw] = i % 2 === 0 ? [3, 2] : [2, 3];
  const conv = (g: Graph, x: Node, k: Node) => g.node("conv2d", [x, k], w);
  // The backprop ops get an upstream value that depends on the parameters too (y ⊙ y), so both operands are checked.
  const squared = (g: Graph, x: Node, k: Node) => g.mul(conv(g, x, k), conv(g, x, k));
  return [
    { op: "conv2d", shapes: [[H, W, C], [kh, kw, C, F]], build: (g, [x, k]) => conv(g, x!, k!) },
    {
      op: "conv2d_backprop_input",
      shapes: [[H, W, C], [kh, kw, C, F]],
      build: (g, [x, k]) => g.node("conv2d_backprop_input", [squared(g, x!, k!), k!], { ...w, shape: `${H}x${W}x${C}` }),
    },
    { op: "im2col", shapes: [[H, W, C]], build: (g, [x]) => g.node("im2col", [x!], { ...w, kh, kw }) },
    {
      op: "col2im",
      shapes: [[H, W, C]],
      build: (g, [x]) => g.node("col2im", [g.mul(g.node("im2col", [x!], { ...w, kh, kw }), g.node("im2col", [x!], { ...w, kh, kw }))], { ...w, kh, kw, shape: `${H}x${W}x${C}` }),
    },
    {
      op: "conv2d_backprop_filter",
      shapes: [[H, W, C], [kh, kw, C, F]],
      build: (g, [x, k]) => g.node("conv2d_backprop_filter", [x!, squared(g, x!, k!)], { ...w, shape: `${kh}x${kw}x${C}x${F}` }),
    },
  ];
});
/** Pooling over both paddings and strides (odd sizes where "same" pads); max pooling on distinct values (its derivative is piecewise). */
const POOL_CASES: Case[] = (
  [
    [{ kh: 2, kw: 2, sh: 2, sw: 2, padding: "valid" }, [6, 4, 2]],
    [{ kh: 3, kw: 2, sh: 2, sw: 1, padding: "same" }, [5, 4, 2]],
    [{ kh: 2, kw: 2, sh: 1, sw: 1, padding: "same" }, [5, 3, 2]],
  ] as const
).flatMap(([w, x]): Case[] => [
  { op: "max_pool2d", shapes: [x], build: (g, [a]) => g.node("max_pool2d", [a!], w) },
  { op: "max_pool2d_grad", shapes: [x], build: (g, [a]) => g.node("max_pool2d_grad", [a!, g.mul(g.node("max_pool2d", [a!], w), g.node("max_pool2d", [a!], w))], w) },
  { op: "max_pool2d_select", shapes: [x, x], build: (g, [a, u]) => g.node("max_pool2d_select", [a!, g.mul(u!, u!)], w) },
  { op: "max_pool2d_select", shapes: [x, x], build: (g, [a, u]) => g.node("max_pool2d_select", [a!, u!], w) },
  { op: "avg_pool2d", shapes: [x], build: (g, [a]) => g.node("avg_pool2d", [a!], w) },
  { op: "avg_pool2d_grad", shapes: [x], build: (g, [a]) => g.node("avg_pool2d_grad", [g.node("avg_pool2d", [g.mul(a!, a!)], w)], { ...w, shape: x.join("x") }) },
]);

export const CASES: Case[] = [
  bin("add"),
  bin("sub"),
  bin("mul"),
  bin("div"),
  un("neg"),
  un("exp"),
  un("log", "positive"),
  un("sqrt", "positive"),
  { op: "pow", shapes: [v3], domain: ["any"], build: (g, [a]) => g.pow(a!, 2) },
  { op: "pow", shapes: [v3], domain: ["positive"], build: (g, [a]) => g.pow(a!, 2.5) },
  { op: "pow", shapes: [v3], domain: ["nonzero"], build: (g, [a]) => g.pow(a!, -1) },
  un("abs", "nonzero"),
  un("sigmoid"),
  un("tanh"),
  un("relu", "nonzero"),
  un("leaky_relu", "nonzero", { alpha: 0.2 }),
  un("elu", "nonzero", { alpha: 1.5 }),
  un("softplus"),
  un("normal_cdf"),
  un("clip", "any", { lo: -0.5, hi: 0.5 }),
  { op: "matvec", shapes: [[3, 4], [4]], build: (g, [w, x]) => g.matvec(w!, x!) },
  { op: "matvec_t", shapes: [[3, 4], [3]], build: (g, [w, v]) => g.matvecT(w!, v!) },
  { op: "outer", shapes: [[3], [2]], build: (g, [a, b]) => g.outer(a!, b!) },
  { op: "broadcast", shapes: [[]], build: (g, [a]) => g.broadcast(a!, [4]) },
  { op: "broadcast", shapes: [[3]], build: (g, [a]) => g.broadcast(a!, [2, 3]) },
  { op: "broadcast", shapes: [[2, 3], [3]], build: (g, [a, b]) => g.add(a!, b!) },
  { op: "unbroadcast", shapes: [[2, 2, 3]], build: (g, [a]) => g.node("unbroadcast", [a!], { shape: "3" }) },
  { op: "reshape", shapes: [[2, 3]], build: (g, [a]) => g.node("reshape", [a!], { shape: "3x2" }) },
  { op: "matmul", shapes: [[2, 3], [3, 4]], build: (g, [a, b]) => g.node("matmul", [a!, b!]) },
  { op: "matmul", shapes: [[3, 2], [3, 4]], build: (g, [a, b]) => g.node("matmul", [a!, b!], { ta: true }) },
  { op: "matmul", shapes: [[2, 3], [4, 3]], build: (g, [a, b]) => g.node("matmul", [a!, b!], { tb: true }) },
  { op: "matmul", shapes: [[3, 2], [4, 3]], build: (g, [a, b]) => g.node("matmul", [a!, b!], { ta: true, tb: true }) },
  ...CONV_CASES,
  ...POOL_CASES,
  { op: "sum", shapes: [[2, 3]], build: (g, [a]) => g.sum(a!) },
  { op: "softmax", shapes: [[4]], build: (g, [a]) => g.node("softmax", [a!]) },
  { op: "logsoftmax", shapes: [[4]], build: (g, [a]) => g.node("logsoftmax", [a!]) },
  { op: "logsumexp", shapes: [[4]], build: (g, [a]) => g.node("logsumexp", [a!]) },
];

/** A random value in `domain`. */
export function sample(random: () => number, domain: Domain): number {
  const u = random() * 2 - 1;
  switch (domain) {
    case "any":
      return 2 * u;
    case "positive":
      return 0.2 + 2 * random();
    case "nonzero":
      return (0.2 + random()) * (u < 0 ? -1 : 1);
    case "unit":
      return u;
  }
}

