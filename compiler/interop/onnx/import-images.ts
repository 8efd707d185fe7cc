// The ONNX image operators nnc imports: Conv, MaxPool, AveragePool, GlobalAveragePool,
// GlobalMaxPool, written as the language's conv2d and pooling calls. ONNX is channels first
// (images [N, C, H, W], Conv weights [out, in, kh, kw]) and nnc channels last (images
// [H, W, C], kernels [kh, kw, in, out]): the kernel is transposed here, at the boundary, and the
// image's layout is bookkeeping (import-layout.ts). Padding must be none or TensorFlow's "same"
// (nnc's two); anything else (other explicit pads, SAME_LOWER where it differs, ceil_mode where
// it adds a window, count_include_pad with padding, groups, dilated pooling) is refused by name.
//
//   Conv(x, conv1.weight[8, 1, 3, 3], conv1.bias; pads [1, 1, 1, 1]) → Relu   ->   conv1 = conv2d(x, 8, 3, padding = same, activation = relu)

import { shown } from "../../data/errors.js";
import { nncActivation } from "../activations.js";
import { call, ref } from "../draft.js";
import { InteropError } from "../errors.js";
import { convShape, globalMaxCall, kernelFromOihw, poolCall, poolShape, samePads, type Padding, type Window } from "../images.js";
import { asImage, channelsFirst, channelsFirstOrder } from "./import-layout.js";
import { activationOfNode, constInput, data, dataInput, intAttr, intsAttr, overAVector, stringAttr, type DataValue, type NodeContext, type OnnxValue, type OpRow } from "./node-context.js";

/** An image value of nnc shape [H, W, C] as ONNX's [C, H, W]. */
function imageValue(value: DataValue["value"]): DataValue {
  const [H, W, C] = value.shape as [number, number, number];
  return data(value, [C, H, W], channelsFirst(C, H, W), channelsFirstOrder([C, H, W]));
}

function pairAttr(ctx: NodeContext, name: string, fallback: number): [number, number] {
  const v = intsAttr(ctx, name) ?? [fallback, fallback];
  if (v.length !== 2 || !v.every((n) => Number.isSafeInteger(n) && n >= 1)) throw new InteropError(`${ctx.where}: ${name} [${v.join(", ")}] is not supported (nnc's windows are 2-D: two positive sizes)`);
  return v as [number, number];
}

/** nnc's padding for the node's pads or auto_pad: none ("valid") or TensorFlow's "same" (the odd one at the end). */
function paddingOf(ctx: NodeContext, x: readonly number[], w: Omit<Window, "padding">): Padding {
  const same = samePads(x, { ...w, padding: "same" });
  const sameList = [same.top, same.left, same.bottom, same.right];
  const auto = stringAttr(ctx, "auto_pad") ?? "NOTSET";
  if (auto === "VALID") return "valid";
  if (auto === "SAME_UPPER") return "same";
  if (auto === "SAME_LOWER") {
    if (same.top === same.bottom && same.left === same.right) return "same";
    throw new InteropError(`${ctx.where}: auto_pad SAME_LOWER puts the odd row or column of padding first (here [${[same.bottom, same.right, same.top, same.left].join(", ")}]); nnc pads as TensorFlow's same (SAME_UPPER, [${sameList.join(", ")}]) or not at all`);
  }
  if (auto !== "NOTSET") throw new InteropError(`${ctx.where}: auto_pad ${shown(auto)} is not one ONNX defines`);
  const pads = intsAttr(ctx, "pads") ?? [0, 0, 0, 0];
  if (pads.length === 4 && pads.every((p) => p === 0)) return "valid";
  if (pads.join() === sameList.join()) return "same";
  throw new InteropError(`${ctx.where}: pads [${pads.join(", ")}] are not supported: nnc pads nothing (valid) or as TensorFlow's same, which here is [${sameList.join(", ")}] (top, left, bottom, right)`);
}

/** Output rows of one dimension, rounding down (nnc, TensorFlow) or up (ceil_mode). */
function windows(size: number, pad: number, k: number, stride: number, round: (v: number) => number): number {
  return round((size + pad - k) / stride) + 1;
}

function conv(ctx: NodeContext): OnnxValue {
  const input = dataInput(ctx, 0);
  const x = asImage(ctx, input);
  const [H, W, C] = x.shape as [number, number, number];
  const K = constInput(ctx, 1, "a weight");
  const group = intAttr(ctx, "group", 1);
  if (group !== 1) throw new InteropError(`${ctx.where}: group ${group} is not supported (nnc's conv2d connects every input channel to every filter: group 1)`);
  if (K.dims.length !== 4) throw new InteropError(`${ctx.where}: the weight has dims [${K.dims.join(", ")}]; nnc imports 2-D convolutions (weights [out, in, kh, kw])`);
  const [F, Cin, kh, kw] = K.dims as [number, number, number, number];
  if (Cin !== C) throw new InteropError(`${ctx.where}: the weight has dims [${K.dims.join(", ")}] for ${Cin} input channels; the node's input has ${C} ([N, ${C}, ${H}, ${W}])`);
  const shape = intsAttr(ctx, "kernel_shape");
  if (shape && shape.join() !== [kh, kw].join()) throw new InteropError(`${ctx.where}: kernel_shape [${shape.join(", ")}] disagrees with the weight's [${kh}, ${kw}]`);
  const [sh, sw] = pairAttr(ctx, "strides", 1);
  const [dh, dw] = pairAttr(ctx, "dilations", 1);
  const base = { kh, kw, sh, sw, dh, dw };
  const window: Window = { ...base, padding: paddingOf(ctx, x.shape, base) };
  const out = convShape(ctx.where, x.shape, window, F);
  const B = ctx.input(2);
  if (B && (B.kind !== "const" || B.data.length !== F)) throw new InteropError(`${ctx.where}: input 3 (the bias) must be an initializer or Constant of ${F} values`);
  // An activation that follows alone joins the layer (one that works on single elements: softmax needs a vector).
  let activation = nncActivation("linear");
  const next = ctx.soleConsumerOf(ctx.node);
  const act = next ? activationOfNode(ctx, next) : undefined;
  if (next && act?.dense && !overAVector(act)) {
    activation = act;
    ctx.absorb(next);
  }
  const value = ctx.b.conv2d({
    raw: ctx.rawName,
    x,
    filters: F,
    window,
    kernel: kernelFromOihw(K.data, K.dims),
    ...(B ? { bias: B.data } : {}),
    activation,
    shape: out,
    comment: `node '${ctx.node.name}' (Conv)${activation.name !== "linear" ? ` + ${activation.name}` : ""}`,
    from: { kernel: `${K.source}, [out, in, kh, kw] as [kh, kw, in, out]`, ...(B?.kind === "const" ? { bias: B.source } : {}) },
    options: ctx.penalties(K.source),
  });
  return imageValue(value);
}

/** MaxPool / AveragePool: kernel_shape, strides (ONNX's default 1), pads nnc has; ceil_mode only where it changes nothing. */
function pooling(fn: "max_pool2d" | "average_pool2d") {
  return (ctx: NodeContext): OnnxValue => {
    const x = asImage(ctx, dataInput(ctx, 0));
    if (ctx.node.outputs.length > 1 && ctx.node.outputs[1] !== "") throw new InteropError(`${ctx.where}: its Indices output is used; nnc's max_pool2d has none`);
    const k = intsAttr(ctx, "kernel_shape");
    if (!k || k.length !== 2) throw new InteropError(`${ctx.where}: kernel_shape [${(k ?? []).join(", ")}] is not supported (nnc pools 2-D images: two sizes)`);
    const [kh, kw] = pairAttr(ctx, "kernel_shape", 1);
    const [sh, sw] = pairAttr(ctx, "strides", 1);
    const [dh, dw] = pairAttr(ctx, "dilations", 1);
    if (dh !== 1 || dw !== 1) throw new InteropError(`${ctx.where}: dilations [${dh}, ${dw}] are not supported (nnc's pooling windows are not dilated)`);
    const base = { kh, kw, sh, sw, dh, dw };
    const window: Window = { ...base, padding: paddingOf(ctx, x.shape, base) };
    if (intAttr(ctx, "ceil_mode", 0) === 1) {
      const pads = window.padding === "same" ? samePads(x.shape, window) : { top: 0, left: 0, bottom: 0, right: 0 };
      const count = (round: (v: number) => number) => [windows(x.shape[0]!, pads.top + pads.bottom, kh, sh, round), windows(x.shape[1]!, pads.left + pads.right, kw, sw, round)];
      const [up, down] = [count(Math.ceil), count(Math.floor)];
      if (up.join() !== down.join()) {
        throw new InteropError(`${ctx.where}: ceil_mode 1 makes [${up.join(", ")}] windows where rounding down makes [${down.join(", ")}]; nnc's pooling rounds down, as TensorFlow's (ceil_mode 0), and imports ceil_mode 1 only where the two agree`);
      }
    }
    const out = poolShape(ctx.where, x.shape, window);
    if (fn === "average_pool2d" && intAttr(ctx, "count_include_pad", 0) === 1 && window.padding === "same") {
      const p = samePads(x.shape, window);
      if (p.top + p.bottom + p.left + p.right > 0) throw new InteropError(`${ctx.where}: count_include_pad 1 counts the padding's zeros in each mean; nnc (as TensorFlow) averages only the taps inside the image`);
    }
    return imageValue(ctx.b.assign(ctx.rawName, poolCall(fn, ref(x.name), window), out, `node '${ctx.node.name}' (${ctx.node.opType})`));
  };
}

/** GlobalAveragePool / GlobalMaxPool: [N, C, H, W] -> [N, C, 1, 1], one value per channel (an nnc vector [C]). */
function globalPooling(kind: "average" | "max") {
  return (ctx: NodeContext): OnnxValue => {
    const x = asImage(ctx, dataInput(ctx, 0));
    const [H, W, C] = x.shape as [number, number, number];
    const expr = kind === "average" ? call("global_average_pool2d", [ref(x.name)]) : globalMaxCall(ref(x.name), [H, W]);
    return data(ctx.b.assign(ctx.rawName, expr, [C], `node '${ctx.node.name}' (${ctx.node.opType})`), [C, 1, 1]);
  };
}

export const IMAGE_OPS: OpRow[] = [
  {
    opType: "Conv",
    becomes: "`conv2d(x, filters, kernel_size, strides, padding, dilation_rate, use_bias)`, `K` = the weight [out, in, kh, kw] as [kh, kw, in, out]; an activation that follows alone joins it; pads none or TensorFlow's same, group 1",
    run: conv,
  },
  { opType: "MaxPool", becomes: "`max_pool2d(x, pool_size, strides, padding)` (pads none or same; valid pooling must tile the image; ceil_mode only where it adds no window; no dilations)", run: pooling("max_pool2d") },
  { opType: "AveragePool", becomes: "`average_pool2d(x, pool_size, strides, padding)` (as MaxPool; with same padding, count_include_pad 0: the mean of the taps inside the image)", run: pooling("average_pool2d") },
  { opType: "GlobalAveragePool", becomes: "`global_average_pool2d(x)` (a vector of channels)", run: globalPooling("average") },
  { opType: "GlobalMaxPool", becomes: "`flatten(max_pool2d(x, [height, width]))` (a vector of channels)", run: globalPooling("max") },
];
