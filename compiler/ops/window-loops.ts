// Loops over the windows of a convolution or pooling in lowered code, shared by their ops
// (conv.ts, pool.ts): each (window, kernel tap) pair as literal indices when unrolled, or as
// loops over oy, ox, ky, kx with a bounds test where a window can reach past the image; and
// sums into an output that many taps add to.
//
//   eachTap(ctx, g, w, (o, k, i) => add([o[0], o[1], f], x[i] · K[k]))
//     loops:  for (oy) for (ox) for (ky) for (kx) { if (iy >= 0 && iy < H && …) out[…] += …; }

import { type Expr, type Stmt, indexAdd, indexMul, loop, num, sum, v, when } from "../ir/code.js";
import { type Shape, sizeOf } from "../ir/node.js";
import { type Geometry, type Window, forEachTap, inputAt, insideTest, windowTaps } from "./conv-geometry.js";
import { unflatten } from "./loops.js";
import type { Index, LowerContext } from "./op-def.js";

type Pair = [Index, Index];

/**
 * The loops over the taps (ky, kx) of window `o` (loop variables): `body(k, i, inImage)` with the
 * input position i and the test that it lies inside the image (undefined: it always does).
 */
export function tapLoops(ctx: Pick<LowerContext, "fresh">, g: Geometry, w: Window, o: Pair, body: (k: Pair, i: Pair, inImage: Expr | undefined | false) => Stmt[]): Stmt[] {
  const [ky, kx] = [ctx.fresh("ky"), ctx.fresh("kx")];
  const iy = inputAt(o[0], v(ky), w.sh, w.dh, g.padTop);
  const ix = inputAt(o[1], v(kx), w.sw, w.dw, g.padLeft);
  return [loop(ky, 0, w.kh, [loop(kx, 0, w.kw, body([v(ky), v(kx)], [iy, ix], insideTest(g, w, iy, ix)))])];
}

/** The taps of window `o` inside the image, in scan order: literal ones for a literal window, else loops with a bounds test where needed. */
export function tapsOf(ctx: Pick<LowerContext, "fresh">, g: Geometry, w: Window, o: Pair, body: (i: Pair) => Stmt[]): Stmt[] {
  if (typeof o[0] === "number" && typeof o[1] === "number") return windowTaps(g, w, o[0], o[1]).flatMap((t) => body(t.i));
  return tapLoops(ctx, g, w, o, (_k, i, inImage) => when(inImage, body(i)));
}

/**
 * Every (window, channel) pair of an output [Ho, Wo, C]: literal indices when unrolled, else
 * loops over oy, ox and c. `perWindow(o)` runs once per window, before its channels (a value
 * every channel shares, such as the window's tap count), and gives `visit` its value.
 */
export function eachWindowChannel<T>(
  ctx: Pick<LowerContext, "unrolled" | "fresh">,
  g: Geometry,
  perWindow: (o: Pair) => { stmts: Stmt[]; value: T },
  visit: (o: Pair, c: Index, value: T) => Stmt[],
): Stmt[] {
  if (ctx.unrolled) {
    const out: Stmt[] = [];
    for (let oy = 0; oy < g.Ho; oy++)
      for (let ox = 0; ox < g.Wo; ox++) {
        const shared = perWindow([oy, ox]);
        out.push(...shared.stmts);
        for (let c = 0; c < g.C; c++) out.push(...visit([oy, ox], c, shared.value));
      }
    return out;
  }
  const [oy, ox, c] = [ctx.fresh("oy"), ctx.fresh("ox"), ctx.fresh("ch")];
  const o: Pair = [v(oy), v(ox)];
  const shared = perWindow(o);
  return [loop(oy, 0, g.Ho, [loop(ox, 0, g.Wo, [...shared.stmts, loop(c, 0, g.C, visit(o, v(c), shared.value))])])];
}

/**
 * Visits every (output position, kernel tap) pair whose input position lies inside the image:
 * literal indices when unrolled, else loops over oy, ox, ky, kx with an `if` where padding can
 * reach past the image. `body(o, k, i)` gives the statements of one pair.
 */
export function eachTap(ctx: Pick<LowerContext, "unrolled" | "fresh">, g: Geometry, w: Window, body: (o: Pair, k: Pair, i: Pair) => Stmt[]): Stmt[] {
  if (ctx.unrolled) {
    const out: Stmt[] = [];
    forEachTap(g, w, (t) => out.push(...body(t.o, t.k, t.i)));
    return out;
  }
  const [oy, ox] = [ctx.fresh("oy"), ctx.fresh("ox")];
  const o: Pair = [v(oy), v(ox)];
  return [loop(oy, 0, g.Ho, [loop(ox, 0, g.Wo, tapLoops(ctx, g, w, o, (k, i, inImage) => when(inImage, body(o, k, i))))])];
}

/**
 * Loops over output positions, kernel taps and channels of an unfold (im2col, col2im):
 * `body(row, col, input position, channel, inImage)` with row = oy·Wo + ox and
 * col = (ky·kw + kx)·C + c, and `inImage` undefined (always in the image), false (a padded tap,
 * unrolled) or the test to make. Padded taps are visited too: an unfold writes zeros there.
 */
export function unfoldLoops(ctx: LowerContext, g: Geometry, w: Window, body: (row: Index, col: Index, i: Pair, c: Index, inImage: Expr | undefined | false) => Stmt[]): Stmt[] {
  if (ctx.unrolled) {
    const out: Stmt[] = [];
    forEachTap(
      g,
      w,
      (t) => {
        const row = t.o[0] * g.Wo + t.o[1];
        for (let c = 0; c < g.C; c++) out.push(...body(row, (t.k[0] * w.kw + t.k[1]) * g.C + c, t.i, c, t.inImage ? undefined : false));
      },
      true,
    );
    return out;
  }
  const [oy, ox] = [ctx.fresh("oy"), ctx.fresh("ox")];
  const row = indexAdd(indexMul(v(oy), g.Wo), v(ox));
  const taps = tapLoops(ctx, g, w, [v(oy), v(ox)], (k, i, inImage) => {
    const tap = indexMul(indexAdd(indexMul(k[0] as Expr, w.kw), k[1]), g.C);
    if (g.C === 1) return body(row, tap, i, 0, inImage);
    const channel = ctx.fresh("ch");
    return [loop(channel, 0, g.C, body(row, indexAdd(tap, v(channel)), i, v(channel), inImage))];
  });
  return [loop(oy, 0, g.Ho, [loop(ox, 0, g.Wo, taps)])];
}

/** out[…] += terms: as one sum of literal terms per element (unrolled), or zeroed and added to in place (loops). */
export function accumulate(ctx: LowerContext, shape: Shape, scatter: (add: (index: Index[], term: Expr) => Stmt[]) => Stmt[]): Stmt[] {
  if (ctx.unrolled) {
    const terms = new Map<string, Expr[]>();
    scatter((index, term) => {
      const key = index.join(",");
      const list = terms.get(key);
      if (list) list.push(term);
      else terms.set(key, [term]);
      return [];
    });
    const out: Stmt[] = [];
    for (let flat = 0; flat < sizeOf(shape); flat++) {
      const index = unflatten(shape, flat);
      out.push(ctx.define(index, sum(terms.get(index.join(",")) ?? [])));
    }
    return out;
  }
  const c = ctx.fresh("i");
  return [loop(c, 0, sizeOf(shape), [ctx.store(flatAsIndex(shape, v(c)), "=", num(0))]), ...scatter((index, term) => [ctx.store(index, "+=", term)])];
}

/** A flat offset as the multi-index [0, …, 0, flat]: the same row-major offset. */
export function flatAsIndex(shape: Shape, flat: Expr): Index[] {
  return [...shape.slice(0, -1).map(() => 0), flat];
}
