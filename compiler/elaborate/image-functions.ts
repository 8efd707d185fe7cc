// Functions for images and tensors of any rank, with Keras' names, arguments and defaults:
// the conv2d layer (and the raw op conv2d(x, K)), max and average pooling, global average
// pooling, reshape and flatten. Images are channels last, [height, width, channels]; a
// kernel is [height, width, in channels, filters], as in Keras.
//
//   h = conv2d(x, 16, 3, activation = relu)   ->   relu(K_h ∗ x + b_h), K_h[3, 3, 1, 16], b_h[16]
//   p = max_pool2d(h, 2)                       ->   max_pool(h) [13, 13, 16]

import type { CallExpr } from "../ast.js";
import type { Node } from "../ir/node.js";
import { sizeOf } from "../ir/node.js";
import { type Padding, windowAttrs } from "../ops/conv-geometry.js";
import { activation, ACTIVATIONS } from "./activations.js";
import type { BoundArgs, Signature } from "./args.js";
import { constantValue } from "./args.js";
import type { BuiltinFunction, FunctionContext } from "./function-context.js";

const req = (name: string) => ({ name });
const opt = (name: string, value: number | boolean | string) => ({ name, default: value });
const PADDINGS: readonly Padding[] = ["valid", "same"];

/** The image argument, checked to be [height, width, channels]. */
function image(a: BoundArgs, ctx: FunctionContext, what: string): Node {
  const x = ctx.tensor(a.expr("x")!);
  if (x.shape.length !== 3) {
    const hint = x.shape.length === 1 ? `; declare the input as an image, such as input x[28, 28, 1], or reshape(x, [28, 28, 1])` : "";
    ctx.fail(a.expr("x")!.loc, `${what}() needs an image [height, width, channels], got shape [${x.shape.join(", ")}]${hint}`);
  }
  return x;
}

const LAYER: Signature = {
  name: "conv2d",
  params: [
    req("x"),
    req("filters"),
    req("kernel_size"),
    opt("strides", 1),
    opt("padding", "valid"),
    opt("activation", "linear"),
    opt("use_bias", true),
    opt("kernel_initializer", "glorot_uniform"),
    opt("bias_initializer", "zeros"),
    opt("l1", 0),
    opt("l2", 0),
    opt("dilation_rate", 1),
  ],
};

const RAW: Signature = { name: "conv2d", params: [req("x"), req("kernel"), opt("strides", 1), opt("padding", "valid"), opt("dilation_rate", 1)] };

/** conv2d(x, 16, 3) is the layer; conv2d(x, K) with a tensor K the raw op. */
function conv2dSignature(call: CallExpr): Signature {
  const second = call.args[1] ?? call.named.find((n) => n.name === "filters" || n.name === "kernel")?.value;
  const named = call.named.find((n) => n.name === "kernel");
  if (named || (second && constantValue(second) === undefined && second.kind !== "list")) return RAW;
  return LAYER;
}

/** The window attributes of a conv2d call (strides, dilation, padding). */
function convWindow(a: BoundArgs, kernel: [number, number]) {
  const [sh, sw] = a.pair("strides")!;
  const [dh, dw] = a.pair("dilation_rate")!;
  const padding = a.choice("padding", PADDINGS);
  return windowAttrs({ kh: kernel[0], kw: kernel[1], sh, sw, dh, dw, padding }, false);
}

function conv2dLayer(a: BoundArgs, ctx: FunctionContext): Node {
  const x = image(a, ctx, "conv2d");
  if (a.signature === RAW) {
    const k = ctx.tensor(a.expr("kernel")!);
    return ctx.graph.node("conv2d", [x, k], convWindow(a, [k.shape[0] ?? 1, k.shape[1] ?? 1]));
  }
  const filters = a.number("filters", { integer: true, min: 1 });
  const kernel = a.pair("kernel_size")!;
  const act = a.word("activation");
  const activationDef = activation(act.word);
  if (!activationDef) ctx.fail(act.loc, `unknown activation '${act.word}' (known: ${ACTIVATIONS.map((d) => d.name).join(", ")})`);
  const name = ctx.layerName();
  const kernelInit = a.word("kernel_initializer");
  const K = ctx.declareParam(`K_${name}`, [kernel[0], kernel[1], x.shape[2]!, filters], ctx.initializer(kernelInit.word, kernelInit.loc), a.call.loc);
  let z = ctx.name(ctx.graph.node("conv2d", [x, K], convWindow(a, kernel)), `Kx_${name}`);
  if (a.bool("use_bias")) {
    const biasInit = a.word("bias_initializer");
    const b = ctx.declareParam(`b_${name}`, [filters], ctx.initializer(biasInit.word, biasInit.loc), a.call.loc);
    z = ctx.graph.add(z, b);
  }
  ctx.name(z, `z_${name}`);
  const l1 = a.number("l1", { min: 0 });
  const l2 = a.number("l2", { min: 0 });
  if (l1 > 0) ctx.addPenalty(ctx.graph.mul(ctx.graph.const(l1), ctx.graph.sum(ctx.graph.unary("abs", K))));
  if (l2 > 0) ctx.addPenalty(ctx.graph.mul(ctx.graph.const(l2), ctx.graph.sum(ctx.graph.pow(K, 2))));
  return activationDef.apply(ctx.graph, z, activationDef.options);
}

/** max_pool2d / average_pool2d(x, pool_size = 2, strides = pool_size, padding = "valid"). */
function pooling(name: string, op: string): [string, BuiltinFunction] {
  return [
    name,
    {
      signature: { name, params: [req("x"), opt("pool_size", 2), opt("strides", 0), opt("padding", "valid")] },
      elaborate: (a, ctx) => {
        const x = image(a, ctx, name);
        const [kh, kw] = a.pair("pool_size")!;
        // Keras: strides default to the pool size (0 stands for "not given").
        const [sh, sw] = a.has("strides") ? a.pair("strides")! : [kh, kw];
        const padding = a.choice("padding", PADDINGS);
        return ctx.graph.node(op, [x], windowAttrs({ kh, kw, sh, sw, dh: 1, dw: 1, padding }, true));
      },
    },
  ];
}

export const IMAGE_FUNCTIONS: [string, BuiltinFunction][] = [
  ["conv2d", { signature: LAYER, signatureOf: conv2dSignature, elaborate: conv2dLayer }],
  pooling("max_pool2d", "max_pool2d"),
  pooling("average_pool2d", "avg_pool2d"),
  [
    "global_average_pool2d",
    {
      signature: { name: "global_average_pool2d", params: [req("x")] },
      // The mean over height and width: Σ back onto the channels, over H·W.
      elaborate: (a, ctx) => {
        const x = image(a, ctx, "global_average_pool2d");
        const [H, W, C] = x.shape as [number, number, number];
        return ctx.graph.mul(ctx.graph.node("unbroadcast", [x], { shape: String(C) }), ctx.graph.const(1 / (H * W)));
      },
    },
  ],
  [
    "reshape",
    {
      signature: { name: "reshape", params: [req("x"), req("shape")] },
      elaborate: (a, ctx) => {
        const x = ctx.tensor(a.expr("x")!);
        const shape = a.shape("shape");
        if (sizeOf(shape) !== sizeOf(x.shape)) {
          ctx.fail(a.expr("shape")!.loc, `reshape() keeps the number of values: [${x.shape.join(", ")}] has ${sizeOf(x.shape)}, [${shape.join(", ")}] has ${sizeOf(shape)}`);
        }
        return ctx.graph.node("reshape", [x], { shape: shape.join("x") });
      },
    },
  ],
  [
    "flatten",
    {
      signature: { name: "flatten", params: [req("x")] },
      elaborate: (a, ctx) => {
        const x = ctx.tensor(a.expr("x")!);
        return x.shape.length === 1 ? x : ctx.graph.node("reshape", [x], { shape: String(sizeOf(x.shape)) });
      },
    },
  ],
];
