// The ONNX operators nnc imports, one row per operator: what the node becomes in the model file.
// A node of another type is refused by name (import.ts); docs/interop.md's table is generated
// from these rows (tests/interop/docs.test.ts keeps it in step). Values are per sample: a graph
// value [N, k] is an nnc vector [k], an image [N, C, H, W] an nnc image [H, W, C]
// (node-context.ts); initializers are weights (`param` lines, or the weights of a layer); a Gemm
// or MatMul by a weight, with its bias Add and its activation, is a dense layer. The image
// operators' rows are in import-images.ts, those that only move elements in import-layout.ts.
//
//   Gemm(x, fc1.weight, fc1.bias; transB = 1) → Relu   ->   fc1 = dense(x, 8, relu)

import { shown } from "../../data/errors.js";
import { nncActivation, type ActivationForm } from "../activations.js";
import { bin, call, num, ref } from "../draft.js";
import { InteropError } from "../errors.js";
import { IMAGE_OPS } from "./import-images.js";
import { asVector, constOperand, LAYOUT_OPS, matchOperands } from "./import-layout.js";
import { activationOfNode, constInput, data, dataInput, floatAttr, heldBy, intAttr, overAVector, scalarOf, type DataValue, type NodeContext, type OnnxValue, type OpRow } from "./node-context.js";
import type { Constant } from "./read.js";

export { float32Text } from "./node-context.js";
export type { NodeContext, OnnxValue, OpRow };

/**
 * Float32 weights of an initializer as nnc's W [out, in]: B as stored when transposed, else Bᵀ;
 * its columns in nnc's order of the input's elements (after a Flatten of a channels-first image,
 * column n reads ONNX's element perm[n]).
 */
function kernel(ctx: NodeContext, B: Constant, x: DataValue, transposed: boolean, scale: number): { W: Float64Array; units: number } {
  if (B.dims.length !== 2) throw new InteropError(`${ctx.where}: the weight has dims [${B.dims.join(", ")}]; expected a matrix`);
  const [r, c] = B.dims as [number, number];
  const [units, inn] = transposed ? [r, c] : [c, r];
  const inSize = x.dims[0]!;
  if (inn !== inSize) throw new InteropError(`${ctx.where}: the weight has dims [${B.dims.join(", ")}]${transposed ? " (transB)" : ""}, which takes ${inn} inputs; the node's input has ${inSize}`);
  const W = new Float64Array(units * inn);
  const column = (i: number) => (x.perm ? x.perm[i]! : i);
  for (let o = 0; o < units; o++) for (let i = 0; i < inn; i++) W[o * inn + i] = scale * (transposed ? B.data[o * inn + column(i)]! : B.data[column(i) * units + o]!);
  return { W, units };
}

/** Where a dense weight's columns come from, when not in the file's order. */
const columns = (x: DataValue) => (x.perm ? `, columns in nnc's order of ${x.order ?? "its reordered input"}` : "");

/** A bias of `units` values from a constant of that size (or one value, broadcast). */
function biasOf(ctx: NodeContext, C: Constant, units: number, scale: number): Float64Array {
  const n = C.data.length;
  const lead = C.dims.slice(0, -1).every((d) => d === 1);
  if (!(lead && (n === units || n === 1))) throw new InteropError(`${ctx.where}: the bias has dims [${C.dims.join(", ")}]; expected [${units}]`);
  return Float64Array.from({ length: units }, (_, i) => scale * C.data[n === 1 ? 0 : i]!);
}

/** Gemm or MatMul by a weight, then its bias Add and its activation when they follow alone: one dense layer. */
function denseFrom(ctx: NodeContext, input: DataValue, W: Float64Array, units: number, bias: Float64Array | undefined, from: { kernel: string; bias?: string }, weight: string): OnnxValue {
  const x = asVector(ctx, input);
  let b = bias;
  const fromBias = { ...from };
  let next = ctx.soleConsumerOf(ctx.node);
  if (!b && next?.opType === "Add") {
    const add = next;
    const operand = ctx.valueOf(add.inputs[add.inputs[0] === ctx.node.outputs[0] ? 1 : 0]!);
    if (operand?.kind === "const" && (operand.data.length === units || operand.data.length === 1) && operand.dims.slice(0, -1).every((d) => d === 1)) {
      b = biasOf(ctx, operand, units, 1);
      fromBias.bias = operand.source;
      ctx.absorb(add);
      next = ctx.soleConsumerOf(add);
    }
  }
  let activation = nncActivation("linear");
  const act = next ? activationOfNode(ctx, next) : undefined;
  if (next && act?.dense) {
    activation = act;
    ctx.absorb(next);
  }
  const value = ctx.b.dense({ raw: ctx.rawName, x, units, kernel: W, ...(b ? { bias: b } : {}), activation, comment: `node '${ctx.node.name}' (${ctx.node.opType})${activation.name !== "linear" ? ` + ${activation.name}` : ""}`, from: fromBias, options: ctx.penalties(weight) });
  return data(value, [units]);
}

function gemm(ctx: NodeContext): OnnxValue {
  if (intAttr(ctx, "transA", 0) !== 0) throw new InteropError(`${ctx.where}: transA = 1 is not supported (the model's input must be the first operand, untransposed)`);
  const x = dataInput(ctx, 0);
  const B = constInput(ctx, 1, "a weight");
  const alpha = floatAttr(ctx, "alpha", 1);
  const beta = floatAttr(ctx, "beta", 1);
  const transB = intAttr(ctx, "transB", 0) !== 0;
  if (x.dims.length !== 1) asVector(ctx, x);
  const { W, units } = kernel(ctx, B, x, transB, alpha);
  const C = ctx.input(2);
  if (C && C.kind !== "const") throw new InteropError(`${ctx.where}: input 3 (the bias) must be an initializer or Constant`);
  const bias = C ? biasOf(ctx, C, units, beta) : undefined;
  const scaled = alpha !== 1 ? ` × ${alpha}` : "";
  return denseFrom(ctx, x, W, units, bias, { kernel: `${B.source}${transB ? "" : ", transposed"}${scaled}${columns(x)}`, ...(C ? { bias: `${C.source}${beta !== 1 ? ` × ${beta}` : ""}` } : {}) }, B.source);
}

function matmul(ctx: NodeContext): OnnxValue {
  const x = dataInput(ctx, 0);
  const B = constInput(ctx, 1, "a weight");
  if (x.dims.length !== 1) asVector(ctx, x);
  const { W, units } = kernel(ctx, B, x, false, 1);
  return denseFrom(ctx, x, W, units, undefined, { kernel: `${B.source}, transposed${columns(x)}` }, B.source);
}

function elementwise(op: "+" | "-" | "*" | "/") {
  return (ctx: NodeContext): OnnxValue => {
    const [a, b] = [ctx.input(0), ctx.input(1)];
    if (!a || !b) throw new InteropError(`${ctx.where}: expected two inputs`);
    if (a.kind === "const" && b.kind === "const") throw new InteropError(`${ctx.where}: both operands are constants; nnc imports math on the model's values`);
    const comment = `node '${ctx.node.name}' (${ctx.node.opType})`;
    if (a.kind === "data" && b.kind === "data") {
      const [x, y] = matchOperands(ctx, a, b);
      return heldBy(a, ctx.b.assign(ctx.rawName, bin(op, ref(x.name), ref(y.name)), x.shape, comment));
    }
    const v = (a.kind === "data" ? a : b) as DataValue;
    const operand = (o: OnnxValue) => (o.kind === "data" ? ref(o.value.name) : constOperand(ctx, o, v));
    return heldBy(v, ctx.b.assign(ctx.rawName, bin(op, operand(a), operand(b)), v.value.shape, comment));
  };
}

/** An elementwise function of one value (softmax and log_softmax: of a vector, which they are equivariant to the order of). */
function applying(ctx: NodeContext, form: ActivationForm): OnnxValue {
  const v = dataInput(ctx, 0);
  const x = overAVector(form) ? asVector(ctx, v) : v.value;
  return heldBy(v, ctx.b.assign(ctx.rawName, form.apply(ref(x.name)), x.shape, `node '${ctx.node.name}' (${ctx.node.opType})`, form.nnc));
}

const activation = (ctx: NodeContext) => applying(ctx, activationOfNode(ctx, ctx.node)!);
const math = (fn: string) => (ctx: NodeContext) => applying(ctx, { name: fn, apply: (x) => call(fn, [x]) });

function dropout(ctx: NodeContext): OnnxValue {
  const x = dataInput(ctx, 0);
  if (ctx.node.outputs.length > 1 && ctx.node.outputs[1] !== "") throw new InteropError(`${ctx.where}: its mask output is used; nnc's dropout has none`);
  let rate = ctx.opset < 12 ? floatAttr(ctx, "ratio", 0.5) : 0.5;
  const r = ctx.input(1);
  if (r) {
    if (r.kind !== "const" || r.data.length !== 1) throw new InteropError(`${ctx.where}: the ratio must be one constant number`);
    rate = scalarOf(r);
  }
  if (!(rate >= 0 && rate < 1)) throw new InteropError(`${ctx.where}: ratio ${rate} is outside [0, 1)`);
  if (rate === 0) return x;
  return heldBy(x, ctx.b.assign(ctx.rawName, call("dropout", [ref(x.value.name), num(rate)]), x.value.shape, `node '${ctx.node.name}' (Dropout)`));
}

export const ONNX_OPS: OpRow[] = [
  { opType: "Gemm", becomes: "`dense(x, units, …)` with `W` = alpha · B (Bᵀ without transB), `b` = beta · C; the Add of a bias and an activation that follow alone join it", run: gemm },
  { opType: "MatMul", becomes: "`dense(x, units, …)` (`W` = Bᵀ, B an initializer); a bias Add and an activation that follow alone join it", run: matmul },
  { opType: "Add", becomes: "`a + b` (a constant: a number, or a `param` of what it varies over in nnc's order: a bias [C, 1, 1] of an image is a vector [C])", run: elementwise("+") },
  { opType: "Sub", becomes: "`a - b`", run: elementwise("-") },
  { opType: "Mul", becomes: "`a * b`", run: elementwise("*") },
  { opType: "Div", becomes: "`a / b`", run: elementwise("/") },
  { opType: "Relu", becomes: "`relu(x)`", run: activation },
  { opType: "LeakyRelu", becomes: "`leaky_relu(x, negative_slope = alpha)` (ONNX's default alpha 0.01)", run: activation },
  { opType: "Elu", becomes: "`elu(x, alpha)`", run: activation },
  { opType: "Sigmoid", becomes: "`sigmoid(x)`", run: activation },
  { opType: "Tanh", becomes: "`tanh(x)`", run: activation },
  { opType: "Softplus", becomes: "`softplus(x)`", run: activation },
  { opType: "Softmax", becomes: "`softmax(x)` (axis 1 or -1)", run: activation },
  { opType: "LogSoftmax", becomes: "`log_softmax(x)` (axis 1 or -1)", run: activation },
  { opType: "Exp", becomes: "`exp(x)`", run: math("exp") },
  { opType: "Log", becomes: "`log(x)`", run: math("log") },
  { opType: "Sqrt", becomes: "`sqrt(x)`", run: math("sqrt") },
  { opType: "Abs", becomes: "`abs(x)`", run: math("abs") },
  { opType: "Neg", becomes: "`-x`", run: (ctx) => applying(ctx, { name: "neg", apply: (x) => ({ k: "neg", a: x }) }) },
  { opType: "Identity", becomes: "nothing (the same value)", run: (ctx) => ctx.input(0)! },
  { opType: "Dropout", becomes: "`dropout(x, ratio)` (nothing when the ratio is 0)", run: dropout },
  ...LAYOUT_OPS,
  ...IMAGE_OPS,
  { opType: "Constant", becomes: "a constant (a number, or a weight)", run: constant },
];

function constant(ctx: NodeContext): OnnxValue {
  const a = ctx.node.attributes[0];
  if (!a || ctx.node.attributes.length !== 1) throw new InteropError(`${ctx.where}: expected one attribute (value)`);
  const source = `Constant '${ctx.node.name || ctx.node.outputs[0]}'`;
  if (a.name === "value_float" && a.f !== undefined) return { kind: "const", source, dims: [], data: Float64Array.of(a.f), float32: true };
  if (a.name === "value_int" && a.i !== undefined) return { kind: "const", source, dims: [], data: Float64Array.of(a.i) };
  if (a.name === "value_floats" || a.name === "value_ints") {
    const list = a.floats ?? a.ints ?? [];
    return { kind: "const", source, dims: [list.length], data: Float64Array.from(list), ...(a.floats ? { float32: true } : {}) };
  }
  if (a.name === "value" && a.t) return { kind: "const", source, ...ctx.tensor(a.t) };
  throw new InteropError(`${ctx.where}: attribute ${shown(a.name)} is not supported (value, value_float(s), value_int(s))`);
}
