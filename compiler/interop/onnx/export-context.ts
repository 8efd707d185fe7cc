// What an ONNX export row (export-ops.ts, export-images.ts) sees while it writes one op of nnc's
// graph: the ONNX names of its inputs, in nnc's channels-last layout (`value`) or, for images,
// ONNX's channels-first one (`nchw`; a Transpose is written the first time a value is needed in
// the layout it does not have), constants, and the node list it appends to.
//
// An image is [N, H, W, C] in the file wherever nnc computes it (its input, elementwise math,
// reshapes) and [N, C, H, W] around Conv and pooling, which ONNX defines channels first: a
// convolution's output stays channels first through the activation and pooling that follow, so
// a conv → relu → pool → conv chain has no Transpose inside it.

import type { Node } from "../../ir/node.js";
import type { OnnxAttribute } from "./proto.js";
import { ATTRIBUTE_TYPE } from "./proto.js";

export type Layout = "nhwc" | "nchw";

export interface ExportContext {
  /** The ONNX value holding `node` in nnc's layout (channels last), emitted first if need be. */
  value(node: Node): string;
  /** The ONNX value holding image `node` channels first ([N, C, H, W]), emitted first if need be. */
  nchw(node: Node): string;
  /** The layout `node` was written in (writing it if need be): nchw only for images a Conv or pooling made. */
  layoutOf(node: Node): Layout;
  /** The kernel K [kh, kw, in, out] as ONNX's Conv weight [out, in, kh, kw] (a parameter: transposed in its initializer). */
  convWeight(K: Node): string;
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

/** What a row wrote: the value's name in nnc's layout, or (images from Conv and pooling) channels first. */
export type Written = string | { nchw: string };

export interface ExportRow {
  op: string;
  /** What it becomes, for docs/interop.md. */
  onnx: string;
  write(node: Node, ctx: ExportContext): Written;
}

export const intAttr = (name: string, i: number): OnnxAttribute => ({ name, type: ATTRIBUTE_TYPE.INT, i });
export const intsAttr = (name: string, ints: number[]): OnnxAttribute => ({ name, type: ATTRIBUTE_TYPE.INTS, ints });
export const floatAttr = (name: string, f: number): OnnxAttribute => ({ name, type: ATTRIBUTE_TYPE.FLOAT, f });

/**
 * The elementwise operator `onnx` on `inputs`, in the layout they already have: channels first
 * when every computed one is a channels-first image and the others are single numbers (which
 * broadcast in either layout), else channels last.
 */
export function inTheirLayout(node: Node, ctx: ExportContext, inputs: Node[], onnx: string, attributes: OnnxAttribute[] = []): Written {
  const data = inputs.filter((i) => ctx.isData(i));
  const scalars = inputs.filter((i) => !ctx.isData(i) && i.shape.length === 0);
  if (data.length > 0 && data.length + scalars.length === inputs.length && data.every((i) => i.shape.length === 3 && ctx.layoutOf(i) === "nchw")) {
    return { nchw: ctx.emit(onnx, inputs.map((i) => (ctx.isData(i) ? ctx.nchw(i) : ctx.value(i))), attributes, ctx.nameOf(node)) };
  }
  return ctx.emit(onnx, inputs.map((i) => ctx.value(i)), attributes, ctx.nameOf(node));
}
