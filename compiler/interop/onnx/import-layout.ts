// Where the elements of a computed ONNX value are in nnc's value (node-context.ts, DataValue):
// images channels first in ONNX and channels last in nnc, and the operators that only move
// elements (Transpose, Flatten, Reshape), which change that bookkeeping and write at most a
// `flatten` or `reshape` that keeps nnc's order. A constant that meets a value is laid out in
// nnc's order here; a dense layer after a Flatten of a channels-first image gets its weight's
// columns in nnc's order (import-ops.ts). What no bookkeeping can carry (a channels-first image
// flattened and read back as an image of other dims, say) is refused by name.
//
//   Transpose(x[N, H, W, C]; perm [0, 3, 1, 2])   ->   the same nnc value, now seen as [C, H, W]
//   Flatten(p[N, 8, 7, 7])                        ->   f = flatten(p)    (its order: (C, H, W) of [8, 7, 7])

import { shown } from "../../data/errors.js";
import type { Value } from "../builder.js";
import { call, list, num, ref, type NnExpr } from "../draft.js";
import { InteropError } from "../errors.js";
import { constInput, data, dataInput, heldBy, intAttr, intsAttr, scalarOf, type ConstValue, type DataValue, type NodeContext, type OnnxValue, type OpRow } from "./node-context.js";

const sizeOf = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/** nnc's [H, W, C] against ONNX's [C, H, W]: nnc element (h, w, c) is ONNX element (c, h, w); undefined when the orders agree (C = 1, or H·W = 1). */
export function channelsFirst(C: number, H: number, W: number): Int32Array | undefined {
  if (C === 1 || H * W === 1) return undefined;
  const perm = new Int32Array(C * H * W);
  for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) for (let c = 0; c < C; c++) perm[(h * W + w) * C + c] = (c * H + h) * W + w;
  return perm;
}

export const channelsFirstOrder = (dims: readonly number[]) => `(C, H, W) of [${dims.join(", ")}]`;

function samePerm(a: Int32Array | undefined, b: Int32Array | undefined): boolean {
  if (!a || !b) return a === b;
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** The perm after a Transpose (`p`: the per-sample axes' order, without the batch). */
function transposedPerm(dims: readonly number[], perm: Int32Array | undefined, p: readonly number[]): { dims: number[]; perm?: Int32Array } {
  const out = p.map((a) => dims[a]!);
  // Where input axis a lands: the stride of its position in the output.
  const strides = out.map((_, k) => sizeOf(out.slice(k + 1)));
  const axisStride = new Array<number>(dims.length);
  p.forEach((a, k) => (axisStride[a] = strides[k]!));
  const n = sizeOf(dims);
  const moved = new Int32Array(n);
  for (let f = 0; f < n; f++) {
    let rest = f;
    let g = 0;
    for (let a = dims.length - 1; a >= 0; a--) {
      g += (rest % dims[a]!) * axisStride[a]!;
      rest = Math.floor(rest / dims[a]!);
    }
    moved[f] = g;
  }
  const next = perm ? Int32Array.from(perm, (f) => moved[f]!) : moved;
  return { dims: out, ...(next.every((v, i) => v === i) ? {} : { perm: next }) };
}

/** What asImage and asVector need of a node: where it is, the builder, its name. */
type Site = Pick<NodeContext, "where" | "b"> & { node: { name: string } };

/** `v` as an nnc image [H, W, C] for an operator that reads ONNX's [C, H, W] (Conv, pooling): reshaped if need be, refused when its elements are elsewhere. */
export function asImage(ctx: Site, v: DataValue): Value {
  if (v.dims.length !== 3) throw new InteropError(`${ctx.where}: its input has dims [N, ${v.dims.join(", ")}]; it needs an image [N, channels, height, width]`);
  const [C, H, W] = v.dims as [number, number, number];
  if (!samePerm(v.perm, channelsFirst(C, H, W))) {
    throw new InteropError(`${ctx.where}: its input [N, ${v.dims.join(", ")}] is channels first in a layout that nnc holds otherwise (after a Transpose or Reshape of an image); nnc reads images whose channels come first as ONNX's Conv makes them, or channels last transposed by perm [0, 3, 1, 2]`);
  }
  if (v.value.shape.join() === [H, W, C].join()) return v.value;
  return ctx.b.assign(`${v.value.name}_image`, call("reshape", [ref(v.value.name), list([H, W, C])]), [H, W, C], `[${v.dims.join(", ")}] as an image for node '${ctx.node.name}'`);
}

/** `v` as an nnc vector for an operator that reads ONNX's [N, k] (Gemm, MatMul, Softmax). */
export function asVector(ctx: Site, v: DataValue): Value {
  if (v.dims.length !== 1) throw new InteropError(`${ctx.where}: its input has dims [N, ${v.dims.join(", ")}]; nnc applies it to a vector [N, k] (Flatten first)`);
  if (v.value.shape.length === 1) return v.value;
  return ctx.b.assign(`${v.value.name}_flat`, call("flatten", [ref(v.value.name)]), [v.value.size], `[${v.dims.join(", ")}] as a vector for node '${ctx.node.name}'`);
}

/** `onnx` (row-major over v.dims) in nnc's order of v's elements. */
export function inNncOrder(v: DataValue, onnx: Float64Array): Float64Array {
  return v.perm ? Float64Array.from(v.perm, (f) => onnx[f]!) : onnx;
}

/**
 * A constant operand of elementwise math with `v`: a number when it holds one value, else a
 * `param` broadcast as ONNX broadcasts it ([C, 1, 1] over [C, H, W]), laid out in nnc's order,
 * of the smallest trailing part of nnc's shape it varies over (a bias per channel is [C]).
 */
export function constOperand(ctx: NodeContext, c: ConstValue, v: DataValue): NnExpr {
  if (c.data.length === 1) return num(scalarOf(c));
  const d = v.dims;
  const cd = c.dims.length > d.length ? c.dims.slice(c.dims.length - d.length) : c.dims;
  const lead = c.dims.slice(0, c.dims.length - cd.length);
  const fits = lead.every((x) => x === 1) && c.dims.length <= d.length + 1 && cd.every((x, i) => x === 1 || x === d[d.length - cd.length + i]);
  if (!fits) {
    if (d.length === 1) throw new InteropError(`${ctx.where}: the constant ${shown(c.source)} has dims [${c.dims.join(", ")}]; nnc combines a vector of ${d[0]} with one value or ${d[0]} values`);
    throw new InteropError(`${ctx.where}: the constant ${shown(c.source)} has dims [${c.dims.join(", ")}], which does not broadcast over the value's [N, ${d.join(", ")}]`);
  }
  // Broadcast to the full per-sample dims, in ONNX's order, then nnc's.
  const full = new Float64Array(sizeOf(d));
  const cStrides = cd.map((_, i) => (cd[i] === 1 ? 0 : sizeOf(cd.slice(i + 1))));
  const offset = d.length - cd.length;
  for (let f = 0; f < full.length; f++) {
    let rest = f;
    let at = 0;
    for (let a = d.length - 1; a >= 0; a--) {
      if (a >= offset) at += (rest % d[a]!) * cStrides[a - offset]!;
      rest = Math.floor(rest / d[a]!);
    }
    full[f] = c.data[at]!;
  }
  const ours = inNncOrder(v, full);
  const shape = v.value.shape;
  // The smallest trailing part of nnc's shape whose values repeat over the leading ones.
  for (let k = shape.length - 1; k >= 0; k--) {
    const tail = shape.slice(k);
    const period = sizeOf(tail);
    if (ours.every((x, i) => x === ours[i % period])) {
      const values = ours.slice(0, period);
      const same = period === c.data.length && values.every((x, i) => x === c.data[i]);
      return ref(ctx.paramOf(c, tail, values, same ? undefined : `[${c.dims.join(", ")}] as [${tail.join(", ")}]${v.perm ? ` in nnc's order (${v.order ?? "reordered"})` : ""}`));
    }
  }
  throw new Error("internal error: a constant repeats over the whole shape");
}

/** Two computed operands of elementwise math: the same ONNX dims in the same order, as nnc values of one shape. */
export function matchOperands(ctx: NodeContext, a: DataValue, b: DataValue): [Value, Value] {
  if (a.dims.join() !== b.dims.join()) {
    if (a.dims.length === 1 && b.dims.length === 1) throw new InteropError(`${ctx.where}: its operands have ${a.dims[0]} and ${b.dims[0]} values per sample; nnc broadcasts only single numbers`);
    throw new InteropError(`${ctx.where}: its operands have dims [N, ${a.dims.join(", ")}] and [N, ${b.dims.join(", ")}]; nnc combines computed values of one shape (and constants broadcast over them)`);
  }
  if (!samePerm(a.perm, b.perm)) throw new InteropError(`${ctx.where}: its operands hold their elements in different orders (one was transposed); nnc does not transpose computed values`);
  if (a.value.shape.join() === b.value.shape.join()) return [a.value, b.value];
  const shape = a.value.shape;
  return [a.value, ctx.b.assign(`${b.value.name}_as`, shape.length === 1 ? call("flatten", [ref(b.value.name)]) : call("reshape", [ref(b.value.name), list(shape)]), shape, `[${b.dims.join(", ")}] shaped as '${a.value.name}'`)];
}

/** The graph's output as nnc's output vector, or why it cannot be. */
export function outputVector(where: string, v: DataValue, flat: (v: DataValue) => Value): Value {
  if (v.dims.length !== 1) throw new InteropError(`${where}: the graph's output has dims [N, ${v.dims.join(", ")}]; nnc models output a vector [N, k] (Flatten first)`);
  if (v.perm) throw new InteropError(`${where}: the graph's output holds an image's elements channels first (${v.order ?? "reordered"}); nnc would give them channels last, so it is refused rather than reordered`);
  return flat(v);
}

function transpose(ctx: NodeContext): OnnxValue {
  const v = ctx.input(0);
  if (!v) throw new InteropError(`${ctx.where}: expected an input`);
  if (v.kind === "const") {
    const perm = intsAttr(ctx, "perm") ?? [1, 0];
    if (v.dims.length !== 2 || perm.join() !== "1,0") throw new InteropError(`${ctx.where}: only weight matrices are transposed here (dims [${v.dims.join(", ")}], perm [${perm.join(", ")}])`);
    const [r, c] = v.dims as [number, number];
    const out = new Float64Array(r * c);
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = v.data[i * c + j]!;
    return { kind: "const", source: `${v.source}, transposed`, dims: [c, r], data: out };
  }
  const rank = v.dims.length + 1;
  const perm = intsAttr(ctx, "perm") ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  if (perm.length !== rank || perm[0] !== 0 || [...perm].sort((a, b) => a - b).some((a, i) => a !== i)) {
    throw new InteropError(`${ctx.where}: perm [${perm.join(", ")}] must keep the batch first and reorder the other ${rank - 1} axes; nnc transposes no batch`);
  }
  const moved = transposedPerm(v.dims, v.perm, perm.slice(1).map((a) => a - 1));
  const isImage = moved.dims.length === 3 && samePerm(moved.perm, channelsFirst(...(moved.dims as [number, number, number])));
  return data(v.value, moved.dims, moved.perm, isImage ? channelsFirstOrder(moved.dims) : "reordered by a Transpose");
}

/** Flatten(axis 1): [N, …] -> [N, k], the elements in the same order. */
function flatten(ctx: NodeContext): OnnxValue {
  const v = dataInput(ctx, 0);
  const axis = intAttr(ctx, "axis", 1);
  if (axis !== 1 && !(axis === -v.dims.length && v.dims.length >= 1)) throw new InteropError(`${ctx.where}: axis ${axis} is not supported (only 1: each sample becomes a vector)`);
  const dims = [sizeOf(v.dims)];
  if (v.value.shape.length === 1) return { ...v, dims };
  const flat = ctx.b.assign(ctx.rawName, call("flatten", [ref(v.value.name)]), dims, `node '${ctx.node.name}' (Flatten)`);
  return { ...heldBy(v, flat), dims };
}

/** Reshape of a sample's elements to other dims (the batch stays first: 0 or -1), in the same order. */
function reshape(ctx: NodeContext): OnnxValue {
  const v = dataInput(ctx, 0);
  const target = Array.from(constInput(ctx, 1, "a shape").data);
  if (intAttr(ctx, "allowzero", 0) === 1 && target.includes(0)) throw new InteropError(`${ctx.where}: allowzero with a 0 in the shape is not supported`);
  const size = sizeOf(v.dims);
  // 0 copies the input's dimension at the same place (the batch for the first).
  const dims = target.slice(1).map((d, i) => (d === 0 ? (v.dims[i] ?? NaN) : d));
  const known = sizeOf(dims.filter((d) => d !== -1));
  const inferred = dims.filter((d) => d === -1).length;
  const batchKept = target[0] === 0 || (target[0] === -1 && inferred === 0);
  const resolved = dims.map((d) => (d === -1 ? size / known : d));
  if (!batchKept || inferred > 1 || !resolved.every((d) => Number.isSafeInteger(d) && d >= 1) || sizeOf(resolved) !== size) {
    throw new InteropError(`${ctx.where}: reshaping [N, ${v.dims.join(", ")}] to [${target.join(", ")}] is not supported (nnc keeps the batch first, 0 or -1, and each sample's ${size} values: [-1, ${v.dims.join(", ")}] or [0, ${size}] are)`);
  }
  if (resolved.length === 1) return v.value.shape.length === 1 ? { ...v, dims: resolved } : { ...heldBy(v, ctx.b.assign(ctx.rawName, call("flatten", [ref(v.value.name)]), resolved, `node '${ctx.node.name}' (Reshape)`)), dims: resolved };
  const out = { ...v, dims: resolved };
  // An image whose channels come first reads as nnc's channels-last image when the orders agree (one channel, or a 1 × 1 image).
  if (resolved.length === 3) {
    const [C, H, W] = resolved as [number, number, number];
    if (samePerm(v.perm, channelsFirst(C, H, W)) && v.value.shape.join() !== [H, W, C].join()) {
      const image = ctx.b.assign(ctx.rawName, call("reshape", [ref(v.value.name), list([H, W, C])]), [H, W, C], `node '${ctx.node.name}' (Reshape)`);
      return { ...heldBy(v, image), dims: resolved };
    }
  }
  return out;
}

/** Pad of nothing: PyTorch writes one (all pads 0) before an AveragePool. nnc pads only inside a convolution or pooling ("same"). */
function pad(ctx: NodeContext): OnnxValue {
  const v = dataInput(ctx, 0);
  const pads = ctx.opset < 11 ? intsAttr(ctx, "pads") ?? [] : Array.from(constInput(ctx, 1, "a list of pads").data);
  if (pads.some((p) => p !== 0)) throw new InteropError(`${ctx.where}: pads [${pads.join(", ")}] are not supported (nnc pads only inside a convolution or pooling, as padding same; a Pad of all zeros is nothing)`);
  return v;
}

export const LAYOUT_OPS: OpRow[] = [
  { opType: "Reshape", becomes: "nothing, or `flatten(x)` / `reshape(x, [h, w, c])`: the batch stays first (0 or -1); a vector becomes an image [N, C, H, W] when C or H·W is 1 (the same order channels first and last)", run: reshape },
  { opType: "Flatten", becomes: "`flatten(x)` (axis 1; nothing for [N, k]); a channels-first image's order is kept by reordering the next dense layer's weights", run: flatten },
  { opType: "Pad", becomes: "nothing, when every pad is 0 (PyTorch writes such a Pad before AveragePool); other pads are refused", run: pad },
  { opType: "Transpose", becomes: "a weight matrix: folded into the weight; a computed value (batch first): nothing, nnc notes where its elements are (NHWC ↔ NCHW around images)", run: transpose },
];
