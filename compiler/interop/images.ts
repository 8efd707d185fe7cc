// What both importers and both exporters know of images: the window of a convolution or a
// pooling (Keras' and nnc's: channels last, padding "valid" or TensorFlow's "same"), the shape it
// produces (by nnc's own geometry, so an import never writes a call nnc would refuse), the
// explicit pads TensorFlow's "same" means (ONNX writes pads), and the calls of the model file.
//
//   convShape(where, [28, 28, 1], { kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, padding: "same" }, 16)  -> [28, 28, 16]
//   samePads([28, 28, 1], window of 3, stride 2)   -> { top: 0, left: 0, bottom: 1, right: 1 }
//   poolCall("max_pool2d", ref("h"), window of 2)  -> max_pool2d(h, 2)

import { type Padding, type Window, geometry } from "../ops/conv-geometry.js";
import { ShapeError } from "../ir/node.js";
import { call, list, num, word, type NnExpr } from "./draft.js";
import { InteropError } from "./errors.js";

export type { Padding, Window };

/** A size pair as the model file writes it: `3` when both are 3, else `[3, 2]`. */
export function pair(a: number, b: number): NnExpr {
  return a === b ? num(a) : list([a, b]);
}

/** Whether `shape` is an image [height, width, channels]. */
export const isImage = (shape: readonly number[]): boolean => shape.length === 3;

/** The image a layer or node reads, or an InteropError saying what it got. */
export function needImage(where: string, shape: readonly number[]): [number, number, number] {
  if (!isImage(shape)) throw new InteropError(`${where}: its input has shape [${shape.join(", ")}]; it needs an image [height, width, channels]`);
  return shape as [number, number, number];
}

function geometryOf(where: string, x: readonly number[], w: Window, what: string) {
  try {
    return geometry(x, w, what);
  } catch (e) {
    if (e instanceof ShapeError) throw new InteropError(`${where}: ${e.message}`);
    throw e;
  }
}

/** The output shape of a convolution with `filters` filters over image `x`. */
export function convShape(where: string, x: readonly number[], w: Window, filters: number): number[] {
  const g = geometryOf(where, needImage(where, x), w, "conv2d");
  return [g.Ho, g.Wo, filters];
}

/**
 * The output shape of a pooling over image `x`. A "valid" pooling whose windows do not tile the
 * image would drop its last rows or columns: Keras and ONNX do that, nnc refuses (docs/errors.md
 * M36), so the import says so here, naming the layer.
 */
export function poolShape(where: string, x: readonly number[], w: Window): number[] {
  const g = geometryOf(where, needImage(where, x), w, "pooling");
  if (w.padding === "valid") {
    for (const [size, k, stride, dim] of [[g.H, w.kh, w.sh, "height"], [g.W, w.kw, w.sw, "width"]] as const) {
      if ((size - k) % stride !== 0) {
        throw new InteropError(`${where}: a window of ${k} with stride ${stride} over the ${dim} ${size} drops the last ${(size - k) % stride} (padding valid); nnc's pooling never drops rows or columns, so this model cannot be imported as it is (pool an image whose size the windows tile, or use padding same)`);
      }
    }
  }
  return [g.Ho, g.Wo, g.C];
}

/** The zeros TensorFlow's "same" padding puts around image `x` (the odd one at the bottom and right). */
export function samePads(x: readonly number[], w: Window): { top: number; left: number; bottom: number; right: number } {
  const g = geometry(x, { ...w, padding: "same" }, "window");
  const total = (size: number, out: number, k: number, s: number, d: number) => Math.max((out - 1) * s + (k - 1) * d + 1 - size, 0);
  const th = total(g.H, g.Ho, w.kh, w.sh, w.dh);
  const tw = total(g.W, g.Wo, w.kw, w.sw, w.dw);
  return { top: g.padTop, left: g.padLeft, bottom: th - g.padTop, right: tw - g.padLeft };
}

/** The padding nnc writes, as an argument (nothing for its default, "valid"). */
export function paddingArg(padding: Padding): [string, NnExpr][] {
  return padding === "same" ? [["padding", word("same")]] : [];
}

/** max_pool2d / average_pool2d(x, pool_size, strides = …, padding = same): strides only when they differ from the pool size. */
export function poolCall(fn: "max_pool2d" | "average_pool2d", x: NnExpr, w: Window): NnExpr {
  const named: [string, NnExpr][] = [];
  if (w.sh !== w.kh || w.sw !== w.kw) named.push(["strides", pair(w.sh, w.sw)]);
  named.push(...paddingArg(w.padding));
  return call(fn, [x, pair(w.kh, w.kw)], named);
}

/** The global max pooling of image [H, W, C] as nnc writes it: the max over one H × W window, flattened to [C]. */
export function globalMaxCall(x: NnExpr, shape: readonly number[]): NnExpr {
  return call("flatten", [call("max_pool2d", [x, pair(shape[0]!, shape[1]!)])]);
}

/** [kh, kw, in, out] (nnc and Keras) <-> [out, in, kh, kw] (ONNX, PyTorch): the same kernel in the other layout. */
export function kernelToOihw(k: ArrayLike<number>, [kh, kw, cin, cout]: readonly number[]): Float64Array {
  const out = new Float64Array(kh! * kw! * cin! * cout!);
  for (let y = 0; y < kh!; y++) for (let x = 0; x < kw!; x++) for (let i = 0; i < cin!; i++) for (let o = 0; o < cout!; o++) out[((o * cin! + i) * kh! + y) * kw! + x] = k[((y * kw! + x) * cin! + i) * cout! + o]!;
  return out;
}

export function kernelFromOihw(k: ArrayLike<number>, [cout, cin, kh, kw]: readonly number[]): Float64Array {
  const out = new Float64Array(kh! * kw! * cin! * cout!);
  for (let y = 0; y < kh!; y++) for (let x = 0; x < kw!; x++) for (let i = 0; i < cin!; i++) for (let o = 0; o < cout!; o++) out[((y * kw! + x) * cin! + i) * cout! + o] = k[((o * cin! + i) * kh! + y) * kw! + x]!;
  return out;
}
