// Where a 2-D convolution or pooling window reads its input, as TensorFlow (and Keras) define
// it: channels last, `valid` (no padding) or `same` (zeros around the input so that the output
// has ⌈input / stride⌉ rows, the odd one of padding at the bottom and right), strides and
// dilation. Shared by the convolution and pooling ops, their derivatives and their lowerings.
//
//   H = 28, kernel 3, stride 1, valid  ->  out 26, padTop 0
//   H = 28, kernel 3, stride 2, same   ->  out 14, padTop 0 (pad total 1, at the bottom)

import { type Expr, and, compare, indexAdd, indexMul, num } from "../ir/code.js";
import { type Attrs, type Shape, ShapeError, shapeText } from "../ir/node.js";
import { ix } from "./loops.js";
import type { Index } from "./op-def.js";

export type Padding = "valid" | "same";

/** Window parameters, as op attributes: strides sh, sw; dilation dh, dw; padding. */
export interface Window {
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  padding: Padding;
}

/** The window of a node's attributes (kernel size from `kh`, `kw` or given). */
export function windowOf(attrs: Attrs, kernel?: readonly [number, number]): Window {
  const n = (k: string, d = 1) => (attrs[k] === undefined ? d : Number(attrs[k]));
  return {
    kh: kernel ? kernel[0] : n("kh"),
    kw: kernel ? kernel[1] : n("kw"),
    sh: n("sh"),
    sw: n("sw"),
    dh: n("dh"),
    dw: n("dw"),
    padding: attrs["padding"] === "same" ? "same" : "valid",
  };
}

/** The attributes of a window (without the kernel size, which a kernel tensor carries). */
export function windowAttrs(w: Window, withKernel: boolean): Attrs {
  return {
    sh: w.sh,
    sw: w.sw,
    dh: w.dh,
    dw: w.dw,
    padding: w.padding,
    ...(withKernel ? { kh: w.kh, kw: w.kw } : {}),
  };
}

export interface Geometry {
  H: number;
  W: number;
  C: number;
  Ho: number;
  Wo: number;
  /** Zeros added above and left of the input. */
  padTop: number;
  padLeft: number;
}

function outSize(size: number, k: number, stride: number, dilation: number, padding: Padding, what: string, input: Shape, extent: "high" | "wide"): { out: number; pad: number } {
  const effective = (k - 1) * dilation + 1;
  if (padding === "same") {
    const out = Math.ceil(size / stride);
    return { out, pad: Math.floor(Math.max((out - 1) * stride + effective - size, 0) / 2) };
  }
  if (effective > size) {
    const dilated = dilation > 1 ? ` (${k} dilated by ${dilation})` : "";
    throw new ShapeError(`the ${what} window is ${effective}${dilated} ${extent}, larger than the input ${shapeText(input)}; use padding = "same" or a smaller window`);
  }
  return { out: Math.floor((size - effective) / stride) + 1, pad: 0 };
}

/** Output size and padding of a window over an image [H, W, C]. */
export function geometry(x: Shape, w: Window, what: string): Geometry {
  if (x.length !== 3) throw new ShapeError(`${what} needs an image [height, width, channels], got ${shapeText(x)}`);
  const [H, W, C] = x as [number, number, number];
  const rows = outSize(H, w.kh, w.sh, w.dh, w.padding, what, x, "high");
  const cols = outSize(W, w.kw, w.sw, w.dw, w.padding, what, x, "wide");
  return { H, W, C, Ho: rows.out, Wo: cols.out, padTop: rows.pad, padLeft: cols.pad };
}

/** The input row (or column) a window position reads: `o·stride + k·dilation − pad`. */
export function inputAt(o: Index, k: Index, stride: number, dilation: number, pad: number): Index {
  if (typeof o === "number" && typeof k === "number") return o * stride + k * dilation - pad;
  return indexAdd(indexAdd(indexMul(ix(o), stride), indexMul(ix(k), dilation)), -pad);
}

/** Whether input position `i` (of `size`) is inside the image; undefined when it always is. */
export function inside(i: Index, size: number): Expr | undefined | false {
  if (typeof i === "number") return i >= 0 && i < size ? undefined : false;
  return and(compare(">=", i, num(0)), compare("<", i, num(size)));
}

/** Both tests together (undefined: always inside, false: never). */
export function insideBoth(a: Expr | undefined | false, b: Expr | undefined | false): Expr | undefined | false {
  if (a === false || b === false) return false;
  if (a === undefined) return b;
  if (b === undefined) return a;
  return and(a, b);
}

/** Whether a window can reach past the image at all (padding "same" with something to pad). */
export function pads(g: Geometry, w: Window): boolean {
  return w.padding === "same" && ((g.Ho - 1) * w.sh + (w.kh - 1) * w.dh + 1 > g.H || (g.Wo - 1) * w.sw + (w.kw - 1) * w.dw + 1 > g.W || g.padTop > 0 || g.padLeft > 0);
}

/** The test that tap (iy, ix) lies inside the image: undefined where no window can leave it, false where it never does. */
export function insideTest(g: Geometry, w: Window, iy: Index, ix: Index): Expr | undefined | false {
  return pads(g, w) ? insideBoth(inside(iy, g.H), inside(ix, g.W)) : undefined;
}

/** One tap of one window: the window's position o, the kernel tap k, the input position i it reads, and whether i is in the image. */
export interface Tap {
  o: [number, number];
  k: [number, number];
  i: [number, number];
  inImage: boolean;
}

/** The taps of window (oy, ox) in scan order (row by row): those inside the image, or every one with `all`. */
export function windowTaps(g: Geometry, w: Window, oy: number, ox: number, all = false): Tap[] {
  const out: Tap[] = [];
  for (let ky = 0; ky < w.kh; ky++)
    for (let kx = 0; kx < w.kw; kx++) {
      const i: [number, number] = [inputAt(oy, ky, w.sh, w.dh, g.padTop) as number, inputAt(ox, kx, w.sw, w.dw, g.padLeft) as number];
      const inImage = i[0] >= 0 && i[0] < g.H && i[1] >= 0 && i[1] < g.W;
      if (inImage || all) out.push({ o: [oy, ox], k: [ky, kx], i, inImage });
    }
  return out;
}

/** Every window's taps (inside the image, or every one with `all`), windows in scan order: the interpreters' and unrolled lowerings' loop. */
export function forEachTap(g: Geometry, w: Window, visit: (t: Tap) => void, all = false): void {
  for (let oy = 0; oy < g.Ho; oy++) for (let ox = 0; ox < g.Wo; ox++) for (const t of windowTaps(g, w, oy, ox, all)) visit(t);
}
