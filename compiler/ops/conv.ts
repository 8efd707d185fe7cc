// 2-D convolution, channels last (Keras' conv2d: input [H, W, C], kernel [kh, kw, C, F],
// output [Ho, Wo, F]; strides, dilation, padding "valid" or "same" as TensorFlow), and the two
// ops its derivative is made of. The three form a family closed under differentiation, so a
// gradient of a gradient is again made of them:
//
//   y = conv2d(x, K)                 x̄ = conv2d_backprop_input(ȳ, K)    K̄ = conv2d_backprop_filter(x, ȳ)
//   z = conv2d_backprop_input(g, K)  ḡ = conv2d(z̄, K)                   K̄ = conv2d_backprop_filter(z̄, g)
//   w = conv2d_backprop_filter(x, g) x̄ = conv2d_backprop_input(g, w̄)    ḡ = conv2d(x, w̄)
//
// The input gradient is the transposed convolution (the flipped kernel slid over the output
// gradient); the filter gradient correlates the input with the output gradient.

import { assign, binary, cond, decl, loop, num, v, when } from "../ir/code.js";
import type { Graph } from "../ir/graph.js";
import { type Attrs, type Node, type Shape, ShapeError, sameShape, shapeAttr, shapeText, sizeOf } from "../ir/node.js";
import { type Geometry, type Window, forEachTap, geometry, windowAttrs, windowOf } from "./conv-geometry.js";
import { accumulate, eachTap, unfoldLoops } from "./window-loops.js";
import type { Index, StructuralOp } from "./op-def.js";

/** Window and geometry of a convolution from its input shape and kernel shape. */
function convOf(x: Shape, k: Shape, attrs: Attrs): { w: Window; g: Geometry; F: number } {
  if (k.length !== 4) throw new ShapeError(`a conv2d kernel has the shape [height, width, in channels, filters], got ${shapeText(k)}`);
  const [kh, kw, C, F] = k as [number, number, number, number];
  const w = windowOf(attrs, [kh, kw]);
  const g = geometry(x, w, "conv2d");
  if (g.C !== C) throw new ShapeError(`conv2d: the input has ${g.C} channels but the kernel ${shapeText(k)} expects ${C}`);
  return { w, g, F };
}

const windowAttrsOf = (attrs: Attrs) => windowAttrs(windowOf(attrs, [1, 1]), false);

/** A kernel [kh, kw, C, F] seen as the matrix [kh·kw·C, F] (the same elements in the same order). */
function kernelMatrix(graph: Graph, k: Node): Node {
  const [kh, kw, C, F] = k.shape as [number, number, number, number];
  return graph.node("reshape", [k], { shape: [kh * kw * C, F].join("x") });
}

export const conv2d: StructuralOp = {
  name: "conv2d",
  kind: "structural",
  shape: ([x, k], attrs) => {
    const { g, F } = convOf(x!, k!, attrs);
    return [g.Ho, g.Wo, F];
  },
  evaluate: ([x, k], attrs, [xs, ks]) => {
    const { w, g, F } = convOf(xs!, ks!, attrs);
    const out = new Float64Array(g.Ho * g.Wo * F);
    forEachTap(g, w, ({ o, k: [ky, kx], i }) => {
      for (let c = 0; c < g.C; c++) {
        const xv = x![(i[0] * g.W + i[1]) * g.C + c]!;
        for (let f = 0; f < F; f++) out[(o[0] * g.Wo + o[1]) * F + f]! += xv * k![((ky * w.kw + kx) * g.C + c) * F + f]!;
      }
    });
    return out;
  },
  flops: ([, k], shape) => 2 * sizeOf(shape) * k![0]! * k![1]! * k![2]!,
  vjp: (g, node, graph) => {
    const [x, k] = node.inputs as [Node, Node];
    const attrs = windowAttrsOf(node.attrs);
    return [
      graph.node("conv2d_backprop_input", [g, k], { ...attrs, shape: x.shape.join("x") }),
      graph.node("conv2d_backprop_filter", [x, g], { ...attrs, shape: k.shape.join("x") }),
    ];
  },
  math: ([x, k]) => `${k} ∗ ${x}`,
  // Over a minibatch: every row's patches times the kernel as [kh·kw·C, F], one matrix product.
  batch: (node, [x, k], rowwise, graph) => {
    if (!rowwise(x!) || rowwise(k!)) return undefined;
    const { w, g, F } = convOf(x!.shape, k!.shape, node.attrs);
    const patches = graph.node("im2col", [x!], windowAttrs(w, true));
    const product = graph.node("matmul_nn", [patches, kernelMatrix(graph, k!)]);
    return graph.node("reshape", [product], { shape: [g.Ho, g.Wo, F].join("x") });
  },
  lower: (ctx) => {
    const { w, g, F } = convOf(ctx.inputShapes[0]!, ctx.inputShapes[1]!, ctx.attrs);
    const term = (i: [Index, Index], k: [Index, Index], c: Index, f: Index) => binary("*", ctx.elem(0, [i[0], i[1], c]), ctx.elem(1, [k[0], k[1], c, f]));
    if (ctx.unrolled) {
      return accumulate(ctx, ctx.shape, (add) => eachTap(ctx, g, w, (o, k, i) => Array.from({ length: F }, (_, f) => Array.from({ length: g.C }, (_, c) => add([o[0], o[1], f], term(i, k, c, f)))).flat(2)));
    }
    // Zero the output, then for each tap add input channel c times kernel row (c, ·) into all F filters.
    const [c, f] = [ctx.fresh("ch"), ctx.fresh("fo")];
    return accumulate(ctx, ctx.shape, (add) =>
      eachTap(ctx, g, w, (o, k, i) => [loop(c, 0, g.C, [loop(f, 0, F, add([o[0], o[1], v(f)], term(i, k, v(c), v(f))))])]),
    );
  },
};

/** The image shape and kernel of a backprop op (its `shape` attribute is what it produces). */
function backpropInputOf(gs: Shape, ks: Shape, attrs: Attrs): { w: Window; g: Geometry; F: number; xs: Shape } {
  const xs = shapeAttr(attrs);
  const c = convOf(xs, ks, attrs);
  if (!sameShape(gs, [c.g.Ho, c.g.Wo, c.F])) throw new ShapeError(`conv2d_backprop_input: gradient ${shapeText(gs)} does not fit ${shapeText(xs)} and ${shapeText(ks)}`);
  return { ...c, xs };
}

export const conv2dBackpropInput: StructuralOp = {
  name: "conv2d_backprop_input",
  kind: "structural",
  shape: ([gs, ks], attrs) => backpropInputOf(gs!, ks!, attrs).xs,
  evaluate: ([gv, k], attrs, [gs, ks]) => {
    const { w, g, F, xs } = backpropInputOf(gs!, ks!, attrs);
    const out = new Float64Array(sizeOf(xs));
    forEachTap(g, w, ({ o, k: [ky, kx], i }) => {
      for (let c = 0; c < g.C; c++) for (let f = 0; f < F; f++) out[(i[0] * g.W + i[1]) * g.C + c]! += gv![(o[0] * g.Wo + o[1]) * F + f]! * k![((ky * w.kw + kx) * g.C + c) * F + f]!;
    });
    return out;
  },
  flops: ([gs, ks]) => 2 * sizeOf(gs!) * ks![0]! * ks![1]! * ks![2]!,
  vjp: (z, node, graph) => {
    const [gv, k] = node.inputs as [Node, Node];
    const attrs = windowAttrsOf(node.attrs);
    return [graph.node("conv2d", [z, k], attrs), graph.node("conv2d_backprop_filter", [z, gv], { ...attrs, shape: k.shape.join("x") })];
  },
  math: ([g, k]) => `${k}ᵀ ∗ ${g}`,
  // Over a minibatch: the output gradient times the kernel's transpose gives the patches' gradient, summed back onto the image.
  batch: (node, [gv, k], rowwise, graph) => {
    if (!rowwise(gv!) || rowwise(k!)) return undefined;
    const { w, g, F } = backpropInputOf(gv!.shape, k!.shape, node.attrs);
    const rows = graph.node("reshape", [gv!], { shape: [g.Ho * g.Wo, F].join("x") });
    const patches = graph.node("matmul_nt", [rows, kernelMatrix(graph, k!)]);
    return graph.node("col2im", [patches], { ...windowAttrs(w, true), shape: [g.H, g.W, g.C].join("x") });
  },
  lower: (ctx) => {
    const { w, g, F } = backpropInputOf(ctx.inputShapes[0]!, ctx.inputShapes[1]!, ctx.attrs);
    const term = (o: [Index, Index], k: [Index, Index], c: Index, f: Index) => binary("*", ctx.elem(0, [o[0], o[1], f]), ctx.elem(1, [k[0], k[1], c, f]));
    if (ctx.unrolled) {
      return accumulate(ctx, ctx.shape, (add) => eachTap(ctx, g, w, (o, k, i) => Array.from({ length: g.C }, (_, c) => Array.from({ length: F }, (_, f) => add([i[0], i[1], c], term(o, k, c, f)))).flat(2)));
    }
    const [c, f, s] = [ctx.fresh("ch"), ctx.fresh("fo"), ctx.fresh("s")];
    return accumulate(ctx, ctx.shape, (add) =>
      eachTap(ctx, g, w, (o, k, i) => [
        loop(c, 0, g.C, [decl("let", s, num(0)), loop(f, 0, F, [assign(s, "+=", term(o, k, v(c), v(f)))]), ...add([i[0], i[1], v(c)], v(s))]),
      ]),
    );
  },
};

function backpropFilterOf(xs: Shape, gs: Shape, attrs: Attrs): { w: Window; g: Geometry; F: number; ks: Shape } {
  const ks = shapeAttr(attrs);
  const c = convOf(xs, ks, attrs);
  if (!sameShape(gs, [c.g.Ho, c.g.Wo, c.F])) throw new ShapeError(`conv2d_backprop_filter: gradient ${shapeText(gs)} does not fit ${shapeText(xs)} and ${shapeText(ks)}`);
  return { ...c, ks };
}

export const conv2dBackpropFilter: StructuralOp = {
  name: "conv2d_backprop_filter",
  kind: "structural",
  shape: ([xs, gs], attrs) => backpropFilterOf(xs!, gs!, attrs).ks,
  evaluate: ([x, gv], attrs, [xs, gs]) => {
    const { w, g, F, ks } = backpropFilterOf(xs!, gs!, attrs);
    const out = new Float64Array(sizeOf(ks));
    forEachTap(g, w, ({ o, k: [ky, kx], i }) => {
      for (let c = 0; c < g.C; c++) {
        const p = x![(i[0] * g.W + i[1]) * g.C + c]!;
        for (let f = 0; f < F; f++) out[((ky * w.kw + kx) * g.C + c) * F + f]! += p * gv![(o[0] * g.Wo + o[1]) * F + f]!;
      }
    });
    return out;
  },
  flops: ([, gs], shape) => 2 * sizeOf(gs!) * shape[0]! * shape[1]! * shape[2]!,
  vjp: (wbar, node, graph) => {
    const [x, gv] = node.inputs as [Node, Node];
    const attrs = windowAttrsOf(node.attrs);
    return [graph.node("conv2d_backprop_input", [gv, wbar], { ...attrs, shape: x.shape.join("x") }), graph.node("conv2d", [x, wbar], attrs)];
  },
  math: ([x, g]) => `${g} ⋆ ${x}`,
  // Σ over a minibatch: every row's patches against its output gradient, one matrix product (as [kh·kw·C, F]).
  batchSum: (node, rowwise, graph) => {
    const [x, gv] = node.inputs as [Node, Node];
    if (!rowwise(x) || !rowwise(gv)) return undefined;
    const { w, g, F } = backpropFilterOf(x.shape, gv.shape, node.attrs);
    const patches = graph.node("im2col", [x], windowAttrs(w, true));
    return graph.node("matmul_tn", [patches, graph.node("reshape", [gv], { shape: [g.Ho * g.Wo, F].join("x") })]);
  },
  lower: (ctx) => {
    const { w, g, F } = backpropFilterOf(ctx.inputShapes[0]!, ctx.inputShapes[1]!, ctx.attrs);
    const term = (o: [Index, Index], i: [Index, Index], c: Index, f: Index) => binary("*", ctx.elem(0, [i[0], i[1], c]), ctx.elem(1, [o[0], o[1], f]));
    if (ctx.unrolled) {
      return accumulate(ctx, ctx.shape, (add) => eachTap(ctx, g, w, (o, k, i) => Array.from({ length: g.C }, (_, c) => Array.from({ length: F }, (_, f) => add([k[0], k[1], c, f], term(o, i, c, f)))).flat(2)));
    }
    const [c, f] = [ctx.fresh("ch"), ctx.fresh("fo")];
    return accumulate(ctx, ctx.shape, (add) => eachTap(ctx, g, w, (o, k, i) => [loop(c, 0, g.C, [loop(f, 0, F, add([k[0], k[1], v(c), v(f)], term(o, i, v(c), v(f))))])]));
  },
};

/** im2col's geometry: the image it unfolds and the window (with its kernel size). */
function unfoldOf(x: Shape, attrs: Attrs): { w: Window; g: Geometry } {
  const w = windowOf(attrs);
  return { w, g: geometry(x, w, "conv2d") };
}

/**
 * The patches of an image, one row per output position and one column per kernel tap and
 * channel ((ky·kw + kx)·C + c, the order of a kernel's first three dimensions), zeros where
 * the window reaches past a padded image. A convolution is then one matrix product with the
 * kernel seen as [kh·kw·C, F]: how batched kernels run it (one product over every row's
 * patches), and the filter gradient is the product of the patches with the output gradient.
 *
 *   im2col(x[28, 28, 1]; 3×3) -> [676, 9]        col2im(p[676, 9]) -> [28, 28, 1] (the taps summed back)
 */
export const im2col: StructuralOp = {
  name: "im2col",
  kind: "structural",
  shape: ([x], attrs) => {
    const { w, g } = unfoldOf(x!, attrs);
    return [g.Ho * g.Wo, w.kh * w.kw * g.C];
  },
  evaluate: ([x], attrs, [xs]) => {
    const { w, g } = unfoldOf(xs!, attrs);
    const cols = w.kh * w.kw * g.C;
    // Zeros where the window reaches past the image.
    const out = new Float64Array(g.Ho * g.Wo * cols);
    forEachTap(g, w, ({ o, k: [ky, kx], i }) => {
      for (let c = 0; c < g.C; c++) out[(o[0] * g.Wo + o[1]) * cols + (ky * w.kw + kx) * g.C + c] = x![(i[0] * g.W + i[1]) * g.C + c]!;
    });
    return out;
  },
  flops: (_x, shape) => sizeOf(shape),
  vjp: (p, node, graph) => [graph.node("col2im", [p], { ...node.attrs, shape: node.inputs[0]!.shape.join("x") })],
  math: ([x]) => `patches(${x})`,
  lower: (ctx) => {
    const { w, g } = unfoldOf(ctx.inputShapes[0]!, ctx.attrs);
    // Every element is written (zeros where padded): the buffer is reused between calls.
    return unfoldLoops(ctx, g, w, (row, col, i, c, inImage) => {
      if (inImage === false) return [ctx.define([row, col], num(0))];
      const value = ctx.elem(0, [i[0], i[1], c]);
      return [ctx.define([row, col], inImage ? cond(inImage, value, num(0)) : value)];
    });
  },
};

export const col2im: StructuralOp = {
  name: "col2im",
  kind: "structural",
  shape: ([p], attrs) => {
    const xs = shapeAttr(attrs);
    const { w, g } = unfoldOf(xs, attrs);
    if (!sameShape(p!, [g.Ho * g.Wo, w.kh * w.kw * g.C])) throw new ShapeError(`col2im: patches ${shapeText(p!)} do not fit ${shapeText(xs)}`);
    return xs;
  },
  evaluate: ([p], attrs) => {
    const xs = shapeAttr(attrs);
    const { w, g } = unfoldOf(xs, attrs);
    const cols = w.kh * w.kw * g.C;
    const out = new Float64Array(sizeOf(xs));
    forEachTap(g, w, ({ o, k: [ky, kx], i }) => {
      for (let c = 0; c < g.C; c++) out[(i[0] * g.W + i[1]) * g.C + c]! += p![(o[0] * g.Wo + o[1]) * cols + (ky * w.kw + kx) * g.C + c]!;
    });
    return out;
  },
  flops: ([p]) => sizeOf(p!),
  vjp: (x, node, graph) => {
    const { shape: _shape, ...attrs } = node.attrs;
    return [graph.node("im2col", [x], attrs)];
  },
  math: ([p]) => `unpatch(${p})`,
  lower: (ctx) => {
    const { w, g } = unfoldOf(ctx.shape, ctx.attrs);
    return accumulate(ctx, ctx.shape, (add) =>
      unfoldLoops(ctx, g, w, (row, col, i, c, inImage) => when(inImage, add([i[0], i[1], c], ctx.elem(0, [row, col])))),
    );
  },
};
