// How each op of nnc's inference graph is written as ONNX nodes, one row per op (opset 13,
// see export.ts for why). Values that depend on the input are [N, …] tensors (a per-sample
// scalar is [N, 1]; an image [N, H, W, C], or [N, C, H, W] around Conv and pooling: see
// export-context.ts); values computed from parameters alone keep their own shape, and ONNX's
// broadcasting lines them up. The image ops' rows are in export-images.ts. docs/interop.md's
// export table is generated from these rows.
//
//   add(matvec(W_h, x), b_h)   ->   Gemm(x, W_h, b_h; transB = 1)
//   normal_cdf(z)              ->   Mul(Add(Erf(Div(z, √2)), 1), 0.5)

import type { Node } from "../../ir/node.js";
import { floatAttr, inTheirLayout, intAttr, type ExportContext, type ExportRow } from "./export-context.js";
import { convWithBias, EXPORT_IMAGE_OPS, globalAverage } from "./export-images.js";
import { ATTRIBUTE_TYPE } from "./proto.js";

export type { ExportContext, ExportRow };
export { floatAttr, intAttr };

const inputsOf = (node: Node, ctx: ExportContext) => node.inputs.map((i) => ctx.value(i));

/** An elementwise function of one value, in the layout its input has. */
function simple(op: string, onnx: string): ExportRow {
  return { op, onnx: `${onnx}`, write: (node, ctx) => inTheirLayout(node, ctx, [...node.inputs], onnx) };
}

/**
 * Operands of elementwise math: a scalar broadcast to the other operand's shape is written as
 * the scalar itself (ONNX broadcasts it), so `h / 2` stays Div(h, 2) and reads back as `h / 2`.
 */
function binaryOperands(node: Node): Node[] {
  const [a, b] = node.inputs as [Node, Node];
  const scalar = (n: Node, other: Node) => n.op === "broadcast" && n.inputs[0]!.shape.length === 0 && other.op !== "broadcast";
  return [scalar(a, b) ? a.inputs[0]! : a, scalar(b, a) ? b.inputs[0]! : b];
}

function binary(op: string, onnx: string): ExportRow {
  return { op, onnx: `${onnx} (a scalar operand broadcast by ONNX)`, write: (node, ctx) => inTheirLayout(node, ctx, binaryOperands(node), onnx) };
}

const isParamMatrix = (n: Node, ctx: ExportContext) => n.shape.length === 2 && !ctx.isData(n);

/** W @ x with W from parameters and x a data vector: Gemm(x, W; transB = 1), with `bias` as C. */
function gemm(node: Node, W: Node, x: Node, bias: Node | undefined, ctx: ExportContext): string {
  const inputs = [ctx.value(x), ctx.value(W), ...(bias ? [ctx.value(bias)] : [])];
  // Named like PyTorch's "/fc1/Gemm": the layer `h` (whose pre-activation is z_h) reads back as `h`.
  const out = ctx.nameOf(node);
  return ctx.emit("Gemm", inputs, [intAttr("transB", 1)], out, `${out.replace(/^z_/, "")}/Gemm`);
}

/** Σ over a vector or image: per sample ([N, …] -> [N, 1]) or of parameters alone ([…] -> []). */
function reduce(op: string, node: Node, x: Node, ctx: ExportContext, axesAsInput: boolean): string {
  const data = ctx.isData(x);
  if (!data) return ctx.emit(op, [ctx.value(x)], [intAttr("keepdims", 0)], ctx.nameOf(node));
  const axes = x.shape.map((_, i) => i + 1);
  const keep = intAttr("keepdims", axes.length === 1 ? 1 : 0);
  const out = axes.length === 1 ? ctx.nameOf(node) : undefined;
  const sum = axesAsInput ? ctx.emit(op, [ctx.value(x), ctx.ints(axes)], [keep], out) : ctx.emit(op, [ctx.value(x)], [{ name: "axes", type: ATTRIBUTE_TYPE.INTS, ints: axes }, keep], out);
  // Over an image: [N] back to the [N, 1] of a per-sample scalar.
  return axes.length === 1 ? sum : ctx.emit("Reshape", [sum, ctx.ints([-1, 1])], [], ctx.nameOf(node));
}

export const EXPORT_OPS: ExportRow[] = [
  {
    op: "add",
    onnx: "Add; `W @ x + b` (W, b parameters) is one Gemm(x, W, b; transB = 1), `conv2d(x, K) + b` one Conv",
    write: (node, ctx) => {
      const conv = convWithBias(node, ctx);
      if (conv) return conv;
      const [a, b] = node.inputs as [Node, Node];
      for (const [mv, bias] of [
        [a, b],
        [b, a],
      ] as const) {
        if (mv.op === "matvec" && isParamMatrix(mv.inputs[0]!, ctx) && ctx.isData(mv.inputs[1]!) && !ctx.isData(bias) && bias.shape.length === 1) return gemm(node, mv.inputs[0]!, mv.inputs[1]!, bias, ctx);
      }
      return inTheirLayout(node, ctx, binaryOperands(node), "Add");
    },
  },
  binary("sub", "Sub"),
  { op: "mul", onnx: "Mul (a scalar operand broadcast by ONNX)", write: (node, ctx) => globalAverage(node, ctx) ?? inTheirLayout(node, ctx, binaryOperands(node), "Mul") },
  binary("div", "Div"),
  simple("neg", "Neg"),
  simple("exp", "Exp"),
  simple("log", "Log"),
  simple("sqrt", "Sqrt"),
  simple("abs", "Abs"),
  simple("sigmoid", "Sigmoid"),
  simple("tanh", "Tanh"),
  simple("relu", "Relu"),
  simple("softplus", "Softplus"),
  { op: "leaky_relu", onnx: "LeakyRelu(alpha)", write: (node, ctx) => inTheirLayout(node, ctx, [...node.inputs], "LeakyRelu", [floatAttr("alpha", Number(node.attrs["alpha"]))]) },
  { op: "elu", onnx: "Elu(alpha)", write: (node, ctx) => inTheirLayout(node, ctx, [...node.inputs], "Elu", [floatAttr("alpha", Number(node.attrs["alpha"]))]) },
  { op: "pow", onnx: "Pow(x, exponent)", write: (node, ctx) => ctx.emit("Pow", [ctx.value(node.inputs[0]!), ctx.scalar(Number(node.attrs["exponent"]))], [], ctx.nameOf(node)) },
  {
    op: "normal_cdf",
    onnx: "Φ(x) = (Erf(x / √2) + 1) · 0.5 (exact gelu is x · Φ(x))",
    write: (node, ctx) => {
      const x = ctx.value(node.inputs[0]!);
      const erf = ctx.emit("Erf", [ctx.emit("Div", [x, ctx.scalar(Math.SQRT2)])]);
      return ctx.emit("Mul", [ctx.emit("Add", [erf, ctx.scalar(1)]), ctx.scalar(0.5)], [], ctx.nameOf(node));
    },
  },
  {
    op: "matvec",
    onnx: "Gemm(x, W; transB = 1) for a parameter matrix; Mul + ReduceSum for a dot product",
    write: (node, ctx) => {
      const [W, x] = node.inputs as [Node, Node];
      if (W.shape.length === 2) {
        if (ctx.isData(W)) ctx.fail(node, "a matrix computed from the input cannot be written as ONNX by nnc");
        if (ctx.isData(x)) return gemm(node, W, x, undefined, ctx);
        return ctx.emit("MatMul", [ctx.value(W), ctx.value(x)], [], ctx.nameOf(node));
      }
      const product = ctx.emit("Mul", [ctx.value(W), ctx.value(x)]);
      const data = ctx.isData(W) || ctx.isData(x);
      return ctx.emit("ReduceSum", data ? [product, ctx.ints([1])] : [product], [intAttr("keepdims", data ? 1 : 0)], ctx.nameOf(node));
    },
  },
  {
    op: "broadcast",
    onnx: "Expand to the value's shape (a computed value first reshaped to [N, 1, …] so that ONNX lines its axes up as nnc does)",
    write: (node, ctx) => {
      const x = node.inputs[0]!;
      if (!ctx.isData(x)) return ctx.emit("Expand", [ctx.value(x), ctx.ints([...node.shape])], [], ctx.nameOf(node));
      // ONNX aligns shapes from the right, batch included: [N, C] against [1, H, W, C] needs [N, 1, 1, C] first.
      const rank = Math.max(x.shape.length, 1);
      const v = rank < node.shape.length ? ctx.emit("Reshape", [ctx.value(x), ctx.ints([-1, ...new Array<number>(node.shape.length - x.shape.length).fill(1), ...x.shape])]) : ctx.value(x);
      return ctx.emit("Expand", [v, ctx.ints([1, ...node.shape])], [], ctx.nameOf(node));
    },
  },
  { op: "sum", onnx: "ReduceSum over the vector or image (a per-sample scalar is [N, 1])", write: (node, ctx) => reduce("ReduceSum", node, node.inputs[0]!, ctx, true) },
  { op: "logsumexp", onnx: "ReduceLogSumExp over the vector (keepdims)", write: (node, ctx) => reduce("ReduceLogSumExp", node, node.inputs[0]!, ctx, false) },
  { op: "softmax", onnx: "Softmax(axis = -1)", write: (node, ctx) => ctx.emit("Softmax", inputsOf(node, ctx), [intAttr("axis", -1)], ctx.nameOf(node)) },
  { op: "logsoftmax", onnx: "LogSoftmax(axis = -1)", write: (node, ctx) => ctx.emit("LogSoftmax", inputsOf(node, ctx), [intAttr("axis", -1)], ctx.nameOf(node)) },
  ...EXPORT_IMAGE_OPS,
];
