// Linear algebra: matrix @ vector (and its transpose), outer product, broadcast.
// Their derivative rules are each other: d(W x) gives outer(g, x) for W and Wᵀ g for x.
//
//   matvec   W[m, k] @ x[k]  -> [m]       vjp: W̄ = g ⊗ x,  x̄ = Wᵀ g
//   matvec_t Wᵀ @ v, W[m, k], v[m] -> [k] vjp: W̄ = v ⊗ g,  v̄ = W g
//   outer    a[m] ⊗ b[k]     -> [m, k]    vjp: ā = G b,    b̄ = Gᵀ a

import { type Shape, shapeAttr, shapeText, sizeOf, stridesOf } from "../ir/node.js";
import { forEachIndex, sumTerms } from "./loops.js";
import { type IndexMapOp, ShapeError, type StructuralOp } from "./op-def.js";

function matvecShape(transposed: boolean) {
  return ([w, x]: readonly Shape[]): Shape => {
    const op = transposed ? "ᵀ@" : "@";
    if (w!.length !== 2 || x!.length !== 1) {
      throw new ShapeError(`'${op}' needs a matrix and a vector, got ${shapeText(w!)} ${op} ${shapeText(x!)}`);
    }
    const [m, k] = w as [number, number];
    const inner = transposed ? m : k;
    if (x![0] !== inner) {
      throw new ShapeError(
        `shape mismatch in '@': ${shapeText(w!)} ${op} ${shapeText(x!)}: inner sizes ${inner} and ${x![0]} differ`,
      );
    }
    return [transposed ? k : m];
  };
}

export const matvec: StructuralOp = {
  name: "matvec",
  kind: "structural",
  shape: matvecShape(false),
  evaluate: ([w, x], _a, [ws]) => {
    const [m, k] = ws as [number, number];
    const out = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let j = 0; j < k; j++) s += w![i * k + j]! * x![j]!;
      out[i] = s;
    }
    return out;
  },
  flops: ([ws]) => 2 * sizeOf(ws!),
  vjp: (g, node, graph) => {
    const [w, x] = node.inputs as [typeof node, typeof node];
    return [graph.outer(g, x), graph.matvecT(w, g)];
  },
  math: ([w, x]) => `${w} ${x}`,
  lower: (ctx) => {
    const [m, k] = ctx.inputShapes[0] as [number, number];
    if (ctx.unrolled) {
      return forEachIndex(ctx, [m], ([i]) => {
        const terms: string[] = [];
        for (let j = 0; j < k; j++) terms.push(`${ctx.elem(0, [i!, j])} * ${ctx.elem(1, [j])}`);
        return [ctx.define([i!], sumTerms(terms))];
      });
    }
    const i = ctx.fresh("i");
    const j = ctx.fresh("j");
    const s = ctx.fresh("s");
    return [
      `for (let ${i} = 0; ${i} < ${m}; ${i}++) {`,
      `  let ${s} = 0;`,
      `  for (let ${j} = 0; ${j} < ${k}; ${j}++) ${s} += ${ctx.elem(0, [i, j])} * ${ctx.elem(1, [j])};`,
      `  ${ctx.define([i], s)}`,
      `}`,
    ];
  },
};

export const matvecT: StructuralOp = {
  name: "matvec_t",
  kind: "structural",
  shape: matvecShape(true),
  evaluate: ([w, v], _a, [ws]) => {
    const [m, k] = ws as [number, number];
    const out = new Float64Array(k);
    for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) out[j]! += w![i * k + j]! * v![i]!;
    return out;
  },
  flops: ([ws]) => 2 * sizeOf(ws!),
  vjp: (g, node, graph) => {
    const [w, v] = node.inputs as [typeof node, typeof node];
    return [graph.outer(v, g), graph.matvec(w, g)];
  },
  math: ([w, v]) => `${w}ᵀ ${v}`,
  lower: (ctx) => {
    const [m, k] = ctx.inputShapes[0] as [number, number];
    if (ctx.unrolled) {
      return forEachIndex(ctx, [k], ([j]) => {
        const terms: string[] = [];
        for (let i = 0; i < m; i++) terms.push(`${ctx.elem(0, [i, j!])} * ${ctx.elem(1, [i])}`);
        return [ctx.define([j!], sumTerms(terms))];
      });
    }
    // Row by row, so W is read in memory order.
    const i = ctx.fresh("i");
    const j = ctx.fresh("j");
    const v = ctx.fresh("v");
    return [
      `for (let ${j} = 0; ${j} < ${k}; ${j}++) ${ctx.out([j])} = 0;`,
      `for (let ${i} = 0; ${i} < ${m}; ${i}++) {`,
      `  const ${v} = ${ctx.elem(1, [i])};`,
      `  for (let ${j} = 0; ${j} < ${k}; ${j}++) ${ctx.out([j])} += ${ctx.elem(0, [i, j])} * ${v};`,
      `}`,
    ];
  },
};

export const outer: IndexMapOp = {
  name: "outer",
  kind: "indexmap",
  shape: ([a, b]) => {
    if (a!.length !== 1 || b!.length !== 1) throw new ShapeError(`outer product needs two vectors, got ${shapeText(a!)} and ${shapeText(b!)}`);
    return [a![0]!, b![0]!];
  },
  evaluate: ([a, b]) => {
    const out = new Float64Array(a!.length * b!.length);
    for (let i = 0; i < a!.length; i++) for (let j = 0; j < b!.length; j++) out[i * b!.length + j] = a![i]! * b![j]!;
    return out;
  },
  element: ([i, j], elem) => `${elem(0, [i!])} * ${elem(1, [j!])}`,
  readsOnce: [false, false],
  vjp: (g, node, graph) => {
    const [a, b] = node.inputs as [typeof node, typeof node];
    return [graph.matvec(g, b), graph.matvecT(g, a)];
  },
  math: ([a, b]) => `${a} ⊗ ${b}`,
};

export const broadcast: IndexMapOp = {
  name: "broadcast",
  kind: "indexmap",
  shape: ([a], attrs) => {
    if (a!.length !== 0) throw new ShapeError(`only scalars broadcast, got ${shapeText(a!)}`);
    return shapeAttr(attrs);
  },
  evaluate: ([a], _attrs, _in, shape) => new Float64Array(sizeOf(shape)).fill(a![0]!),
  element: (_index, elem) => elem(0, []),
  readsOnce: [false],
  vjp: (g, _node, graph) => [graph.sum(g)],
  math: ([a]) => a!,
};

/** Flat offset of a multi-index (literal when every index is a number). */
export function flatIndex(shape: Shape, index: readonly (number | string)[]): number | string {
  const strides = stridesOf(shape);
  if (index.every((i) => typeof i === "number")) {
    return index.reduce<number>((acc, i, d) => acc + (i as number) * strides[d]!, 0);
  }
  const terms = index.map((i, d) => (strides[d] === 1 ? `${i}` : `${i} * ${strides[d]}`));
  return terms.join(" + ");
}

/** onehot(k; n): the class index k (a [1] tensor) as a one-hot vector [n]. Not differentiable in k. */
export const onehot: IndexMapOp = {
  name: "onehot",
  kind: "indexmap",
  shape: ([k], attrs) => {
    if (k!.length !== 1 || k![0] !== 1) throw new ShapeError(`a class index must have shape [1], got ${shapeText(k!)}`);
    return [Number(attrs["n"])];
  },
  evaluate: ([k], attrs) => {
    const out = new Float64Array(Number(attrs["n"]));
    const i = k![0]!;
    if (Number.isInteger(i) && i >= 0 && i < out.length) out[i] = 1;
    return out;
  },
  element: ([i], elem) => `(${elem(0, [0])} === ${i} ? 1 : 0)`,
  readsOnce: [false],
  vjp: () => [null],
  math: ([k]) => `onehot(${k})`,
};
