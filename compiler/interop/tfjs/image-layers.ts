// The TensorFlow.js / Keras image layers nnc imports, one row per layer class (with layers.ts's
// rows they make TFJS_LAYERS). Keras' images are nnc's: channels last, [height, width,
// channels], Conv2D kernels [kh, kw, in, out], padding "valid" or TensorFlow's "same"; so the
// weights are taken as they are stored, and every layer becomes the language's call.
//
//   Conv2D{filters: 8, kernel_size: [3, 3], padding: "same", activation: "relu"}  ->  c = conv2d(x, 8, 3, padding = same, activation = relu)
//   MaxPooling2D{pool_size: [2, 2]}                                              ->  p = max_pool2d(c, 2)
//   GlobalMaxPooling2D                                                           ->  g = flatten(max_pool2d(p, [7, 7]))

import { shown } from "../../data/errors.js";
import type { Value } from "../builder.js";
import { call, list, ref } from "../draft.js";
import { InteropError } from "../errors.js";
import { convShape, globalMaxCall, needImage, poolCall, poolShape, type Padding, type Window } from "../images.js";
import { activationOf, checkActivationShape, kernelOptions, one, requireUnset, type LayerContext, type LayerRow } from "./layer-config.js";

const comment = (ctx: LayerContext) => `layer '${ctx.call.name}' (${ctx.call.className})`;

/** Keras' images are channels last unless a layer says otherwise; nnc's always are. */
function channelsLast(ctx: LayerContext): void {
  const f = ctx.call.config["data_format"];
  if (f !== undefined && f !== null && f !== "channels_last") throw new InteropError(`${ctx.where}: data_format ${JSON.stringify(f)} is not supported (nnc's images are channels last: [height, width, channels])`);
}

/** A size pair as Keras writes it: 3 or [3, 3] (positive integers). */
function pairOf(ctx: LayerContext, key: string, fallback?: number): [number, number] {
  const raw = ctx.call.config[key] ?? fallback;
  const v = typeof raw === "number" ? [raw, raw] : raw;
  if (!Array.isArray(v) || v.length !== 2 || !v.every((n) => typeof n === "number" && Number.isSafeInteger(n) && n >= 1)) {
    throw new InteropError(`${ctx.where}: ${key} is ${JSON.stringify(raw)}, expected a positive integer or two`);
  }
  return v as [number, number];
}

function paddingOf(ctx: LayerContext): Padding {
  const raw = ctx.call.config["padding"] ?? "valid";
  const p = typeof raw === "string" ? raw.toLowerCase() : raw;
  if (p !== "valid" && p !== "same") throw new InteropError(`${ctx.where}: padding ${JSON.stringify(raw)} is not supported (nnc pads "valid" or "same")`);
  return p;
}

function conv2d(ctx: LayerContext): Value {
  const x = one(ctx);
  const c = ctx.call.config;
  channelsLast(ctx);
  requireUnset(ctx, ["bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint", "lora_rank"]);
  if (c["groups"] !== undefined && c["groups"] !== null && c["groups"] !== 1) throw new InteropError(`${ctx.where}: groups ${JSON.stringify(c["groups"])} is not supported (nnc's conv2d connects every input channel to every filter: groups 1)`);
  const filters = c["filters"];
  if (typeof filters !== "number" || !Number.isSafeInteger(filters) || filters < 1) throw new InteropError(`${ctx.where}: filters is ${JSON.stringify(filters)}, expected a positive integer`);
  const [kh, kw] = pairOf(ctx, "kernel_size");
  const [sh, sw] = pairOf(ctx, "strides", 1);
  const [dh, dw] = pairOf(ctx, "dilation_rate", 1);
  const window: Window = { kh, kw, sh, sw, dh, dw, padding: paddingOf(ctx) };
  const shape = convShape(ctx.where, x.shape, window, filters);
  const activation = activationOf(ctx, c["activation"]);
  checkActivationShape(ctx, activation, shape);
  const useBias = c["use_bias"] !== false;
  const kernel = ctx.weight("kernel");
  const wanted = [kh, kw, x.shape[2]!, filters];
  if (kernel.shape.join() !== wanted.join()) {
    throw new InteropError(`${ctx.where}: weight ${shown(kernel.name)} has shape [${kernel.shape.join(", ")}]; the layer needs [${wanted.join(", ")}] (kernel height, width, input channels, filters)`);
  }
  const bias = useBias ? ctx.weight("bias") : undefined;
  if (bias && bias.shape.join() !== `${filters}`) throw new InteropError(`${ctx.where}: weight ${shown(bias.name)} has shape [${bias.shape.join(", ")}]; the layer needs [${filters}]`);
  return ctx.b.conv2d({
    raw: ctx.call.name,
    x,
    filters,
    window,
    kernel: kernel.values,
    ...(bias ? { bias: bias.values } : {}),
    activation,
    shape,
    comment: comment(ctx),
    from: { kernel: kernel.name, ...(bias ? { bias: bias.name } : {}) },
    options: kernelOptions(ctx, useBias),
  });
}

/** MaxPooling2D / AveragePooling2D: pool_size (default 2), strides (default: the pool size), padding. */
function pooling(fn: "max_pool2d" | "average_pool2d") {
  return (ctx: LayerContext): Value => {
    const x = one(ctx);
    channelsLast(ctx);
    const [kh, kw] = pairOf(ctx, "pool_size", 2);
    const [sh, sw] = ctx.call.config["strides"] === undefined || ctx.call.config["strides"] === null ? [kh, kw] : pairOf(ctx, "strides");
    const window: Window = { kh, kw, sh, sw, dh: 1, dw: 1, padding: paddingOf(ctx) };
    return ctx.b.assign(ctx.call.name, poolCall(fn, ref(x.name), window), poolShape(ctx.where, x.shape, window), comment(ctx));
  };
}

/** GlobalAveragePooling2D / GlobalMaxPooling2D: one value per channel (without keepdims). */
function globalPooling(kind: "average" | "max") {
  return (ctx: LayerContext): Value => {
    const x = one(ctx);
    channelsLast(ctx);
    if (ctx.call.config["keepdims"] === true) throw new InteropError(`${ctx.where}: keepdims true is not supported (nnc's global pooling gives a vector of channels)`);
    const [h, w, channels] = needImage(ctx.where, x.shape);
    const expr = kind === "average" ? call("global_average_pool2d", [ref(x.name)]) : globalMaxCall(ref(x.name), [h, w]);
    return ctx.b.assign(ctx.call.name, expr, [channels], comment(ctx));
  };
}

function flatten(ctx: LayerContext): Value {
  const x = one(ctx);
  if (x.shape.length === 1) return x;
  channelsLast(ctx);
  return ctx.b.assign(ctx.call.name, call("flatten", [ref(x.name)]), [x.size], comment(ctx));
}

/** Reshape to target_shape (one -1 stands for the rest), the same values in the same order. */
function reshape(ctx: LayerContext): Value {
  const x = one(ctx);
  const raw = ctx.call.config["target_shape"];
  const dims = Array.isArray(raw) ? raw : [];
  const known = dims.filter((d) => d !== -1);
  if (dims.length === 0 || known.length < dims.length - 1 || !known.every((d) => typeof d === "number" && Number.isSafeInteger(d) && d >= 1)) {
    throw new InteropError(`${ctx.where}: target_shape ${JSON.stringify(raw)} is not a list of positive sizes (one may be -1)`);
  }
  const rest = known.reduce((a: number, b: number) => a * b, 1);
  const shape = dims.map((d) => (d === -1 ? x.size / rest : (d as number)));
  if (!shape.every((d) => Number.isSafeInteger(d)) || shape.reduce((a, b) => a * b, 1) !== x.size) {
    throw new InteropError(`${ctx.where}: target_shape ${JSON.stringify(raw)} does not hold the ${x.size} values of its input [${x.shape.join(", ")}]`);
  }
  if (shape.join() === x.shape.join()) return x;
  const expr = shape.length === 1 ? call("flatten", [ref(x.name)]) : call("reshape", [ref(x.name), list(shape)]);
  return ctx.b.assign(ctx.call.name, expr, shape, comment(ctx));
}

export const IMAGE_LAYERS: LayerRow[] = [
  {
    className: "Conv2D",
    becomes: "`conv2d(x, filters, kernel_size, strides, padding, activation, use_bias, dilation_rate, l1, l2, kernel_initializer, bias_initializer)`, `K` = kernel as stored ([kh, kw, in, out], nnc's layout too); channels last only, groups 1",
    run: conv2d,
  },
  { className: "MaxPooling2D", becomes: "`max_pool2d(x, pool_size, strides, padding)` (valid pooling must tile the image: nnc drops no rows)", run: pooling("max_pool2d") },
  { className: "AveragePooling2D", becomes: "`average_pool2d(x, pool_size, strides, padding)` (as MaxPooling2D; same padding averages the taps inside the image, as TensorFlow)", run: pooling("average_pool2d") },
  { className: "GlobalAveragePooling2D", becomes: "`global_average_pool2d(x)` (a vector of channels; no keepdims)", run: globalPooling("average") },
  { className: "GlobalMaxPooling2D", becomes: "`flatten(max_pool2d(x, [height, width]))` (one window over the whole image; no keepdims)", run: globalPooling("max") },
  { className: "Flatten", becomes: "`flatten(x)` (nothing for a vector)", run: flatten },
  { className: "Reshape", becomes: "`reshape(x, target_shape)` (`flatten(x)` to a vector; nothing when the shape stays)", run: reshape },
];
