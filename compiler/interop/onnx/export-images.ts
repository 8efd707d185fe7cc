// How nnc's image ops are written as ONNX (with export-ops.ts's rows they make EXPORT_OPS):
// Conv, MaxPool and AveragePool read and write channels-first images (export-context.ts says
// where the Transposes go), kernels are written [out, in, kh, kw] (transposed in their
// initializer), TensorFlow's "same" padding as explicit pads (the odd one at the end), and the
// patterns of a layer as one node: a convolution and its bias (one Conv), global pooling
// (GlobalAveragePool, GlobalMaxPool, then Flatten), reshapes (Flatten, Reshape).
//
//   add(conv2d(x, K_c), broadcast(b_c))          ->   Conv(x_nchw, K_c[out, in, kh, kw], b_c; pads)   named "c/Conv"
//   mul(unbroadcast(h -> [C]), 1 / (H · W))      ->   Flatten(GlobalAveragePool(h_nchw))

import type { Node } from "../../ir/node.js";
import { windowOf, type Window } from "../../ops/conv-geometry.js";
import { samePads } from "../images.js";
import { intAttr, intsAttr, type ExportContext, type ExportRow, type Written } from "./export-context.js";
import type { OnnxAttribute } from "./proto.js";

/** kernel_shape, strides, dilations and pads of a window over image `x` [H, W, C]. */
function windowAttrs(x: readonly number[], w: Window, dilations: boolean): OnnxAttribute[] {
  const p = w.padding === "same" ? samePads(x, w) : { top: 0, left: 0, bottom: 0, right: 0 };
  return [
    intsAttr("kernel_shape", [w.kh, w.kw]),
    intsAttr("strides", [w.sh, w.sw]),
    ...(dilations ? [intsAttr("dilations", [w.dh, w.dw])] : []),
    intsAttr("pads", [p.top, p.left, p.bottom, p.right]),
  ];
}

/** Conv of conv2d node `conv` (with `bias`, a parameter vector, as its B), channels first, named like PyTorch's "/conv1/Conv": the layer reads back as `conv1`. */
function convNode(conv: Node, bias: Node | undefined, out: string, ctx: ExportContext): Written {
  const [x, K] = conv.inputs as [Node, Node];
  if (!ctx.isData(x)) ctx.fail(conv, "a convolution of parameters alone cannot be written as ONNX by nnc");
  const w = windowOf(conv.attrs, [K.shape[0]!, K.shape[1]!]);
  const inputs = [ctx.nchw(x), ctx.convWeight(K), ...(bias ? [ctx.value(bias)] : [])];
  return { nchw: ctx.emit("Conv", inputs, windowAttrs(x.shape, w, true), out, `${out.replace(/^(z|Kx)_/, "")}/Conv`) };
}

/** add(conv2d(x, K), broadcast(b)) with b a parameter vector of the filters: one Conv with its bias. */
export function convWithBias(node: Node, ctx: ExportContext): Written | undefined {
  const [a, b] = node.inputs as [Node, Node];
  for (const [conv, bias] of [[a, b], [b, a]] as const) {
    const vector = bias.op === "broadcast" ? bias.inputs[0]! : bias;
    if (conv.op === "conv2d" && ctx.isData(conv.inputs[0]!) && !ctx.isData(vector) && vector.shape.length === 1 && vector.shape[0] === conv.shape[2]) return convNode(conv, vector, ctx.nameOf(node), ctx);
  }
  return undefined;
}

/** mul(unbroadcast(x -> [C]), 1 / (H · W)) of an image x (global_average_pool2d): GlobalAveragePool, flattened to [N, C]. */
export function globalAverage(node: Node, ctx: ExportContext): Written | undefined {
  const [a, b] = node.inputs as [Node, Node];
  for (const [sum, scale] of [[a, b], [b, a]] as const) {
    const x = sum.inputs[0];
    const c = scale.op === "broadcast" ? scale.inputs[0]! : scale;
    if (sum.op === "unbroadcast" && x && ctx.isData(x) && x.shape.length === 3 && sum.shape.join() === `${x.shape[2]}` && c.op === "const" && Number(c.attrs["value"]) === 1 / (x.shape[0]! * x.shape[1]!)) {
      // Named like PyTorch's "/gap/GlobalAveragePool": the pooling reads back as `gap`.
      const pooled = ctx.emit("GlobalAveragePool", [ctx.nchw(x)], [], undefined, `${ctx.nameOf(node)}/GlobalAveragePool`);
      return ctx.emit("Flatten", [pooled], [intAttr("axis", 1)], ctx.nameOf(node));
    }
  }
  return undefined;
}

function pooling(op: string, onnx: string, extra: OnnxAttribute[]): ExportRow {
  return {
    op,
    onnx: `${onnx} (channels first; same padding as explicit pads${extra.length ? ", count_include_pad 0" : ""})`,
    write: (node, ctx) => {
      const x = node.inputs[0]!;
      return { nchw: ctx.emit(onnx, [ctx.nchw(x)], [...windowAttrs(x.shape, windowOf(node.attrs), false), ...extra], ctx.nameOf(node)) };
    },
  };
}

/** A reshape: Flatten to a vector (GlobalMaxPool first for a max over the whole image), Reshape otherwise. */
function reshape(node: Node, ctx: ExportContext): Written {
  const x = node.inputs[0]!;
  if (!ctx.isData(x)) return ctx.emit("Reshape", [ctx.value(x), ctx.ints([...node.shape])], [], ctx.nameOf(node));
  if (node.shape.length !== 1) return ctx.emit("Reshape", [ctx.value(x), ctx.ints([-1, ...node.shape])], [], ctx.nameOf(node));
  if (x.op === "max_pool2d") {
    const image = x.inputs[0]!;
    const w = windowOf(x.attrs);
    if (w.padding === "valid" && w.kh === image.shape[0] && w.kw === image.shape[1]) {
      const pooled = ctx.emit("GlobalMaxPool", [ctx.nchw(image)], [], undefined, `${ctx.nameOf(node)}/GlobalMaxPool`);
      return ctx.emit("Flatten", [pooled], [intAttr("axis", 1)], ctx.nameOf(node));
    }
  }
  return ctx.emit("Flatten", [ctx.value(x)], [intAttr("axis", 1)], ctx.nameOf(node));
}

/** Σ of the repeated elements back onto a shape that broadcasts to the input's (leading axes, and axes of size 1). */
function unbroadcast(node: Node, ctx: ExportContext): Written {
  const x = node.inputs[0]!;
  const data = ctx.isData(x);
  const from = data ? 1 : 0;
  const lead = x.shape.length - node.shape.length;
  const ones = node.shape.flatMap((d, i) => (d === 1 && x.shape[lead + i] !== 1 ? [from + lead + i] : []));
  let v = ctx.value(x);
  if (ones.length > 0) v = ctx.emit("ReduceSum", [v, ctx.ints(ones)], [intAttr("keepdims", 1)]);
  if (lead === 0) return ctx.emit("Identity", [v], [], ctx.nameOf(node));
  const axes = Array.from({ length: lead }, (_, i) => from + i);
  // A per-sample scalar is [N, 1], as everywhere in the file.
  if (data && node.shape.length === 0) {
    if (lead === 1) return ctx.emit("ReduceSum", [v, ctx.ints(axes)], [intAttr("keepdims", 1)], ctx.nameOf(node));
    return ctx.emit("Reshape", [ctx.emit("ReduceSum", [v, ctx.ints(axes)], [intAttr("keepdims", 0)]), ctx.ints([-1, 1])], [], ctx.nameOf(node));
  }
  return ctx.emit("ReduceSum", [v, ctx.ints(axes)], [intAttr("keepdims", 0)], ctx.nameOf(node));
}

export const EXPORT_IMAGE_OPS: ExportRow[] = [
  {
    op: "conv2d",
    onnx: "Conv (channels first, the kernel [kh, kw, in, out] written [out, in, kh, kw]; same padding as explicit pads); `conv2d(x, K) + b` (b a parameter) is one Conv with b as its bias",
    write: (node, ctx) => convNode(node, undefined, ctx.nameOf(node), ctx),
  },
  pooling("max_pool2d", "MaxPool", []),
  pooling("avg_pool2d", "AveragePool", [intAttr("count_include_pad", 0)]),
  { op: "reshape", onnx: "Flatten (axis 1) to a vector, after GlobalMaxPool for `flatten(max_pool2d(x, [height, width]))`; Reshape otherwise", write: reshape },
  { op: "unbroadcast", onnx: "ReduceSum over the repeated axes; `global_average_pool2d(x)` is GlobalAveragePool then Flatten", write: unbroadcast },
];
