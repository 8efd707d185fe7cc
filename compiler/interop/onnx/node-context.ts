// What an ONNX import row sees: its node, the values of the graph, and the builder of the model
// file; and the readers every row shares (inputs that must be computed or constant, attributes,
// the activation an activation node applies).
//
// A value computed from the model's input is per sample: the graph's [N, k] is an nnc vector
// [k]. ONNX images are channels first ([N, C, H, W]) and nnc's channels last ([H, W, C]), so a
// value also says where its elements are: nnc's element n (row-major over its nnc shape) is
// ONNX's element perm[n] (row-major over its per-sample dims). Transposes, flattens and
// reshapes only change that bookkeeping (import-layout.ts); a weight that meets a value is laid
// out in nnc's order there, so the model file never transposes a computed value.
//
//   Conv output [N, 8, 7, 7]   ->   { value: c2 [7, 7, 8], dims: [8, 7, 7], perm: channels first }

import { shown } from "../../data/errors.js";
import { nncActivation, type ActivationForm } from "../activations.js";
import type { DraftBuilder, Value } from "../builder.js";
import { call, type NnExpr } from "../draft.js";
import { InteropError } from "../errors.js";
import type { OnnxAttribute, OnnxNode } from "./proto.js";
import type { Constant } from "./read.js";

/** A value computed from the model's input. */
export interface DataValue {
  kind: "data";
  value: Value;
  /** Its ONNX dims without the batch: [k] for [N, k], [C, H, W] for [N, C, H, W]. */
  dims: number[];
  /** nnc's element n is ONNX's element perm[n]; undefined: the same order. */
  perm?: Int32Array;
  /** What `perm` is, for where weights came from ("(C, H, W) of [8, 7, 7]"). */
  order?: string;
}

/** A constant: an initializer, a Constant node's value, or one derived from them. */
export type ConstValue = { kind: "const"; source: string } & Constant;

export type OnnxValue = ConstValue | DataValue;

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
  attr(name: string): OnnxAttribute | undefined;
  /** A value of the graph by name. */
  valueOf(name: string): OnnxValue | undefined;
  /** The node that alone consumes `node`'s output 0 (which is no graph output), for fusing it. */
  soleConsumerOf(node: OnnxNode): OnnxNode | undefined;
  /** A tensor attribute's values. */
  tensor(t: unknown): Constant;
  /** The l1 / l2 nnc's export recorded for a weight, as layer arguments. */
  penalties(weight: string): [string, NnExpr][];
  /** Marks `node` as computed by this one: its outputs are this node's result. */
  absorb(node: OnnxNode): void;
  /** The weight as a `param` (one per initializer and layout, however often it is used): `data` in nnc's order when it differs from the file's, `how` saying so. */
  paramOf(c: ConstValue, shape: number[], data?: Float64Array, how?: string): string;
}

export interface OpRow {
  opType: string;
  becomes: string;
  run(ctx: NodeContext): OnnxValue;
}

/** A computed value: `value` holding ONNX's `dims` in the order `perm`. */
export function data(value: Value, dims: readonly number[], perm?: Int32Array, order?: string): DataValue {
  return { kind: "data", value, dims: [...dims], ...(perm ? { perm } : {}), ...(perm && order ? { order } : {}) };
}

/** The same ONNX value held by another nnc value of the same elements in the same order (an activation of it, a reshape). */
export function heldBy(v: DataValue, value: Value): DataValue {
  return { ...v, value };
}

export function dataInput(ctx: NodeContext, i: number): DataValue {
  const v = ctx.input(i);
  if (!v || v.kind !== "data") throw new InteropError(`${ctx.where}: input ${i + 1} (${shown(ctx.node.inputs[i] ?? "")}) must be computed from the model's input${v ? ", not a constant" : ""}`);
  return v;
}

export function constInput(ctx: NodeContext, i: number, what: string): ConstValue {
  const v = ctx.input(i);
  if (!v || v.kind !== "const") throw new InteropError(`${ctx.where}: input ${i + 1} (${shown(ctx.node.inputs[i] ?? "")}) must be ${what} (an initializer or Constant); computed ${what}s are not supported`);
  return v;
}

export function intAttr(ctx: NodeContext, name: string, fallback: number, node = ctx.node): number {
  return node.attributes.find((a) => a.name === name)?.i ?? fallback;
}

export function intsAttr(ctx: NodeContext, name: string): number[] | undefined {
  return ctx.attr(name)?.ints;
}

export function stringAttr(ctx: NodeContext, name: string): string | undefined {
  const s = ctx.attr(name)?.s;
  return s === undefined ? undefined : new TextDecoder().decode(s);
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
export function scalarOf(c: Constant): number {
  return c.float32 ? float32Text(c.data[0]!) : c.data[0]!;
}

export function floatAttr(ctx: NodeContext, name: string, fallback: number, node = ctx.node): number {
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

/** Whether an activation takes a whole vector (softmax, log_softmax) rather than one element at a time. */
export function overAVector(form: ActivationForm): boolean {
  return form.name === "softmax" || form.name === "log_softmax";
}
