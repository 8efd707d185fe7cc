// The TensorFlow.js oracle for image models: nnc's parameters in tfjs-layers' layers and back,
// image batches as [n, height, width, channels] tensors, and tfjs' loss and gradients by our
// parameter names. Layouts: a conv kernel is [kh, kw, in, out] in both (Keras' layout, so the
// values are the same); a dense W is our [out, in], Keras' kernel [in, out] (transposed);
// biases are the same.
//
//   copyLayerWeights(mod, params, net, [["K_c1", "b_c1"], ["W_out", "b_out"]]);
//   const theirs = tfLossAndGrads(mod, net, map, xs, ys);   // batch mean, our flat layout

import type { GeneratedModule } from "../helpers/generated.js";
import { type LayerParams, tf, type tfl } from "./tfjs.js";

interface Slot {
  name: string;
  shape: number[];
  offset: number;
  size: number;
}

export function slot(mod: GeneratedModule, name: string): Slot {
  const p = mod.model.params.find((q) => q.name === name);
  if (!p) throw new Error(`no parameter ${name} (have ${mod.model.params.map((q) => q.name).join(", ")})`);
  return p;
}

/** Our parameter's values as Keras holds them: a dense W transposed, anything else as it is. */
export function toKeras(values: ArrayLike<number>, shape: number[]): tf.Tensor {
  if (shape.length !== 2) return tf.tensor(Array.from(values), shape);
  const [out, inn] = shape as [number, number];
  const k = new Array<number>(out * inn);
  for (let o = 0; o < out; o++) for (let i = 0; i < inn; i++) k[i * out + o] = values[o * inn + i]!;
  return tf.tensor2d(k, [inn, out]);
}

/** Keras' values of one of our parameters, back in our layout. */
export function fromKeras(values: ArrayLike<number>, shape: number[]): number[] {
  if (shape.length !== 2) return Array.from(values);
  const [out, inn] = shape as [number, number];
  const w = new Array<number>(out * inn);
  for (let o = 0; o < out; o++) for (let i = 0; i < inn; i++) w[o * inn + i] = values[i * out + o]!;
  return w;
}

const weightLayers = (net: tfl.LayersModel) => net.layers.filter((l) => l.getWeights().length > 0);

/** Sets the weights of `net`'s weighted layers (conv or dense, in order) to ours. */
export function copyLayerWeights(mod: GeneratedModule, params: Float64Array, net: tfl.LayersModel, map: LayerParams): void {
  const layers = weightLayers(net);
  if (layers.length !== map.length) throw new Error(`tfjs model has ${layers.length} weighted layers, map has ${map.length}`);
  map.forEach((names, i) => {
    const weights = names.filter((n): n is string => n !== null).map((n) => {
      const s = slot(mod, n);
      return toKeras(params.subarray(s.offset, s.offset + s.size), s.shape);
    });
    layers[i]!.setWeights(weights);
    tf.dispose(weights);
  });
}

/** Per-layer values (kernel, bias) of tfjs in our flat layout (NaN where we have no counterpart). */
export function inOurLayout(mod: GeneratedModule, map: LayerParams, perLayer: ArrayLike<number>[][]): Float64Array {
  const flat = new Float64Array(mod.model.paramCount).fill(NaN);
  map.forEach((names, i) => {
    names.forEach((n, j) => {
      if (n === null) return;
      const s = slot(mod, n);
      flat.set(fromKeras(perLayer[i]![j]!, s.shape), s.offset);
    });
  });
  return flat;
}

/** `net`'s weights now, in our flat layout. */
export function layerWeights(mod: GeneratedModule, net: tfl.LayersModel, map: LayerParams): Float64Array {
  return inOurLayout(
    mod,
    map,
    weightLayers(net).map((l) => l.getWeights().map((w) => w.dataSync())),
  );
}

/** Rows of flat images as one [n, ...shape] tensor. */
export function imageBatch(xs: number[][], shape: number[]): tf.Tensor {
  return tf.tensor(xs.flat(), [xs.length, ...shape]);
}

/** The loss function `net` was compiled with (a Sequential keeps it on an inner LayersModel). */
export function compiledLoss(net: tfl.LayersModel): (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor {
  const compiled = (net as unknown as { model?: tfl.LayersModel }).model ?? net;
  return compiled.lossFunctions[0]!;
}

/** The trainable variables of `net`'s weighted layers, in layer order (kernel, bias). */
export function trainableVariables(net: tfl.LayersModel): tf.Variable[] {
  return weightLayers(net).flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable));
}

/**
 * tfjs-layers' training loss of one batch as LayersModel.fit computes it (the mean of the
 * compiled loss function over the rows) and its gradient w.r.t. every weight, in our layout.
 * `forward` replaces net.apply (to apply a fixed dropout mask, say).
 */
export function tfLossAndGrads(
  mod: GeneratedModule,
  net: tfl.LayersModel,
  map: LayerParams,
  inputShape: number[],
  xs: number[][],
  ys: number[][],
  forward: (x: tf.Tensor) => tf.Tensor = (x) => net.apply(x, { training: true }) as tf.Tensor,
): { loss: number; grad: Float64Array } {
  const lossFn = compiledLoss(net);
  const layers = weightLayers(net);
  const vars = trainableVariables(net);
  const x = imageBatch(xs, inputShape);
  const y = tf.tensor2d(ys);
  const { value, grads } = tf.variableGrads(() => tf.mean(lossFn(y, forward(x))) as tf.Scalar, vars);
  let k = 0;
  const perLayer = layers.map((l) => l.trainableWeights.map(() => grads[vars[k++]!.name]!.dataSync()));
  const result = { loss: value.dataSync()[0]!, grad: inOurLayout(mod, map, perLayer) };
  tf.dispose([x, y, value, ...Object.values(grads)]);
  return result;
}

/** The largest relative differences seen, per check, printed at the end under NNC_ORACLE_REPORT=1. */
export const measured = new Map<string, number>();

export function reportMeasured(file: string): void {
  if (process.env["NNC_ORACLE_REPORT"] !== "1") return;
  const lines = [...measured].map(([what, err]) => `  ${err.toExponential(2)}  ${what}`);
  process.stdout.write(`${file}: largest relative differences, nnc (f64) vs TensorFlow.js (f32)\n${lines.join("\n")}\n`);
}
