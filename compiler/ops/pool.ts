// 2-D pooling, channels last, as Keras' MaxPooling2D / AveragePooling2D (padding "valid" or
// "same", TensorFlow's rule; a padded tap is never the maximum and is not counted in the mean).
// Each comes with the ops its derivatives are made of, closed under differentiation:
//
//   y = max_pool2d(x)             x̄ = max_pool2d_grad(x, ȳ)   (ȳ routed to each window's maximum,
//                                                               the first one on ties, as TensorFlow)
//   z = max_pool2d_grad(x, g)     ḡ = max_pool2d_select(x, z̄)  (z̄ read at each window's maximum)
//   s = max_pool2d_select(x, u)   ū = max_pool2d_grad(x, s̄)
//   y = avg_pool2d(x)             x̄ = avg_pool2d_grad(ȳ)      (ȳ spread evenly over each window)
//   z = avg_pool2d_grad(g)        ḡ = avg_pool2d(z̄)
//
// The maximum's position does not change under a small change of x, so x gets no gradient
// through max_pool2d_grad and max_pool2d_select.

import { type Expr, type Stmt, assign, binary, call, compare, cond, decl, indexAdd, indexMul, loop, num, or, sum, v, when } from "../ir/code.js";
import { type Attrs, type Shape, ShapeError, sameShape, shapeAttr, shapeText, sizeOf } from "../ir/node.js";
import { type Geometry, type Window, geometry, pads, windowOf, windowTaps } from "./conv-geometry.js";
import { accumulate, eachWindowChannel, flatAsIndex, tapsOf } from "./window-loops.js";
import { flatIndex, ix } from "./loops.js";
import type { Index, LowerContext, StructuralOp } from "./op-def.js";

function poolOf(x: Shape, attrs: Attrs, what: string): { w: Window; g: Geometry } {
  const w = windowOf(attrs);
  const g = geometry(x, w, what);
  // "valid" pooling that would silently drop the last rows or columns is refused.
  if (w.padding === "valid") {
    for (const [size, k, stride, dim] of [[g.H, w.kh, w.sh, "height"], [g.W, w.kw, w.sw, "width"]] as const) {
      if ((size - k) % stride !== 0) {
        throw new ShapeError(`${what} of ${shapeText(x)}: a window of ${k} with stride ${stride} does not divide the ${dim} ${size} (the last ${(size - k) % stride} would be dropped); use padding = "same", or a size that divides`);
      }
    }
  }
  return { w, g };
}

const pooledShape = (g: Geometry): Shape => [g.Ho, g.Wo, g.C];

/** The input positions of window (oy, ox) inside the image, in scan order (row by row). */
const taps = (g: Geometry, w: Window, oy: number, ox: number): [number, number][] => windowTaps(g, w, oy, ox).map((t) => t.i);

/** The input offset of each window's maximum (first on ties), for the interpreter. */
function argmaxes(x: Float64Array, g: Geometry, w: Window): Int32Array {
  const at = new Int32Array(g.Ho * g.Wo * g.C).fill(-1);
  for (let oy = 0; oy < g.Ho; oy++)
    for (let ox = 0; ox < g.Wo; ox++)
      for (let c = 0; c < g.C; c++) {
        let best = -Infinity;
        for (const [r, q] of taps(g, w, oy, ox)) {
          const i = (r * g.W + q) * g.C + c;
          if (at[(oy * g.Wo + ox) * g.C + c] === -1 || x[i]! > best) {
            best = x[i]!;
            at[(oy * g.Wo + ox) * g.C + c] = i;
          }
        }
      }
  return at;
}

/**
 * Statements finding each window's maximum and its input offset: `visit(o, c, best, at)` gives
 * what to do with them, inside loops over oy, ox, c (or literal indices when unrolled).
 */
function windowMax(ctx: LowerContext, g: Geometry, w: Window, read: (i: [Index, Index], c: Index) => Expr, visit: (o: [Index, Index], c: Index, best: Expr, at: Expr) => Stmt[]): Stmt[] {
  const scan = (o: [Index, Index], c: Index): Stmt[] => {
    const [best, at] = [ctx.fresh("best"), ctx.fresh("at")];
    const oneTap = (i: [Index, Index]): Stmt[] => {
      const value = ctx.fresh("t");
      const offset = flatIndex([g.H, g.W, g.C], [i[0], i[1], c]);
      return [
        decl("const", value, read(i, c)),
        // The first tap always counts (a window of -Infinity still has a position); later ones only when larger.
        ...when(or(compare("<", v(at), num(0)), compare(">", v(value), v(best))), [assign(best, "=", v(value)), assign(at, "=", offset)]),
      ];
    };
    return [decl("let", best, num(-Infinity)), decl("let", at, num(-1)), ...tapsOf(ctx, g, w, o, oneTap), ...visit(o, c, v(best), v(at))];
  };
  return eachWindowChannel(ctx, g, () => ({ stmts: [], value: undefined }), (o, c) => scan(o, c));
}

export const maxPool2d: StructuralOp = {
  name: "max_pool2d",
  kind: "structural",
  shape: ([x], attrs) => pooledShape(poolOf(x!, attrs, "max_pool2d").g),
  evaluate: ([x], attrs, [xs]) => {
    const { w, g } = poolOf(xs!, attrs, "max_pool2d");
    const at = argmaxes(x!, g, w);
    return Float64Array.from(at, (i) => x![i]!);
  },
  flops: ([x]) => sizeOf(x!),
  vjp: (g, node, graph) => [graph.node("max_pool2d_grad", [node.inputs[0]!, g], node.attrs)],
  math: ([x]) => `max_pool(${x})`,
  lower: (ctx) => {
    const { w, g } = poolOf(ctx.inputShapes[0]!, ctx.attrs, "max_pool2d");
    return windowMax(ctx, g, w, (i, c) => ctx.elem(0, [i[0], i[1], c]), (o, c, best) => [ctx.define([o[0], o[1], c], best)]);
  },
};

function gradOf(xs: Shape, gs: Shape, attrs: Attrs, what: string): { w: Window; g: Geometry } {
  const p = poolOf(xs, attrs, what);
  if (!sameShape(gs, pooledShape(p.g))) throw new ShapeError(`${what}: gradient ${shapeText(gs)} does not fit the pooling of ${shapeText(xs)}`);
  return p;
}

export const maxPool2dGrad: StructuralOp = {
  name: "max_pool2d_grad",
  kind: "structural",
  shape: ([xs, gs], attrs) => {
    gradOf(xs!, gs!, attrs, "max_pool2d_grad");
    return xs!;
  },
  evaluate: ([x, gv], attrs, [xs]) => {
    const { w, g } = poolOf(xs!, attrs, "max_pool2d_grad");
    const out = new Float64Array(x!.length);
    argmaxes(x!, g, w).forEach((i, o) => {
      if (i >= 0) out[i]! += gv![o]!;
    });
    return out;
  },
  flops: ([xs]) => sizeOf(xs!),
  vjp: (z, node, graph) => [null, graph.node("max_pool2d_select", [node.inputs[0]!, z], node.attrs)],
  math: ([x, g]) => `route_max(${x}, ${g})`,
  lower: (ctx) => {
    const { w, g } = gradOf(ctx.inputShapes[0]!, ctx.inputShapes[1]!, ctx.attrs, "max_pool2d_grad");
    const read = (i: [Index, Index], c: Index) => ctx.elem(0, [i[0], i[1], c]);
    if (ctx.unrolled) {
      // Each input element: Σ over the windows holding it of (its maximum here ? the window's gradient : 0).
      const locate: Stmt[] = [];
      const terms = new Map<number, Expr[]>();
      locate.push(
        ...windowMax(ctx, g, w, read, (o, c, _best, at) => {
          const name = ctx.fresh("m");
          for (const [r, q] of taps(g, w, o[0] as number, o[1] as number)) {
            const offset = (r * g.W + q) * g.C + (c as number);
            terms.set(offset, [...(terms.get(offset) ?? []), cond(compare("===", v(name), num(offset)), ctx.elem(1, [o[0], o[1], c]), num(0))]);
          }
          return [decl("const", name, at)];
        }),
      );
      const out: Stmt[] = [...locate];
      for (let i = 0; i < sizeOf(ctx.shape); i++) out.push(ctx.define(flatAsIndex(ctx.shape, num(i)), sum(terms.get(i) ?? [])));
      return out;
    }
    const z = ctx.fresh("i");
    return [
      loop(z, 0, sizeOf(ctx.shape), [ctx.store(flatAsIndex(ctx.shape, v(z)), "=", num(0))]),
      ...windowMax(ctx, g, w, read, (o, c, _best, at) => [ctx.store(flatAsIndex(ctx.shape, at), "+=", ctx.elem(1, [o[0], o[1], c]))]),
    ];
  },
};

export const maxPool2dSelect: StructuralOp = {
  name: "max_pool2d_select",
  kind: "structural",
  shape: ([xs, us], attrs) => {
    if (!sameShape(xs!, us!)) throw new ShapeError(`max_pool2d_select: ${shapeText(us!)} must be shaped like the input ${shapeText(xs!)}`);
    return pooledShape(poolOf(xs!, attrs, "max_pool2d_select").g);
  },
  evaluate: ([x, u], attrs, [xs]) => {
    const { w, g } = poolOf(xs!, attrs, "max_pool2d_select");
    return Float64Array.from(argmaxes(x!, g, w), (i) => (i >= 0 ? u![i]! : 0));
  },
  flops: ([xs]) => sizeOf(xs!),
  vjp: (s, node, graph) => [null, graph.node("max_pool2d_grad", [node.inputs[0]!, s], node.attrs)],
  math: ([x, u]) => `at_max(${x}, ${u})`,
  // Loops read u at the maximum's offset, known only at run time: u must be in memory.
  flatInputs: true,
  lower: (ctx) => {
    const { w, g } = poolOf(ctx.inputShapes[0]!, ctx.attrs, "max_pool2d_select");
    const read = (i: [Index, Index], c: Index) => ctx.elem(0, [i[0], i[1], c]);
    if (ctx.unrolled) {
      // Unrolled, u may be one local per element, which no runtime offset can name: each
      // window picks its tap by comparing the offset with every tap's (at === o1 ? u1 : at === o2 ? u2 : … : 0).
      return windowMax(ctx, g, w, read, (o, c, _best, at) => {
        const pick = taps(g, w, o[0] as number, o[1] as number).reduceRight<Expr>((rest, [r, q]) => {
          const offset = (r * g.W + q) * g.C + (c as number);
          return cond(compare("===", at, num(offset)), ctx.elem(1, [r, q, c]), rest);
        }, num(0));
        return [ctx.define([o[0], o[1], c], pick)];
      });
    }
    return windowMax(ctx, g, w, read, (o, c, _best, at) => [ctx.define([o[0], o[1], c], ctx.elem(1, flatAsIndex(ctx.inputShapes[1]!, at)))]);
  },
};

/** The number of taps of window (oy, ox) inside the image (the mean's divisor). */
function tapCount(g: Geometry, w: Window, o: [Index, Index]): Expr {
  if (typeof o[0] === "number" && typeof o[1] === "number") return num(taps(g, w, o[0], o[1]).length);
  if (!pads(g, w)) return num(w.kh * w.kw);
  const span = (oi: Index, stride: number, pad: number, k: number, size: number): Expr => {
    const start = indexAdd(indexMul(ix(oi), stride), -pad);
    return binary("-", call("Math.min", num(size), indexAdd(start, k)), call("Math.max", num(0), start));
  };
  return binary("*", span(o[0], w.sh, g.padTop, w.kh, g.H), span(o[1], w.sw, g.padLeft, w.kw, g.W));
}

/** A window's tap count, as a literal or (loops over padded windows) a local computed once per window. */
function tapCountOnce(ctx: LowerContext, g: Geometry, w: Window, o: [Index, Index]): { stmts: Stmt[]; value: Expr } {
  const count = tapCount(g, w, o);
  if (count.k === "num") return { stmts: [], value: count };
  const name = ctx.fresh("taps");
  return { stmts: [decl("const", name, count)], value: v(name) };
}

export const avgPool2d: StructuralOp = {
  name: "avg_pool2d",
  kind: "structural",
  shape: ([x], attrs) => pooledShape(poolOf(x!, attrs, "average_pool2d").g),
  evaluate: ([x], attrs, [xs]) => {
    const { w, g } = poolOf(xs!, attrs, "average_pool2d");
    const out = new Float64Array(g.Ho * g.Wo * g.C);
    for (let oy = 0; oy < g.Ho; oy++)
      for (let ox = 0; ox < g.Wo; ox++) {
        const t = taps(g, w, oy, ox);
        for (let c = 0; c < g.C; c++) out[(oy * g.Wo + ox) * g.C + c] = t.reduce((s, [r, q]) => s + x![(r * g.W + q) * g.C + c]!, 0) / t.length;
      }
    return out;
  },
  flops: ([x], shape) => sizeOf(shape) + sizeOf(x!),
  vjp: (gv, node, graph) => [graph.node("avg_pool2d_grad", [gv], { ...node.attrs, shape: node.inputs[0]!.shape.join("x") })],
  math: ([x]) => `avg_pool(${x})`,
  // Each window's sum, then one division by its tap count: as the interpreter computes it.
  lower: (ctx) => {
    const { w, g } = poolOf(ctx.inputShapes[0]!, ctx.attrs, "average_pool2d");
    return eachWindowChannel(ctx, g, (o) => tapCountOnce(ctx, g, w, o), (o, c, count) => {
      const at = (i: [Index, Index]) => ctx.elem(0, [i[0], i[1], c]);
      if (ctx.unrolled) return [ctx.define([o[0], o[1], c], binary("/", sum(taps(g, w, o[0] as number, o[1] as number).map(at)), count))];
      const s = ctx.fresh("s");
      return [decl("let", s, num(0)), ...tapsOf(ctx, g, w, o, (i) => [assign(s, "+=", at(i))]), ctx.define([o[0], o[1], c], binary("/", v(s), count))];
    });
  },
};

export const avgPool2dGrad: StructuralOp = {
  name: "avg_pool2d_grad",
  kind: "structural",
  shape: ([gs], attrs) => {
    const xs = shapeAttr(attrs);
    gradOf(xs, gs!, attrs, "avg_pool2d_grad");
    return xs;
  },
  evaluate: ([gv], attrs) => {
    const xs = shapeAttr(attrs);
    const { w, g } = poolOf(xs, attrs, "avg_pool2d_grad");
    const out = new Float64Array(sizeOf(xs));
    for (let oy = 0; oy < g.Ho; oy++)
      for (let ox = 0; ox < g.Wo; ox++) {
        const t = taps(g, w, oy, ox);
        for (let c = 0; c < g.C; c++) for (const [r, q] of t) out[(r * g.W + q) * g.C + c]! += gv![(oy * g.Wo + ox) * g.C + c]! / t.length;
      }
    return out;
  },
  flops: ([gs], shape) => sizeOf(shape) + sizeOf(gs!),
  vjp: (z, node, graph) => {
    const { shape: _shape, ...attrs } = node.attrs;
    return [graph.node("avg_pool2d", [z], attrs)];
  },
  math: ([g]) => `spread_avg(${g})`,
  // Each window's gradient divided by its tap count once, then added to each of its taps.
  lower: (ctx) => {
    const { w, g } = poolOf(ctx.shape, ctx.attrs, "avg_pool2d_grad");
    return accumulate(ctx, ctx.shape, (add) =>
      eachWindowChannel(ctx, g, (o) => tapCountOnce(ctx, g, w, o), (o, c, count) => {
        const share = binary("/", ctx.elem(0, [o[0], o[1], c]), count);
        if (ctx.unrolled) return tapsOf(ctx, g, w, o, (i) => add([i[0], i[1], c], share));
        const name = ctx.fresh("share");
        return [decl("const", name, share), ...tapsOf(ctx, g, w, o, (i) => add([i[0], i[1], c], v(name)))];
      }),
    );
  },
};
