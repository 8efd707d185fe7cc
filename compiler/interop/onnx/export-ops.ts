// How each op of nnc's inference graph is written as ONNX nodes, one row per op (opset 13,
// see export.ts for why). Values that depend on the input are [N, k] tensors (a per-sample
// scalar is [N, 1]); values computed from parameters alone keep their own shape, and ONNX's
// broadcasting lines them up. docs/interop.md's export table is generated from these rows.
//
//   add(matvec(W_h, x), b_h)   ->   Gemm(x, W_h, b_h; transB = 1)
//   normal_cdf(z)              ->   Mul(Add(Erf(Div(z, √2)), 1), 0.5)
//
// Images slot in here: conv2d and pooling ops get rows writing Conv / MaxPool / AveragePool /
// GlobalAveragePool between Transpose nodes (nnc is channels-last, ONNX channels-first), their
// kernels transposed from [kh, kw, in, out] to [out, in, kh, kw] in the initializer.

import type { Node } from "../../ir/node.js";
import type { OnnxAttribute } from "./proto.js";
import { ATTRIBUTE_TYPE } from "./proto.js";

export interface ExportContext {
  /** The ONNX value holding `node` (emitted first if need be). */
  value(node: Node): string;
  /** Whether `node` depends on the model's input (then it has a batch dimension). */
  isData(node: Node): boolean;
  /** A float32 scalar initializer. */
  scalar(value: number): string;
  /** An int64 vector initializer (axes, shapes). */
  ints(values: number[]): string;
  /** Adds a node; returns its output's name, `out` or a fresh one. The node is named `nodeName`, else after its output. */
  emit(opType: string, inputs: string[], attributes?: OnnxAttribute[], out?: string, nodeName?: string): string;
  /** The name the node's value should have (its name in the model, or op_id). */
  nameOf(node: Node): string;
  /** Refuses the node: it cannot be written as ONNX. */
  fail(node: Node, why: string): never;
}

export interface ExportRow {
  op: string;
  /** What it becomes, for docs/interop.md. */
  onnx: string;
  write(node: Node, ctx: ExportContext): string;
}

export const intAttr = (name: string, i: number): OnnxAttribute => ({ name, type: ATTRIBUTE_TYPE.INT, i });
export const floatAttr = (name: string, f: number): OnnxAttribute => ({ name, type: ATTRIBUTE_TYPE.FLOAT, f });

const inputsOf = (node: Node, ctx: ExportContext) => node.inputs.map((i) => ctx.value(i));

function simple(op: string, onnx: string): ExportRow {
  return { op, onnx: `${onnx}`, write: (node, ctx) => ctx.emit(onnx, inputsOf(node, ctx), [], ctx.nameOf(node)) };
}

/**
 * Operands of elementwise math: a scalar broadcast to the other operand's shape is written as
 * the scalar itself (ONNX broadcasts it), so `h / 2` stays Div(h, 2) and reads back as `h / 2`.
 */
function binaryOperands(node: Node, ctx: ExportContext): string[] {
  const [a, b] = node.inputs as [Node, Node];
  const scalar = (n: Node, other: Node) => n.op === "broadcast" && n.inputs[0]!.shape.length === 0 && other.op !== "broadcast";
  return [scalar(a, b) ? ctx.value(a.inputs[0]!) : ctx.value(a), scalar(b, a) ? ctx.value(b.inputs[0]!) : ctx.value(b)];
}

function binary(op: string, onnx: string): ExportRow {
  return { op, onnx: `${onnx} (a scalar operand broadcast by ONNX)`, write: (node, ctx) => ctx.emit(onnx, binaryOperands(node, ctx), [], ctx.nameOf(node)) };
}

const isParamMatrix = (n: Node, ctx: ExportContext) => n.shape.length === 2 && !ctx.isData(n);

/** W @ x with W from parameters and x a data vector: Gemm(x, W; transB = 1), with `bias` as C. */
function gemm(node: Node, W: Node, x: Node, bias: Node | undefined, ctx: ExportContext): string {
  const inputs = [ctx.value(x), ctx.value(W), ...(bias ? [ctx.value(bias)] : [])];
  // Named like PyTorch's "/fc1/Gemm": the layer `h` (whose pre-activation is z_h) reads back as `h`.
  const out = ctx.nameOf(node);
  return ctx.emit("Gemm", inputs, [intAttr("transB", 1)], out, `${out.replace(/^z_/, "")}/Gemm`);
}

/** Σ over a vector: per sample ([N, k] -> [N, 1]) or of parameters alone ([k] -> []). */
function reduce(op: string, node: Node, x: Node, ctx: ExportContext, axesAsInput: boolean): string {
  const data = ctx.isData(x);
  const keep = intAttr("keepdims", data ? 1 : 0);
  if (!data) return ctx.emit(op, [ctx.value(x)], [keep], ctx.nameOf(node));
  if (axesAsInput) return ctx.emit(op, [ctx.value(x), ctx.ints([1])], [keep], ctx.nameOf(node));
  return ctx.emit(op, [ctx.value(x)], [{ name: "axes", type: ATTRIBUTE_TYPE.INTS, ints: [1] }, keep], ctx.nameOf(node));
}

export const EXPORT_OPS: ExportRow[] = [
  {
    op: "add",
    onnx: "Add; `W @ x + b` (W, b parameters) is one Gemm(x, W, b; transB = 1)",
    write: (node, ctx) => {
      const [a, b] = node.inputs as [Node, Node];
      for (const [mv, bias] of [
        [a, b],
        [b, a],
      ] as const) {
        if (mv.op === "matvec" && isParamMatrix(mv.inputs[0]!, ctx) && ctx.isData(mv.inputs[1]!) && !ctx.isData(bias) && bias.shape.length === 1) return gemm(node, mv.inputs[0]!, mv.inputs[1]!, bias, ctx);
      }
      return ctx.emit("Add", binaryOperands(node, ctx), [], ctx.nameOf(node));
    },
  },
  binary("sub", "Sub"),
  binary("mul", "Mul"),
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
  { op: "leaky_relu", onnx: "LeakyRelu(alpha)", write: (node, ctx) => ctx.emit("LeakyRelu", inputsOf(node, ctx), [floatAttr("alpha", Number(node.attrs["alpha"]))], ctx.nameOf(node)) },
  { op: "elu", onnx: "Elu(alpha)", write: (node, ctx) => ctx.emit("Elu", inputsOf(node, ctx), [floatAttr("alpha", Number(node.attrs["alpha"]))], ctx.nameOf(node)) },
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
    onnx: "Expand to the vector's size",
    write: (node, ctx) => {
      const x = node.inputs[0]!;
      const shape = ctx.isData(x) ? [1, ...node.shape] : [...node.shape];
      return ctx.emit("Expand", [ctx.value(x), ctx.ints(shape)], [], ctx.nameOf(node));
    },
  },
  { op: "sum", onnx: "ReduceSum over the vector (keepdims)", write: (node, ctx) => reduce("ReduceSum", node, node.inputs[0]!, ctx, true) },
  { op: "logsumexp", onnx: "ReduceLogSumExp over the vector (keepdims)", write: (node, ctx) => reduce("ReduceLogSumExp", node, node.inputs[0]!, ctx, false) },
  { op: "softmax", onnx: "Softmax(axis = -1)", write: (node, ctx) => ctx.emit("Softmax", inputsOf(node, ctx), [intAttr("axis", -1)], ctx.nameOf(node)) },
  { op: "logsoftmax", onnx: "LogSoftmax(axis = -1)", write: (node, ctx) => ctx.emit("LogSoftmax", inputsOf(node, ctx), [intAttr("axis", -1)], ctx.nameOf(node)) },
];
