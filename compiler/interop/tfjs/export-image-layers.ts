// How nnc's image ops become TensorFlow.js layers (with export-layers.ts's rows they make
// EXPORT_LAYERS): a convolution layer (conv2d of a parameter kernel, its bias and activation),
// the poolings, and the reshapes. Keras' images are nnc's (channels last, kernels
// [kh, kw, in, out], TensorFlow's "same"), so configs carry nnc's numbers and kernels go as
// they are.
//
//   relu(add(conv2d(x, K_c), broadcast(b_c)))         ->   Conv2D{name: "c", filters, kernel_size, activation: "relu"}
//   reshape(max_pool2d(h; the whole image) -> [C])      ->   GlobalMaxPooling2D
//   mul(unbroadcast(h -> [C]), 1 / (H · W))             ->   GlobalAveragePooling2D

import type { Node } from "../../ir/node.js";
import { windowOf } from "../../ops/conv-geometry.js";
import { namedActivation, type ExportLayerRow, type LayerSpec } from "./export-patterns.js";

type IsData = (n: Node) => boolean;

const isParam = (n: Node, rank: number) => n.op === "param" && n.shape.length === rank;

/** conv2d(x, K) (+ b) with K [kh, kw, in, out] and b [out] parameters and x computed from the input. */
function convolution(node: Node, isData: IsData): { conv: Node; b?: Node } | undefined {
  const plain = (n: Node) => (n.op === "conv2d" && isParam(n.inputs[1]!, 4) && isData(n.inputs[0]!) ? n : undefined);
  const bias = (n: Node) => (n.op === "broadcast" && isParam(n.inputs[0]!, 1) ? n.inputs[0]! : n.op === "param" && n.shape.length === 1 && n.shape[0] === node.shape[2] ? n : undefined);
  if (node.op === "add") {
    const [a, c] = node.inputs as [Node, Node];
    for (const [conv, b] of [[plain(a), bias(c)], [plain(c), bias(a)]] as const) if (conv && b) return { conv, b };
  }
  const conv = plain(node);
  return conv ? { conv } : undefined;
}

function conv2d(node: Node, isData: IsData): LayerSpec | undefined {
  const act = namedActivation(node);
  const core = act ? convolution(act.of, isData) : undefined;
  const found = core ?? convolution(node, isData);
  if (!found) return undefined;
  const K = found.conv.inputs[1]!;
  const w = windowOf(found.conv.attrs, [K.shape[0]!, K.shape[1]!]);
  const spec: LayerSpec = {
    className: "Conv2D",
    config: {
      filters: K.shape[3],
      kernel_size: [w.kh, w.kw],
      strides: [w.sh, w.sw],
      padding: w.padding,
      data_format: "channels_last",
      dilation_rate: [w.dh, w.dw],
      activation: core ? act!.name : "linear",
      use_bias: found.b !== undefined,
    },
    inputs: [found.conv.inputs[0]!],
    kernel: K,
    ...(found.b ? { bias: found.b } : {}),
  };
  // TensorFlow (and tfjs) refuses a convolution both strided and dilated.
  if ((w.sh > 1 || w.sw > 1) && (w.dh > 1 || w.dw > 1)) spec.problem = "a convolution with both strides and dilation_rate above 1, which TensorFlow.js cannot run";
  return spec;
}

function pooling(op: string, className: string) {
  return (node: Node, isData: IsData): LayerSpec | undefined => {
    if (node.op !== op || !isData(node.inputs[0]!)) return undefined;
    const w = windowOf(node.attrs);
    return { className, config: { pool_size: [w.kh, w.kw], strides: [w.sh, w.sw], padding: w.padding, data_format: "channels_last" }, inputs: [node.inputs[0]!] };
  };
}

/** global_average_pool2d(x): Σ over height and width back onto the channels, times 1 / (H · W). */
function globalAverage(node: Node, isData: IsData): LayerSpec | undefined {
  if (node.op !== "mul") return undefined;
  const [a, b] = node.inputs as [Node, Node];
  for (const [sum, scale] of [[a, b], [b, a]] as const) {
    const x = sum.inputs[0];
    if (sum.op !== "unbroadcast" || !x || !isData(x) || x.shape.length !== 3 || sum.shape.join() !== `${x.shape[2]}`) continue;
    const c = scale.op === "broadcast" ? scale.inputs[0]! : scale;
    if (c.op === "const" && c.shape.length === 0 && Number(c.attrs["value"]) === 1 / (x.shape[0]! * x.shape[1]!)) {
      return { className: "GlobalAveragePooling2D", config: { data_format: "channels_last" }, inputs: [x] };
    }
  }
  return undefined;
}

/** flatten(max_pool2d(x, [H, W])): one window over the whole image, as a vector of channels. */
function globalMax(node: Node, isData: IsData): LayerSpec | undefined {
  const pool = node.inputs[0];
  if (node.op !== "reshape" || node.shape.length !== 1 || pool?.op !== "max_pool2d" || !isData(pool.inputs[0]!)) return undefined;
  const x = pool.inputs[0]!;
  const w = windowOf(pool.attrs);
  if (w.padding !== "valid" || w.kh !== x.shape[0] || w.kw !== x.shape[1]) return undefined;
  return { className: "GlobalMaxPooling2D", config: { data_format: "channels_last" }, inputs: [x] };
}

function reshape(flat: boolean) {
  return (node: Node, isData: IsData): LayerSpec | undefined => {
    if (node.op !== "reshape" || !isData(node.inputs[0]!) || (node.shape.length === 1) !== flat) return undefined;
    return flat ? { className: "Flatten", config: { data_format: "channels_last" }, inputs: [node.inputs[0]!] } : { className: "Reshape", config: { target_shape: [...node.shape] }, inputs: [node.inputs[0]!] };
  };
}

export const EXPORT_IMAGE_LAYERS: ExportLayerRow[] = [
  { pattern: "`act(conv2d(x, K) + b)`, `act(conv2d(x, K))` (K, b parameters; act as for Dense; not both strided and dilated, which tfjs cannot run); the kernel as it is", className: "Conv2D", match: conv2d },
  { pattern: "`max_pool2d(x, …)`", className: "MaxPooling2D", match: pooling("max_pool2d", "MaxPooling2D") },
  { pattern: "`average_pool2d(x, …)`", className: "AveragePooling2D", match: pooling("avg_pool2d", "AveragePooling2D") },
  { pattern: "`global_average_pool2d(x)`", className: "GlobalAveragePooling2D", match: globalAverage },
  { pattern: "`flatten(max_pool2d(x, [height, width]))` (one window over the whole image)", className: "GlobalMaxPooling2D", match: globalMax },
  { pattern: "`flatten(x)` (a reshape to a vector)", className: "Flatten", match: reshape(true) },
  { pattern: "`reshape(x, shape)`", className: "Reshape", match: reshape(false) },
];
