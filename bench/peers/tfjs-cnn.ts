// The TensorFlow.js peer for the CNN: the benchmark's CNN (bench/cnn-workload.ts) in
// @tensorflow/tfjs-layers on the pure JavaScript cpu backend, with nnc's initial weights copied in
// (conv kernels are [kh, kw, in, out] in both; nnc's dense kernel is [out, in], tfjs' [in, out]),
// trained with model.fit as a tfjs user would. Call `useCpu()` (peers/tfjs.ts) first.
//
//   const net = tfjsCnn(benchCnnNet(), params);
//   await net.fit(x, y, rows, { batchSize: 32, epochs: 1 });

import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { CNN_CLASSES, CNN_PIXELS, type CnnSpec } from "../cnn-workload.js";
import type { TfjsNet } from "./tfjs.js";

export function tfjsCnn(spec: CnnSpec, params: Float64Array): TfjsNet {
  const model = tfl.sequential();
  const [h, w, c] = spec.input;
  let channels = c;
  let features = 0;
  for (const [i, l] of spec.layers.entries()) {
    const first = i === 0 ? { inputShape: spec.input } : {};
    if (l.kind === "conv") {
      const layer = tfl.layers.conv2d({ filters: l.filters, kernelSize: l.size, padding: l.padding, activation: "relu", ...first });
      model.add(layer);
      const kernel = Float32Array.from(params.subarray(l.K, l.K + l.size * l.size * channels * l.filters));
      layer.setWeights([tf.tensor4d(kernel, [l.size, l.size, channels, l.filters]), tf.tensor1d(Float32Array.from(params.subarray(l.b, l.b + l.filters)))]);
      channels = l.filters;
    } else if (l.kind === "maxpool") {
      model.add(tfl.layers.maxPooling2d({ poolSize: l.size, strides: l.size, ...first }));
    } else if (l.kind === "flatten") {
      model.add(tfl.layers.flatten(first));
      features = (model.outputs[0]!.shape[1] as number) ?? 0;
    } else if (l.kind === "dropout") {
      model.add(tfl.layers.dropout({ rate: l.rate }));
    } else {
      const layer = tfl.layers.dense({ units: l.units, activation: l.activation });
      model.add(layer);
      const kernel = new Float32Array(features * l.units);
      for (let o = 0; o < l.units; o++) for (let k = 0; k < features; k++) kernel[k * l.units + o] = params[l.W + o * features + k]!;
      layer.setWeights([tf.tensor2d(kernel, [features, l.units]), tf.tensor1d(Float32Array.from(params.subarray(l.b, l.b + l.units)))]);
      features = l.units;
    }
  }
  const o = spec.optimizer;
  model.compile({ optimizer: tf.train.adam(o.lr, o.beta1, o.beta2, o.epsilon), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  const tensors = (x: Float64Array, y: Float64Array, rows: number) =>
    [tf.tensor4d(Float32Array.from(x.subarray(0, rows * CNN_PIXELS)), [rows, h, w, c]), tf.tensor2d(Float32Array.from(y.subarray(0, rows * CNN_CLASSES)), [rows, CNN_CLASSES])] as const;
  return {
    async fit(x, y, rows, { batchSize, epochs, shuffle = false }) {
      const [xs, ys] = tensors(x, y, rows);
      await model.fit(xs, ys, { batchSize, epochs, shuffle, verbose: 0 });
      xs.dispose();
      ys.dispose();
    },
    evaluate(x, y, rows) {
      const [xs, ys] = tensors(x, y, rows);
      const [loss, acc] = model.evaluate(xs, ys, { batchSize: 256 }) as tf.Scalar[];
      const result = { loss: loss!.dataSync()[0]!, accuracy: acc!.dataSync()[0]! };
      tf.dispose([xs, ys, loss!, acc!]);
      return result;
    },
    predictOne(x) {
      return tf.tidy(() => (model.predict(tf.tensor4d(Float32Array.from(x.subarray(0, CNN_PIXELS)), [1, h, w, c])) as tf.Tensor).dataSync() as Float32Array);
    },
    dispose() {
      model.dispose();
    },
  };
}
