// The ONNX operators nnc imports, one row per operator: what the node becomes in the model file.
// A node of another type is refused by name (import.ts); docs/interop.md's table is generated
// from these rows (tests/interop/docs.test.ts keeps it in step). Values are per-sample vectors:
// a graph value [N, k] is an nnc vector [k]; initializers are weights (`param` lines or the W and
// b of a dense layer); a Gemm or MatMul by a weight, with its bias Add and its activation, is a
// dense layer.
//
//   Gemm(x, fc1.weight, fc1.bias; transB = 1) → Relu   ->   fc1 = dense(x, 8, relu)
//
// Images slot in here: Conv, MaxPool, AveragePool, GlobalAveragePool get rows writing the
// language's conv2d / pooling calls; ONNX is channels-first (NCHW, weights [out, in, kh, kw]) and
// nnc channels-last as Keras, so their weights are transposed here, at the boundary.

import { shown } from "../../data/errors.js";
import { nncActivation, type ActivationForm } from "../activations.js";
import type { DraftBuilder, Value } from "../builder.js";
import { bin, call, num, ref, type NnExpr } from "../draft.js";
import { InteropError } from "../errors.js";
import type { OnnxNode } from "./proto.js";
import type { Constant } from "./read.js";

/** A value of the ONNX graph: a constant (initializer, Constant) or a per-sample vector. */
export type OnnxValue = ({ kind: "const"; source: string } & Constant) | { kind: "data"; value: Value };

export interface NodeContext {
  /** `m.onnx: node '/fc1/Gemm' (Gemm)`, for messages. */
  where: string;
  /** The same for another node (one this node absorbs). */
  whereOf(node: OnnxNode): string;
  node: OnnxNode;
  opset: number;
  b: DraftBuilder;
  /** The readable name for this node's statement ("/fc1/Gemm" -> "fc1"). */
  rawName: string;
  /** Input i, or undefined when it is absent (optional inputs). */
  input(i: number): OnnxValue | undefined;
  attr(name: string): { f?: number; i?: number; ints?: number[]; floats?: number[]; t?: unknown; type: number } | undefined;
  /** A value of the graph by name. */
  valueOf(name: string): OnnxValue | undefined;
  /** The node that alone consumes `node`'s output 0 (which is no graph output), for fusing it. */
  soleConsumerOf(node: OnnxNode): OnnxNode | undefined;
  /** A tensor attribute's values. */
  tensor(t: unknown): Constant;
  /** The l1 / l2 nnc's export recorded for a weight, as dense() arguments. */
  penalties(weight: string): [string, NnExpr][];
  /** Marks `node` as computed by this one: its outputs are this node's result. */
  absorb(node: OnnxNode): void;
  /** The weight as a `param` (one per initializer, however often it is used). */
  paramOf(c: OnnxValue & { kind: "const" }, shape: number[]): string;
}

export interface OpRow {
  opType: string;
  becomes: string;
  run(ctx: NodeContext): OnnxValue;
}

const data = (value: Value): OnnxValue => ({ kind: "data", value });

function dataInput(ctx: NodeContext, i: number): Value {
  const v = ctx.input(i);
  if (!v || v.kind !== "data") throw new InteropError(`${ctx.where}: input ${i + 1} (${shown(ctx.node.inputs[i] ?? "")}) must be computed from the model's input${v ? ", not a constant" : ""}`);
  return v.value;
}

function constInput(ctx: NodeContext, i: number, what: string): OnnxValue & { kind: "const" } {
  const v = ctx.input(i);
  if (!v || v.kind !== "const") throw new InteropError(`${ctx.where}: input ${i + 1} (${shown(ctx.node.inputs[i] ?? "")}) must be ${what} (an initializer or Constant); computed ${what}s are not supported`);
  return v;
}

function intAttr(ctx: NodeContext, name: string, fallback: number, node = ctx.node): number {
  return node.attributes.find((a) => a.name === name)?.i ?? fallback;
}

/** The shortest decimal that is this float32 (ONNX float attributes are float32: 0.1 arrives as 0.10000000149…). */
export function float32Text(v: number): number {
  for (let p = 1; p < 17; p++) {
    const shorter = Number(v.toPrecision(p));
    if (Math.fround(shorter) === v) return shorter;
  }
  return v;
}

/** A one-value constant as the model file writes it. */
function scalarOf(c: Constant): number {
  return c.float32 ? float32Text(c.data[0]!) : c.data[0]!;
}

function floatAttr(ctx: NodeContext, name: string, fallback: number, node = ctx.node): number {
  const f = node.attributes.find((a) => a.name === name)?.f;
  if (f === undefined) return fallback;
  if (!Number.isFinite(f)) throw new InteropError(`${ctx.whereOf(node)}: attribute ${name} is ${f}`);
  return float32Text(f);
}

/** Softmax-like ops must work along the vector (axis 1 or -1 of [N, k]), never across the batch. */
function lastAxis(ctx: NodeContext, node: OnnxNode): void {
  const axis = intAttr(ctx, "axis", ctx.opset >= 13 ? -1 : 1, node);
  if (axis !== 1 && axis !== -1) throw new InteropError(`${ctx.whereOf(node)}: axis ${axis} is not supported (nnc applies it along each sample's vector: axis 1 or -1)`);
}

/** The activation an activation node applies (reading that node's attributes), or undefined for other nodes. */
export function activationOfNode(ctx: NodeContext, node: OnnxNode): ActivationForm | undefined {
  switch (node.opType) {
    case "Relu":
      return nncActivation("relu");
    case "Sigmoid":
      return nncActivation("sigmoid");
    case "Tanh":
      return nncActivation("tanh");
    case "Softplus":
      return nncActivation("softplus");
    case "Elu":
      return nncActivation("elu", { alpha: floatAttr(ctx, "alpha", 1, node) });
    case "LeakyRelu":
      return nncActivation("leaky_relu", { negative_slope: floatAttr(ctx, "alpha", 0.01, node) });
    case "Softmax":
      lastAxis(ctx, node);
      return nncActivation("softmax");
    case "LogSoftmax":
      lastAxis(ctx, node);
      return { name: "log_softmax", apply: (x) => call("log_softmax", [x]) };
    default:
      return undefined;
  }
}

/** Float32 weights of an initializer as nnc's W [out, in]: B as stored when transposed, else Bᵀ. */
function kernel(ctx: NodeContext, B: Constant, inSize: number, transposed: boolean, scale: number): { W: Float64Array; units: number } {
  if (B.dims.length !== 2) throw new InteropError(`${ctx.where}: the weight has dims [${B.dims.join(", ")}]; expected a matrix`);
  const [r, c] = B.dims as [number, number];
  const [units, inn] = transposed ? [r, c] : [c, r];
  if (inn !== inSize) throw new InteropError(`${ctx.where}: the weight has dims [${B.dims.join(", ")}]${transposed ? " (transB)" : ""}, which takes ${inn} inputs; the node's input has ${inSize}`);
  const W = new Float64Array(units * inn);
  for (let o = 0; o < units; o++) for (let i = 0; i < inn; i++) W[o * inn + i] = scale * (transposed ? B.data[o * inn + i]! : B.data[i * units + o]!);
  return { W, units };
}

/** A bias of `units` values from a constant of that size (or one value, broadcast). */
function biasOf(ctx: NodeContext, C: Constant, units: number, scale: number): Float64Array {
  const n = C.data.length;
  const lead = C.dims.slice(0, -1).every((d) => d === 1);
  if (!(lead && (n === units || n === 1))) throw new InteropError(`${ctx.where}: the bias has dims [${C.dims.join(", ")}]; expected [${units}]`);
  return Float64Array.from({ length: units }, (_, i) => scale * C.data[n === 1 ? 0 : i]!);
}

/** Gemm or MatMul by a weight, then its bias Add and its activation when they follow alone: one dense layer. */
function denseFrom(ctx: NodeContext, x: Value, W: Float64Array, units: number, bias: Float64Array | undefined, from: { kernel: string; bias?: string }, weight: string): OnnxValue {
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
  return data(ctx.b.dense({ raw: ctx.rawName, x, units, kernel: W, ...(b ? { bias: b } : {}), activation, comment: `node '${ctx.node.name}' (${ctx.node.opType})${activation.name !== "linear" ? ` + ${activation.name}` : ""}`, from: fromBias, options: ctx.penalties(weight) }));
}

function gemm(ctx: NodeContext): OnnxValue {
  if (intAttr(ctx, "transA", 0) !== 0) throw new InteropError(`${ctx.where}: transA = 1 is not supported (the model's input must be the first operand, untransposed)`);
  const x = dataInput(ctx, 0);
  const B = constInput(ctx, 1, "a weight");
  const alpha = floatAttr(ctx, "alpha", 1);
  const beta = floatAttr(ctx, "beta", 1);
  const transB = intAttr(ctx, "transB", 0) !== 0;
  const { W, units } = kernel(ctx, B, x.size, transB, alpha);
  const C = ctx.input(2);
  if (C && C.kind !== "const") throw new InteropError(`${ctx.where}: input 3 (the bias) must be an initializer or Constant`);
  const bias = C ? biasOf(ctx, C, units, beta) : undefined;
  const scaled = alpha !== 1 ? ` × ${alpha}` : "";
  return denseFrom(ctx, x, W, units, bias, { kernel: `${B.source}${transB ? "" : ", transposed"}${scaled}`, ...(C ? { bias: `${C.source}${beta !== 1 ? ` × ${beta}` : ""}` } : {}) }, B.source);
}

function matmul(ctx: NodeContext): OnnxValue {
  const x = dataInput(ctx, 0);
  const B = constInput(ctx, 1, "a weight");
  const { W, units } = kernel(ctx, B, x.size, false, 1);
  return denseFrom(ctx, x, W, units, undefined, { kernel: `${B.source}, transposed` }, B.source);
}

/** An operand of elementwise math: a value, a number (one-value constant), or a weight vector of the value's size. */
function operand(ctx: NodeContext, i: number, size: number): NnExpr {
  const v = ctx.input(i)!;
  if (v.kind === "data") return ref(v.value.name);
  if (v.data.length === 1) return num(scalarOf(v));
  if (v.data.length === size && v.dims.slice(0, -1).every((d) => d === 1)) return ref(ctx.paramOf(v, [size]));
  throw new InteropError(`${ctx.where}: the constant ${shown(v.source)} has dims [${v.dims.join(", ")}]; nnc combines a vector of ${size} with one value or ${size} values`);
}

function elementwise(op: "+" | "-" | "*" | "/") {
  return (ctx: NodeContext): OnnxValue => {
    const [a, b] = [ctx.input(0), ctx.input(1)];
    if (!a || !b) throw new InteropError(`${ctx.where}: expected two inputs`);
    if (a.kind === "const" && b.kind === "const") throw new InteropError(`${ctx.where}: both operands are constants; nnc imports math on the model's values`);
    const sizes = [a, b].filter((v) => v.kind === "data").map((v) => (v as { value: Value }).value.size);
    if (sizes.length === 2 && sizes[0] !== sizes[1]) throw new InteropError(`${ctx.where}: its operands have ${sizes[0]} and ${sizes[1]} values per sample; nnc broadcasts only single numbers`);
    const size = sizes[0]!;
    return data(ctx.b.assign(ctx.rawName, bin(op, operand(ctx, 0, size), operand(ctx, 1, size)), size, `node '${ctx.node.name}' (${ctx.node.opType})`));
  };
}

function applying(ctx: NodeContext, form: ActivationForm): OnnxValue {
  const x = dataInput(ctx, 0);
  return data(ctx.b.assign(ctx.rawName, form.apply(ref(x.name)), x.size, `node '${ctx.node.name}' (${ctx.node.opType})`, form.nnc));
}

const activation = (ctx: NodeContext) => applying(ctx, activationOfNode(ctx, ctx.node)!);
const math = (fn: string) => (ctx: NodeContext) => applying(ctx, { name: fn, apply: (x) => call(fn, [x]) });

/** Reshape and Flatten that keep [N, k] as [N, k] change nothing. */
function reshape(ctx: NodeContext): OnnxValue {
  const x = dataInput(ctx, 0);
  const shape = constInput(ctx, 1, "a shape");
  const dims = Array.from(shape.data);
  const keeps = dims.length === 2 && (dims[0] === -1 || dims[0] === 0) && (dims[1] === x.size || dims[1] === -1);
  const keepsBatch = dims.length === 2 && dims[1] === x.size && (dims[0] === -1 || dims[0] === 0);
  if (!keeps && !keepsBatch) throw new InteropError(`${ctx.where}: reshaping [N, ${x.size}] to [${dims.join(", ")}] is not supported yet (nnc's values are vectors; [-1, ${x.size}] is)`);
  return data(x);
}

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
  if (rate === 0) return data(x);
  return data(ctx.b.assign(ctx.rawName, call("dropout", [ref(x.name), num(rate)]), x.size, `node '${ctx.node.name}' (Dropout)`));
}

export const ONNX_OPS: OpRow[] = [
  { opType: "Gemm", becomes: "`dense(x, units, …)` with `W` = alpha · B (Bᵀ without transB), `b` = beta · C; the Add of a bias and an activation that follow alone join it", run: gemm },
  { opType: "MatMul", becomes: "`dense(x, units, …)` (`W` = Bᵀ, B an initializer); a bias Add and an activation that follow alone join it", run: matmul },
  { opType: "Add", becomes: "`a + b` (a constant: a number, or a `param` vector)", run: elementwise("+") },
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
  { opType: "Reshape", becomes: "nothing, when [N, k] stays [N, k] (shape [-1, k] or [0, k])", run: reshape },
  {
    opType: "Flatten",
    becomes: "nothing, for [N, k] and axis 1",
    run: (ctx) => {
      const axis = intAttr(ctx, "axis", 1);
      if (axis !== 1 && axis !== -1) throw new InteropError(`${ctx.where}: axis ${axis} is not supported (only 1: each sample stays a vector)`);
      return data(dataInput(ctx, 0));
    },
  },
  { opType: "Transpose", becomes: "folded into the weight it transposes (a weight matrix only)", run: transpose },
  { opType: "Constant", becomes: "a constant (a number, or a weight)", run: constant },
];

function transpose(ctx: NodeContext): OnnxValue {
  const v = ctx.input(0);
  if (!v || v.kind !== "const") throw new InteropError(`${ctx.where}: transposing a computed value would mix samples; nnc folds Transpose into the weight it transposes`);
  const perm = ctx.attr("perm")?.ints ?? [1, 0];
  if (v.dims.length !== 2 || perm.join() !== "1,0") throw new InteropError(`${ctx.where}: only matrices are transposed here (dims [${v.dims.join(", ")}], perm [${perm.join(", ")}])`);
  const [r, c] = v.dims as [number, number];
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = v.data[i * c + j]!;
  return { kind: "const", source: `${v.source}, transposed`, dims: [c, r], data: out };
}

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
