// Elementwise ops. Each row gives the scalar function (interpreter, constant folding), the
// same function in the loop language (ir/code.ts), its derivative as graph nodes, and its math notation.
// Derivative rules reuse forward values where the math allows: σ' = σ(1 − σ), tanh' = 1 − tanh².
//
//   sigmoid: scalar x => 1 / (1 + exp(−x)), expr 1 / (1 + Math.exp(-x)), vjp g * y * (1 - y)

import { type BinaryOp, type Expr, and, binary as op2, call, compare, cond, neg, num } from "../ir/code.js";
import type { Graph } from "../ir/graph.js";
import { type Attrs, type Node, type Shape, ShapeError, sameShape, shapeText } from "../ir/node.js";
import type { ElementwiseOp, Vjp } from "./op-def.js";
import { normalCdf } from "../../runtime/special.js";

function sameShapeRule(name: string) {
  return (inputs: readonly Shape[]): Shape => {
    const first = inputs[0]!;
    for (const s of inputs) {
      if (sameShape(s, first)) continue;
      // Only a shorter operand matching the longer one's last dimensions broadcasts (ir/graph.ts).
      const [long, short] = first.length >= s.length ? [first, s] : [s, first];
      const hint = short.length < long.length ? `; a shorter operand broadcasts only when it matches the last dimensions (${shapeText(long.slice(long.length - short.length))} here)` : "";
      throw new ShapeError(`shape mismatch in '${name}': ${shapeText(first)} and ${shapeText(s)}${hint}`);
    }
    return first;
  };
}

interface UnarySpec {
  name: string;
  scalar(x: number, attrs: Attrs): number;
  expr(x: Expr, attrs: Attrs): Expr;
  /** d/dx as graph nodes, given the input x, the output y and the adjoint g. */
  grad: ((g: Node, x: Node, y: Node, graph: Graph, attrs: Attrs) => Node) | null;
  math?(x: string, attrs: Attrs): string;
  cost?: number;
  /** Runtime helpers the code calls (see ElementwiseOp.runtime). */
  runtime?: readonly string[];
}

function unary(spec: UnarySpec): ElementwiseOp {
  const grad = spec.grad;
  const vjp: Vjp = grad ? (g, node, graph) => [grad(g, node.inputs[0]!, node, graph, node.attrs)] : () => [null];
  return {
    name: spec.name,
    kind: "elementwise",
    shape: sameShapeRule(spec.name),
    scalar: (args, attrs) => spec.scalar(args[0]!, attrs),
    expr: (args, attrs) => spec.expr(args[0]!, attrs),
    vjp,
    math: (args, attrs) => (spec.math ? spec.math(args[0]!, attrs) : `${spec.name}(${args[0]})`),
    cost: spec.cost ?? 1,
    ...(spec.runtime ? { runtime: spec.runtime } : {}),
  };
}

interface BinarySpec {
  name: string;
  symbol: BinaryOp;
  scalar(a: number, b: number): number;
  vjp: Vjp;
}

function binary(spec: BinarySpec): ElementwiseOp {
  return {
    name: spec.name,
    kind: "elementwise",
    shape: sameShapeRule(spec.name),
    scalar: (args) => spec.scalar(args[0]!, args[1]!),
    expr: (args) => op2(spec.symbol, args[0]!, args[1]!),
    vjp: spec.vjp,
    math: (args) => `${args[0]} ${spec.symbol === "*" ? "⊙" : spec.symbol} ${args[1]}`,
    cost: 1,
  };
}

const attr = (attrs: Attrs, key: string) => Number(attrs[key]);
const math = (fn: string, ...args: Expr[]) => call(`Math.${fn}`, ...args);
/** `(x > 0 ? a : b)` */
const ifPositive = (x: Expr, a: Expr, b: Expr) => cond(compare(">", x, num(0)), a, b);

export const elementwiseOps: ElementwiseOp[] = [
  binary({
    name: "add",
    symbol: "+",
    scalar: (a, b) => a + b,
    vjp: (g) => [g, g],
  }),
  binary({
    name: "sub",
    symbol: "-",
    scalar: (a, b) => a - b,
    vjp: (g, _, graph) => [g, graph.neg(g)],
  }),
  binary({
    name: "mul",
    symbol: "*",
    scalar: (a, b) => a * b,
    vjp: (g, node, graph) => [graph.mul(g, node.inputs[1]!), graph.mul(g, node.inputs[0]!)],
  }),
  binary({
    name: "div",
    symbol: "/",
    scalar: (a, b) => a / b,
    // d(a/b) = da / b − (a/b) db / b
    vjp: (g, node, graph) => {
      const b = node.inputs[1]!;
      return [graph.div(g, b), graph.neg(graph.div(graph.mul(g, node), b))];
    },
  }),
  unary({
    name: "neg",
    scalar: (x) => -x,
    expr: (x) => neg(x),
    grad: (g, _x, _y, graph) => graph.neg(g),
    math: (x) => `−${x}`,
  }),
  unary({
    name: "exp",
    scalar: Math.exp,
    expr: (x) => math("exp", x),
    grad: (g, _x, y, graph) => graph.mul(g, y),
    cost: 10,
  }),
  unary({
    name: "log",
    scalar: Math.log,
    expr: (x) => math("log", x),
    grad: (g, x, _y, graph) => graph.div(g, x),
    cost: 10,
  }),
  unary({
    name: "sqrt",
    scalar: Math.sqrt,
    expr: (x) => math("sqrt", x),
    grad: (g, _x, y, graph) => graph.div(g, graph.mul(graph.const(2), y)),
    math: (x) => `√${x}`,
    cost: 4,
  }),
  unary({
    name: "pow",
    scalar: (x, a) => Math.pow(x, attr(a, "exponent")),
    expr: (x, a) => (attr(a, "exponent") === 2 ? op2("*", x, x) : math("pow", x, num(attr(a, "exponent")))),
    // d(x^e) = e x^(e−1)
    grad: (g, x, _y, graph, a) => {
      const e = attr(a, "exponent");
      const slope = e === 2 ? graph.mul(graph.const(2), x) : graph.mul(graph.const(e), graph.pow(x, e - 1));
      return graph.mul(g, slope);
    },
    math: (x, a) => `${x}^${attr(a, "exponent")}`,
    cost: 10,
  }),
  unary({
    name: "abs",
    scalar: Math.abs,
    expr: (x) => math("abs", x),
    grad: (g, x, _y, graph) => graph.mul(g, graph.unary("sign", x)),
    math: (x) => `|${x}|`,
  }),
  unary({ name: "sign", scalar: Math.sign, expr: (x) => math("sign", x), grad: null }),
  unary({
    name: "sigmoid",
    scalar: (x) => 1 / (1 + Math.exp(-x)),
    expr: (x) => op2("/", num(1), op2("+", num(1), math("exp", neg(x)))),
    grad: (g, _x, y, graph) => graph.mul(g, graph.mul(y, graph.sub(graph.const(1), y))),
    math: (x) => `σ(${x})`,
    cost: 12,
  }),
  unary({
    name: "tanh",
    scalar: Math.tanh,
    expr: (x) => math("tanh", x),
    grad: (g, _x, y, graph) => graph.mul(g, graph.sub(graph.const(1), graph.mul(y, y))),
    cost: 12,
  }),
  unary({
    name: "relu",
    scalar: (x) => Math.max(x, 0),
    expr: (x) => math("max", x, num(0)),
    grad: (g, x, _y, graph) => graph.mul(g, graph.unary("step", x)),
  }),
  unary({
    // Heaviside step: the derivative of relu (0 at 0, as TensorFlow does).
    name: "step",
    scalar: (x) => (x > 0 ? 1 : 0),
    expr: (x) => ifPositive(x, num(1), num(0)),
    grad: null,
    math: (x) => `[${x} > 0]`,
  }),
  unary({
    name: "leaky_relu",
    scalar: (x, a) => (x > 0 ? x : attr(a, "alpha") * x),
    expr: (x, a) => ifPositive(x, x, op2("*", num(attr(a, "alpha")), x)),
    grad: (g, x, _y, graph, a) => graph.mul(g, graph.unary("leaky_slope", x, { alpha: attr(a, "alpha") })),
    math: (x, a) => `leaky_relu(${x}, ${attr(a, "alpha")})`,
  }),
  unary({
    name: "leaky_slope",
    scalar: (x, a) => (x > 0 ? 1 : attr(a, "alpha")),
    expr: (x, a) => ifPositive(x, num(1), num(attr(a, "alpha"))),
    grad: null,
    math: (x, a) => `[${x} > 0 ? 1 : ${attr(a, "alpha")}]`,
  }),
  unary({
    name: "elu",
    scalar: (x, a) => (x > 0 ? x : attr(a, "alpha") * Math.expm1(x)),
    expr: (x, a) => ifPositive(x, x, op2("*", num(attr(a, "alpha")), math("expm1", x))),
    grad: (g, x, _y, graph, a) => graph.mul(g, graph.unary("elu_slope", x, { alpha: attr(a, "alpha") })),
    cost: 10,
  }),
  unary({
    name: "elu_slope",
    scalar: (x, a) => (x > 0 ? 1 : attr(a, "alpha") * Math.exp(x)),
    expr: (x, a) => ifPositive(x, num(1), op2("*", num(attr(a, "alpha")), math("exp", x))),
    grad: null,
    cost: 10,
  }),
  unary({
    // softplus(x) = log(1 + eˣ), written so that it neither overflows nor loses precision.
    name: "softplus",
    scalar: (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
    expr: (x) => op2("+", math("max", x, num(0)), math("log1p", math("exp", neg(math("abs", x))))),
    grad: (g, x, _y, graph) => graph.mul(g, graph.unary("sigmoid", x)),
    cost: 22,
  }),
  unary({
    // Φ(x), the standard normal CDF (GELU is x·Φ(x)); Math has no erf, so the code calls the
    // runtime's normalCdf (bundled into models that use it). Φ'(x) = φ(x) = e^(−x²/2) / √(2π).
    name: "normal_cdf",
    scalar: (x) => normalCdf(x),
    expr: (x) => call("normalCdf", x),
    grad: (g, x, _y, graph) =>
      graph.mul(g, graph.mul(graph.const(1 / Math.sqrt(2 * Math.PI)), graph.unary("exp", graph.mul(graph.const(-0.5), graph.pow(x, 2))))),
    math: (x) => `Φ(${x})`,
    runtime: ["normalCdf"],
    cost: 30,
  }),
  unary({
    // Keras clips probabilities to [ε, 1 − ε] before taking logs; the gradient is 0 outside.
    name: "clip",
    scalar: (x, a) => Math.min(Math.max(x, attr(a, "lo")), attr(a, "hi")),
    expr: (x, a) => math("min", math("max", x, num(attr(a, "lo"))), num(attr(a, "hi"))),
    grad: (g, x, _y, graph, a) => graph.mul(g, graph.unary("in_range", x, { lo: attr(a, "lo"), hi: attr(a, "hi") })),
    math: (x, a) => `clip(${x}, ${attr(a, "lo")}, ${attr(a, "hi")})`,
  }),
  unary({
    name: "in_range",
    scalar: (x, a) => (x >= attr(a, "lo") && x <= attr(a, "hi") ? 1 : 0),
    expr: (x, a) => cond(and(compare(">=", x, num(attr(a, "lo"))), compare("<=", x, num(attr(a, "hi")))), num(1), num(0)),
    grad: null,
    math: (x, a) => `[${attr(a, "lo")} ≤ ${x} ≤ ${attr(a, "hi")}]`,
  }),
];

/** Whether an op's expression reads an operand more than once (then operands must be stored, not recomputed). */
export function usesOperandTwice(op: ElementwiseOp, attrs: Attrs): boolean {
  const probes = [0, 1].map((i) => ({ k: "var", name: `\u0000${i}` }) as const);
  const text = JSON.stringify(op.expr(probes, attrs));
  return probes.some((p) => text.split(JSON.stringify(p.name)).length > 2);
}
