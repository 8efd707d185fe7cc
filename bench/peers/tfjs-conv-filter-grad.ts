// A faster stand-in for tfjs-backend-cpu's Conv2DBackpropFilter (4.22.0), for the accuracy runs
// only (bench/mnist-accuracy.ts; `npm run bench` times stock tfjs). The stock kernel reads every
// element through TensorBuffer.get(b, r, c, d) and took about 14 s of the 15 s of one batch-32
// update of the MNIST CNN here, which would make three trainings take days. This is the same
// loops in the same order with the index arithmetic written out, so it computes bit-identical
// results; `useInlinedConvFilterGrad()` checks that against the stock kernel on random tensors
// before registering it.
//
//   await useCpu(); useInlinedConvFilterGrad();   // then train tfjs models as usual

import * as tf from "@tensorflow/tfjs-core";

type KernelArgs = Parameters<tf.KernelFunc>[0];
interface CpuBackend {
  data: { get(id: unknown): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array): tf.TensorInfo;
}

function inlined(stock: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    const format = tf.backend_util.convertConv2DDataFormat(dataFormat);
    const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, format);
    if (info.dataFormat !== "channelsLast") return stock(args);
    const backend = args.backend as unknown as CpuBackend;
    const xv = backend.data.get(x.dataId).values;
    const dyv = backend.data.get(dy.dataId).values;
    const { strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw, inHeight, inWidth, outHeight, outWidth, inChannels: C, outChannels: F, batchSize: B } = info;
    const left = info.padInfo.left;
    const top = info.padInfo.top;
    const dW = new Float32Array(fh * fw * C * F);
    for (let wR = 0; wR < fh; ++wR) {
      const yRMin = Math.max(0, Math.ceil((top - wR) / sh));
      const yRMax = Math.min(outHeight, (inHeight + top - wR) / sh);
      for (let wC = 0; wC < fw; ++wC) {
        const yCMin = Math.max(0, Math.ceil((left - wC) / sw));
        const yCMax = Math.min(outWidth, (inWidth + left - wC) / sw);
        for (let d1 = 0; d1 < C; ++d1) {
          for (let d2 = 0; d2 < F; ++d2) {
            let dotProd = 0;
            for (let b = 0; b < B; ++b) {
              for (let yR = yRMin; yR < yRMax; ++yR) {
                const xR = wR + yR * sh - top;
                for (let yC = yCMin; yC < yCMax; ++yC) {
                  const xC = wC + yC * sw - left;
                  dotProd += xv[((b * inHeight + xR) * inWidth + xC) * C + d1]! * dyv[((b * outHeight + yR) * outWidth + yC) * F + d2]!;
                }
              }
            }
            dW[((wR * fw + wC) * C + d1) * F + d2] = dotProd;
          }
        }
      }
    }
    return backend.makeTensorInfo(info.filterShape, "float32", dW);
  };
}

/** The filter gradient of a random case through whichever kernel is registered. */
function probe(padding: "same" | "valid"): Float32Array {
  return tf.tidy(() => {
    const x = tf.randomUniform([3, 9, 8, 5], -1, 1, "float32", 7);
    const dy = tf.randomUniform(padding === "same" ? [3, 9, 8, 4] : [3, 7, 6, 4], -1, 1, "float32", 8);
    const attrs = { strides: 1, pad: padding, dataFormat: "NHWC", filterShape: [3, 3, 5, 4] };
    return (tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs) as tf.Tensor).dataSync() as Float32Array;
  });
}

/** Registers the inlined kernel on the cpu backend after checking it is bit-identical to the stock one. */
export function useInlinedConvFilterGrad(): void {
  const stock = tf.getKernel(tf.Conv2DBackpropFilter, "cpu")!;
  const expected = [probe("same"), probe("valid")];
  tf.unregisterKernel(tf.Conv2DBackpropFilter, "cpu");
  tf.registerKernel({ ...stock, kernelFunc: inlined(stock.kernelFunc) });
  [probe("same"), probe("valid")].forEach((got, i) => {
    if (got.length !== expected[i]!.length || got.some((v, j) => !Object.is(v, expected[i]![j]))) {
      throw new Error("the inlined Conv2DBackpropFilter differs from tfjs' own");
    }
  });
}
