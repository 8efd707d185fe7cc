// Shared machinery for the TensorFlow.js oracle tests: the same model in nnc and in tfjs-layers,
// the same weights in both, and tfjs' forward output, loss and gradients in nnc's flat layout.
//
//   const { mod } = await compileAndImport(source);              // nnc: W_h[5, 4], b_h[5], ...
//   const net = sequential([tfl.layers.dense({ units: 5, inputShape: [4], activation: "relu" }), ...]);
//   copyWeights(mod, params, net, [["W_h", "b_h"], ["W_out", "b_out"]]);  // our W is [out, in]: transposed
//   const ref = tfGradients(net, xs, ys);                          // in our layout, batch mean
//
// tfjs computes in float32, so comparisons use a relative error of 1e-4 (see expectClose).

import * as tfl from "@tensorflow/tfjs-layers";
import { tf } from "../helpers/tfjs-cpu.js";
import { expect } from "vitest";
import type { GeneratedModule } from "../helpers/generated.js";

export { tf, tfl };

export const REL_TOL = 1e-4;

export async function useCpuBackend(): Promise<void> {
  await tf.setBackend("cpu");
}

/** Which of our parameters feed which tfjs layer: [kernel, bias] names per layer with weights. */
export type LayerParams = [kernel: string, bias: string | null][];

interface ParamSlot {
  name: string;
  shape: number[];
  offset: number;
  size: number;
}

function slot(mod: GeneratedModule, name: string): ParamSlot {
  const p = mod.model.params.find((q) => q.name === name);
  if (!p) throw new Error(`no parameter ${name} (have ${mod.model.params.map((q) => q.name).join(", ")})`);
  return p;
}

/** Our [out, in] row-major W -> tfjs' [in, out] kernel values (and back: transposeBack). */
function toKernel(values: ArrayLike<number>, out: number, inn: number): number[] {
  const k = new Array<number>(out * inn);
  for (let o = 0; o < out; o++) for (let i = 0; i < inn; i++) k[i * out + o] = values[o * inn + i]!;
  return k;
}

function fromKernel(values: ArrayLike<number>, out: number, inn: number): number[] {
  const w = new Array<number>(out * inn);
  for (let o = 0; o < out; o++) for (let i = 0; i < inn; i++) w[o * inn + i] = values[i * out + o]!;
  return w;
}

/** Layers of `net` that own weights (Dense, Conv2D), in order. */
function weightLayers(net: tfl.LayersModel): tfl.layers.Layer[] {
  return net.layers.filter((l) => l.getWeights().length > 0);
}

/** Sets `net`'s weights to ours (transposing kernels). */
export function copyWeights(mod: GeneratedModule, params: Float64Array, net: tfl.LayersModel, map: LayerParams): void {
  const layers = weightLayers(net);
  if (layers.length !== map.length) throw new Error(`tfjs model has ${layers.length} weighted layers, map has ${map.length}`);
  map.forEach(([kernel, bias], i) => {
    const W = slot(mod, kernel);
    const [out, inn] = W.shape as [number, number];
    const values = params.subarray(W.offset, W.offset + W.size);
    // A Dense kernel is our W transposed; a Conv2D kernel [kh, kw, in, out] is ours as it is.
    const weights: tf.Tensor[] = [W.shape.length === 2 ? tf.tensor2d(toKernel(values, out, inn), [inn, out]) : tf.tensor(Array.from(values), W.shape)];
    if (bias) {
      const b = slot(mod, bias);
      weights.push(tf.tensor1d(Array.from(params.subarray(b.offset, b.offset + b.size))));
    }
    layers[i]!.setWeights(weights);
    tf.dispose(weights);
  });
}

/** tfjs' per-layer values (kernel and bias tensors) in our flat layout. */
export function tfValuesInOurLayout(mod: GeneratedModule, map: LayerParams, perLayer: ArrayLike<number>[][]): Float64Array {
  const flat = new Float64Array(mod.model.paramCount).fill(NaN);
  map.forEach(([kernel, bias], i) => {
    const W = slot(mod, kernel);
    const [out, inn] = W.shape as [number, number];
    flat.set(W.shape.length === 2 ? fromKernel(perLayer[i]![0]!, out, inn) : Array.from(perLayer[i]![0]!), W.offset);
    if (bias) flat.set(Array.from(perLayer[i]![1]!), slot(mod, bias).offset);
  });
  return flat;
}

/** `net`'s current weights in our flat layout. */
export function tfWeights(mod: GeneratedModule, net: tfl.LayersModel, map: LayerParams): Float64Array {
  return tfValuesInOurLayout(
    mod,
    map,
    weightLayers(net).map((l) => l.getWeights().map((w) => w.dataSync())),
  );
}

/** Our batch-mean loss and gradient, through the generated grad() (training mode). */
export function ourBatchGradient(mod: GeneratedModule, params: Float64Array, xs: number[][], ys: number[][], rng?: unknown): { loss: number; grad: Float64Array } {
  const g = new Float64Array(params.length);
  let loss = 0;
  for (let i = 0; i < xs.length; i++) loss += mod.grad(params, xs[i]!, ys[i]!, g, rng);
  for (let i = 0; i < g.length; i++) g[i]! /= xs.length;
  return { loss: loss / xs.length, grad: g };
}

/**
 * tfjs-layers' training loss on one batch, computed as LayersModel.fit does (training.js
 * makeTrainFunction): mean of the compiled loss function over the batch plus the layers'
 * regularization losses; and its gradient w.r.t. every weight, in our layout.
 */
export function tfLossAndGradient(
  mod: GeneratedModule,
  net: tfl.LayersModel,
  map: LayerParams,
  xs: number[][],
  ys: number[][],
  forward: (x: tf.Tensor) => tf.Tensor = (x) => net.apply(x, { training: true }) as tf.Tensor,
): { loss: number; grad: Float64Array } {
  // A Sequential keeps its compiled state on an inner LayersModel.
  const compiled = (net as unknown as { model?: tfl.LayersModel }).model ?? net;
  const lossFn = compiled.lossFunctions[0]!;
  const layers = weightLayers(net);
  const vars = layers.flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable));
  // Each row is one sample, flat: an image model's input is [N, height, width, channels].
  const x = tf.tensor(xs.flat(), [xs.length, ...(net.inputs[0]!.shape.slice(1) as number[])]);
  const y = tf.tensor2d(ys);
  const { value, grads } = tf.variableGrads(() => {
    let total = tf.mean(lossFn(y, forward(x))) as tf.Scalar;
    for (const penalty of compiled.calculateLosses()) total = tf.add(total, penalty);
    return total;
  }, vars);
  let k = 0;
  const perLayer = layers.map((l) => l.trainableWeights.map(() => grads[vars[k++]!.name]!.dataSync()));
  const result = { loss: value.dataSync()[0]!, grad: tfValuesInOurLayout(mod, map, perLayer) };
  tf.dispose([x, y, value, ...Object.values(grads)]);
  return result;
}

/**
 * Elementwise relative error |a − b| / max(|a|, |b|, floor) must stay below REL_TOL, where
 * floor = floorFraction · max|b| (default 1e-3): an element far smaller than the largest one in
 * its tensor is compared at the tensor's scale, since float32 cannot resolve it better than that.
 * The reference must be non-trivial (something must be compared). Returns the worst error.
 */
export function expectClose(ours: ArrayLike<number>, theirs: ArrayLike<number>, what: string, floorFraction = 1e-3, tol = REL_TOL): number {
  expect(ours.length, `${what}: length`).toBe(theirs.length);
  let scale = 0;
  for (let i = 0; i < theirs.length; i++) scale = Math.max(scale, Math.abs(theirs[i]!));
  expect(scale, `${what}: the reference is all zeros`).toBeGreaterThan(1e-6);
  const floor = floorFraction * scale;
  let worst = 0;
  let at = -1;
  for (let i = 0; i < theirs.length; i++) {
    const a = ours[i]!;
    const b = theirs[i]!;
    const err = Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), floor);
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  expect(worst, `${what}: worst relative error at [${at}]: ours ${ours[at]}, tfjs ${theirs[at]}`).toBeLessThan(tol);
  return worst;
}

/**
 * Weights after several optimizer steps, one parameter tensor at a time, by the normwise relative
 * error max|a − b| / max|b|. (Elementwise would be wrong here: Adam and RMSprop divide by √v, so a
 * gradient element near zero, where float32 keeps few correct digits, still takes a full-size
 * step; that step's error is small against the tensor, not against a weight that sits near 0.)
 */
export function expectWeightsClose(mod: GeneratedModule, ours: Float64Array, theirs: Float64Array, what: string): number {
  let worst = 0;
  for (const p of mod.model.params) {
    worst = Math.max(worst, expectClose(ours.subarray(p.offset, p.offset + p.size), theirs.subarray(p.offset, p.offset + p.size), `${what} ${p.name}`, 1));
  }
  return worst;
}

/** Deterministic test data in [lo, hi) (xorshift; not the runtime's Rng on purpose). */
export function randomMatrix(rows: number, cols: number, seed: number, lo = -1, hi = 1): number[][] {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => lo + (hi - lo) * next()));
}

/** One-hot rows for class indices. */
export function oneHot(labels: number[], classes: number): number[][] {
  return labels.map((k) => Array.from({ length: classes }, (_, j) => (j === k ? 1 : 0)));
}
