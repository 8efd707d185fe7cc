// Every function a model file can call, by name: activations, math, layers and losses.
// A row gives the signature (positional names, named options with defaults) and how the
// call becomes graph nodes.
//
//   dense(x, units, activation = linear, l1 = 0, l2 = 0, kernel_initializer = glorot_uniform, ...)
//   ->  activation(W_h @ x + b_h), with W_h[units, n] and b_h[units] declared as parameters

import type { Node } from "../ir/node.js";
import { ACTIVATIONS, activation } from "./activations.js";
import type { BoundArgs } from "./args.js";
import type { BuiltinFunction, FunctionContext } from "./function-context.js";
import { IMAGE_FUNCTIONS } from "./image-functions.js";
import * as losses from "./losses.js";
import type { AccuracyKind } from "./model.js";

export type { BuiltinFunction };

const req = (name: string) => ({ name });
const opt = (name: string, value: number | boolean | string) => ({ name, default: value });

function unaryMath(name: string, op: string): [string, BuiltinFunction] {
  return [name, { signature: { name, params: [req("x")] }, elaborate: (a, ctx) => ctx.graph.unary(op, ctx.tensor(a.expr("x")!)) }];
}

function vectorFn(name: string, make: (x: Node, ctx: FunctionContext) => Node): [string, BuiltinFunction] {
  return [
    name,
    {
      signature: { name, params: [req("x")] },
      elaborate: (a, ctx) => {
        const x = ctx.tensor(a.expr("x")!);
        if (x.shape.length !== 1) ctx.fail(a.call.loc, `${name}() needs a vector, got shape [${x.shape.join(", ")}]`);
        return make(x, ctx);
      },
    },
  ];
}

/** The prediction and target of a loss call, refusing the Keras (y_true, y_pred) order. */
function lossOperands(a: BoundArgs, ctx: FunctionContext): [Node, Node] {
  const p = ctx.tensor(a.expr("y_pred")!);
  const y = ctx.tensor(a.expr("y_true")!);
  if (ctx.target && p === ctx.target && y !== ctx.target) {
    ctx.fail(a.call.loc, `${a.call.callee}() takes (prediction, target); the target is given first`);
  }
  return [p, y];
}

/**
 * How a loss reads its operands: `elementwise` (the mean of a per-element term: a prediction and
 * a target of any one shape, images included), `classes` (a vector of class scores and a target
 * like it) or `sparse` (a vector of class scores and a class index [1]).
 */
type LossOperands = "elementwise" | "classes" | "sparse";

function lossFn(
  name: string,
  accuracy: AccuracyKind,
  compute: (g: FunctionContext["graph"], p: Node, y: Node, fromLogits: boolean) => Node,
  operands: LossOperands,
): [string, BuiltinFunction] {
  const shape = (s: readonly number[]) => `[${s.join(", ")}]`;
  return [
    name,
    {
      signature: { name, params: [req("y_pred"), req("y_true"), opt("from_logits", false)] },
      accuracy,
      elaborate: (a, ctx) => {
        const [p, y] = lossOperands(a, ctx);
        if (operands === "elementwise") {
          const same = shape(p.shape) === shape(y.shape);
          if (!same) ctx.fail(a.call.loc, `${name}() needs a prediction and a target of the same shape, got ${shape(p.shape)} and ${shape(y.shape)}`);
        } else {
          if (p.shape.length !== 1) ctx.fail(a.call.loc, `${name}() needs a prediction vector (one score per class), got shape ${shape(p.shape)}; flatten it first with flatten()`);
          const wanted = operands === "sparse" ? [1] : p.shape;
          const what = operands === "sparse" ? " (the class index)" : "";
          if (shape(y.shape) !== shape(wanted)) ctx.fail(a.call.loc, `${name}() needs a target of shape ${shape(wanted)}${what}, got ${shape(y.shape)}`);
        }
        return compute(ctx.graph, p, y, a.bool("from_logits"));
      },
    },
  ];
}

function denseLayer(a: BoundArgs, ctx: FunctionContext): Node {
  const x = ctx.tensor(a.expr("x")!);
  if (x.shape.length !== 1) ctx.fail(a.expr("x")!.loc, `dense() needs a vector input, got shape [${x.shape.join(", ")}]`);
  const units = a.number("units", { integer: true, min: 1 });
  const act = a.word("activation");
  const activationDef = activation(act.word);
  if (!activationDef) {
    ctx.fail(act.loc, `unknown activation '${act.word}' (known: ${ACTIVATIONS.map((d) => d.name).join(", ")})`);
  }
  const name = ctx.layerName();
  const kernelInit = a.word("kernel_initializer");
  const W = ctx.declareParam(`W_${name}`, [units, x.shape[0]!], ctx.initializer(kernelInit.word, kernelInit.loc), a.call.loc);
  let z = ctx.name(ctx.graph.matvec(W, x), `Wx_${name}`);
  if (a.bool("use_bias")) {
    const biasInit = a.word("bias_initializer");
    const b = ctx.declareParam(`b_${name}`, [units], ctx.initializer(biasInit.word, biasInit.loc), a.call.loc);
    z = ctx.graph.add(z, b);
  }
  ctx.name(z, `z_${name}`);
  const l1 = a.number("l1", { min: 0 });
  const l2 = a.number("l2", { min: 0 });
  if (l1 > 0) ctx.addPenalty(ctx.graph.mul(ctx.graph.const(l1), ctx.graph.sum(ctx.graph.unary("abs", W))));
  if (l2 > 0) ctx.addPenalty(ctx.graph.mul(ctx.graph.const(l2), ctx.graph.sum(ctx.graph.pow(W, 2))));
  return activationDef.apply(ctx.graph, z, activationDef.options);
}

function dropoutLayer(a: BoundArgs, ctx: FunctionContext): Node {
  const x = ctx.tensor(a.expr("x")!);
  // One message for every rate out of range: the fraction dropped, so 1 (drop all) is out too.
  const rate = a.number("rate");
  if (!(rate >= 0 && rate < 1)) ctx.fail(a.expr("rate")!.loc, `'rate' of dropout() must be in [0, 1), got ${rate}`);
  const id = ctx.nextDropoutId();
  if (ctx.mode === "infer" || rate === 0) return x;
  return ctx.graph.mul(x, ctx.graph.dropoutMask(x.shape, rate, id));
}

const activationFns: [string, BuiltinFunction][] = ACTIVATIONS.map((def) => [
  def.name,
  {
    signature: { name: def.name, params: [req("x"), ...Object.entries(def.options).map(([k, v]) => opt(k, v))] },
    elaborate: (a, ctx) => {
      const x = ctx.tensor(a.expr("x")!);
      if (def.name === "softmax" && x.shape.length !== 1) ctx.fail(a.call.loc, `softmax() needs a vector, got shape [${x.shape.join(", ")}]`);
      const options = Object.fromEntries(Object.entries(def.options).map(([k, v]) => [k, typeof v === "boolean" ? a.bool(k) : a.number(k)]));
      return def.apply(ctx.graph, x, options);
    },
  },
]);

export const FUNCTIONS = new Map<string, BuiltinFunction>([
  ...activationFns,
  unaryMath("exp", "exp"),
  unaryMath("log", "log"),
  unaryMath("sqrt", "sqrt"),
  unaryMath("abs", "abs"),
  [
    "square",
    { signature: { name: "square", params: [req("x")] }, elaborate: (a, ctx) => ctx.graph.pow(ctx.tensor(a.expr("x")!), 2) },
  ],
  ["sum", { signature: { name: "sum", params: [req("x")] }, elaborate: (a, ctx) => ctx.graph.sum(ctx.tensor(a.expr("x")!)) }],
  ["mean", { signature: { name: "mean", params: [req("x")] }, elaborate: (a, ctx) => ctx.graph.mean(ctx.tensor(a.expr("x")!)) }],
  vectorFn("logsumexp", (x, ctx) => ctx.graph.node("logsumexp", [x])),
  vectorFn("log_softmax", (x, ctx) => ctx.graph.node("logsoftmax", [x])),
  [
    "dense",
    {
      signature: {
        name: "dense",
        params: [
          req("x"),
          req("units"),
          opt("activation", "linear"),
          opt("l1", 0),
          opt("l2", 0),
          opt("use_bias", true),
          opt("kernel_initializer", "glorot_uniform"),
          opt("bias_initializer", "zeros"),
        ],
      },
      elaborate: denseLayer,
    },
  ],
  ["dropout", { signature: { name: "dropout", params: [req("x"), req("rate")] }, elaborate: dropoutLayer }],
  ...IMAGE_FUNCTIONS,
  lossFn("mse", "none", (g, p, y) => losses.meanSquaredError(g, p, y), "elementwise"),
  lossFn("mae", "none", (g, p, y) => losses.meanAbsoluteError(g, p, y), "elementwise"),
  lossFn("binary_crossentropy", "binary", losses.binaryCrossentropy, "elementwise"),
  lossFn("categorical_crossentropy", "categorical", losses.categoricalCrossentropy, "classes"),
  lossFn("sparse_categorical_crossentropy", "sparse_categorical", losses.sparseCategoricalCrossentropy, "sparse"),
]);

export const LOSS_NAMES = [...FUNCTIONS].filter(([, f]) => f.accuracy !== undefined).map(([n]) => n);
