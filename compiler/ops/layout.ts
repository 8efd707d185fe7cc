// Ops that only move or repeat elements: broadcasting (NumPy's rule: align shapes from the
// right; a missing or size-1 dimension repeats), its reverse (summing the repeated elements
// back: the gradient of a broadcast), and reshaping (same elements, same row-major order,
// another shape: `flatten` is a reshape to one dimension).
//
//   broadcast    b[16] -> [26, 26, 16]      vjp: unbroadcast(g) (Σ over the repeated axes)
//   unbroadcast  g[26, 26, 16] -> [16]      vjp: broadcast(g)
//   reshape      x[5, 5, 32] -> [800]       vjp: reshape(g) back

import { type Expr, num, sum } from "../ir/code.js";
import { type Attrs, type Shape, ShapeError, sameShape, shapeAttr, shapeText, sizeOf, stridesOf } from "../ir/node.js";
import { flatIndex, forEachIndex } from "./loops.js";
import type { Index, IndexMapOp, StructuralOp } from "./op-def.js";

/** The shape `a` and `b` broadcast to (NumPy's rule), or undefined when they cannot. */
export function broadcastShape(a: Shape, b: Shape): Shape | undefined {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return undefined;
    out.push(Math.max(da, db));
  }
  return out;
}

/** Whether `from` broadcasts to exactly `to`. */
function broadcastsTo(from: Shape, to: Shape): boolean {
  const s = broadcastShape(from, to);
  return s !== undefined && sameShape(s, to);
}

/** The index into `from` of element `index` of its broadcast to a shape of `to.length` dims. */
function sourceIndex(from: Shape, rank: number, index: readonly Index[]): Index[] {
  return from.map((d, i) => (d === 1 ? 0 : index[rank - from.length + i]!));
}

export const broadcast: IndexMapOp = {
  name: "broadcast",
  kind: "indexmap",
  shape: ([a], attrs) => {
    const to = shapeAttr(attrs);
    if (!broadcastsTo(a!, to)) throw new ShapeError(`cannot broadcast ${shapeText(a!)} to ${shapeText(to)}`);
    return to;
  },
  evaluate: ([a], _attrs, [from], shape) => {
    const out = new Float64Array(sizeOf(shape));
    const strides = stridesOf(shape);
    const fromStrides = stridesOf(from!);
    for (let k = 0; k < out.length; k++) {
      let src = 0;
      for (let i = 0; i < from!.length; i++) {
        const d = shape.length - from!.length + i;
        if (from![i] !== 1) src += Math.floor(k / strides[d]!) % shape[d]! * fromStrides[i]!;
      }
      out[k] = a![src]!;
    }
    return out;
  },
  element: (index, elem, [from]) => elem(0, sourceIndex(from!, index.length, index)),
  readsOnce: [false],
  // Σ over the repeated elements (a scalar's: the plain sum, which the rules know best).
  vjp: (g, node, graph) => {
    const from = node.inputs[0]!.shape;
    return [from.length === 0 ? graph.sum(g) : graph.node("unbroadcast", [g], { shape: from.join("x") })];
  },
  math: ([a]) => a!,
};

export const unbroadcast: StructuralOp = {
  name: "unbroadcast",
  kind: "structural",
  shape: ([g], attrs) => {
    const to = shapeAttr(attrs);
    if (!broadcastsTo(to, g!)) throw new ShapeError(`cannot sum ${shapeText(g!)} back to ${shapeText(to)}`);
    return to;
  },
  evaluate: ([g], _attrs, [from], shape) => {
    const out = new Float64Array(sizeOf(shape));
    const strides = stridesOf(from!);
    const toStrides = stridesOf(shape);
    for (let k = 0; k < g!.length; k++) {
      let dst = 0;
      for (let i = 0; i < shape.length; i++) {
        const d = from!.length - shape.length + i;
        if (shape[i] !== 1) dst += Math.floor(k / strides[d]!) % from![d]! * toStrides[i]!;
      }
      out[dst]! += g![k]!;
    }
    return out;
  },
  flops: ([g]) => sizeOf(g!),
  readsOnce: [true],
  vjp: (g, node, graph) => [graph.broadcast(g, node.inputs[0]!.shape)],
  math: ([g]) => `Σ↓ ${g}`,
  lower: (ctx) => {
    const from = ctx.inputShapes[0]!;
    const to = ctx.shape;
    const target = (index: readonly Index[]) => sourceIndex(to, from.length, index);
    if (ctx.unrolled) {
      const terms = new Map<number, Expr[]>();
      forEachIndex(ctx, from, (index) => {
        const at = flatIndex(to, target(index));
        const key = at.k === "num" ? at.value : -1;
        terms.set(key, [...(terms.get(key) ?? []), ctx.elem(0, index)]);
        return [];
      });
      return forEachIndex(ctx, to, (index) => {
        const at = flatIndex(to, index);
        return [ctx.define(index, sum(terms.get(at.k === "num" ? at.value : -1) ?? []))];
      });
    }
    return [
      ...forEachIndex(ctx, to, (index) => [ctx.store(index, "=", num(0))]),
      ...forEachIndex(ctx, from, (index) => [ctx.store(target(index), "+=", ctx.elem(0, index))]),
    ];
  },
};

export const reshape: IndexMapOp = {
  name: "reshape",
  kind: "indexmap",
  shape: ([a], attrs) => {
    const to = shapeAttr(attrs);
    if (sizeOf(to) !== sizeOf(a!)) throw new ShapeError(`cannot reshape ${shapeText(a!)} (${sizeOf(a!)} values) to ${shapeText(to)} (${sizeOf(to)} values)`);
    return to;
  },
  evaluate: ([a]) => a!.slice(),
  // The same element of the same row-major order: the input's element at the same offset.
  element: (index, _elem, _inputShapes, shape, elemFlat) => elemFlat(0, flatIndex(shape, index)),
  // Its input is stored (never fused into it), so reading by offset is a plain load.
  readsOnce: [false],
  flatInputs: true,
  view: true,
  vjp: (g, node, graph) => [graph.node("reshape", [g], { shape: node.inputs[0]!.shape.join("x") })],
  math: ([a], attrs: Attrs) => `reshape(${a}, ${shapeText(shapeAttr(attrs))})`,
};
