// The TensorFlow.js peer: the workload's network in @tensorflow/tfjs-layers on the pure
// JavaScript cpu backend, with nnc's initial weights copied in (our kernels are [out, in],
// tfjs' are [in, out]), trained with model.fit as a tfjs user would.
//
//   const net = tfjsNet(workload.net, params);
//   await net.fit(x, y, rows, { batchSize: 32, epochs: 1 });

import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as tfl from "@tensorflow/tfjs-layers";
import type { NetSpec } from "../workloads.js";

export async function useCpu(): Promise<void> {
  await tf.setBackend("cpu");
  await tf.ready();
}

export interface TfjsNet {
  /** Rows in the given order unless `shuffle` (tfjs' own shuffle each epoch, as Keras). */
  fit(x: Float64Array, y: Float64Array, rows: number, opts: { batchSize: number; epochs: number; shuffle?: boolean }): Promise<void>;
  evaluate(x: Float64Array, y: Float64Array, rows: number): { loss: number; accuracy: number };
  /** One prediction, read back to JavaScript. */
  predictOne(x: Float64Array): Float32Array;
  dispose(): void;
}

export function tfjsNet(spec: NetSpec, params: Float64Array): TfjsNet {
  const model = tfl.sequential();
  let inn = spec.inputSize;
  for (const [i, l] of spec.layers.entries()) {
    const layer = tfl.layers.dense({
      units: l.units,
      activation: l.activation,
      ...(i === 0 ? { inputShape: [spec.inputSize] } : {}),
      ...(l.l2 ? { kernelRegularizer: tfl.regularizers.l2({ l2: l.l2 }) } : {}),
    });
    model.add(layer);
    if (l.dropout) model.add(tfl.layers.dropout({ rate: l.dropout }));
    const kernel = new Float32Array(inn * l.units);
    for (let o = 0; o < l.units; o++) for (let k = 0; k < inn; k++) kernel[k * l.units + o] = params[l.W + o * inn + k]!;
    layer.setWeights([tf.tensor2d(kernel, [inn, l.units]), tf.tensor1d(Float32Array.from(params.subarray(l.b, l.b + l.units)))]);
    inn = l.units;
  }
  const o = spec.optimizer;
  const optimizer = o.name === "adam" ? tf.train.adam(o.lr, o.beta1, o.beta2, o.epsilon) : tf.train.momentum(o.lr, o.momentum);
  model.compile({ optimizer, loss: spec.loss === "binary_crossentropy" ? "binaryCrossentropy" : "categoricalCrossentropy", metrics: ["accuracy"] });
  const outSize = spec.layers[spec.layers.length - 1]!.units;
  const tensors = (x: Float64Array, y: Float64Array, rows: number) => [tf.tensor2d(Float32Array.from(x.subarray(0, rows * spec.inputSize)), [rows, spec.inputSize]), tf.tensor2d(Float32Array.from(y.subarray(0, rows * outSize)), [rows, outSize])] as const;
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
      return tf.tidy(() => (model.predict(tf.tensor2d(Float32Array.from(x), [1, spec.inputSize])) as tf.Tensor).dataSync() as Float32Array);
    },
    dispose() {
      model.dispose();
    },
  };
}
