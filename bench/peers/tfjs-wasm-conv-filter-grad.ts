// Conv2DBackpropFilter for TensorFlow.js' WebAssembly backend, for the accuracy runs only
// (bench/mnist-accuracy.ts). tfjs-backend-wasm 4.22.0 has Conv2D and Conv2DBackpropInput
// (XNNPACK) but no Conv2DBackpropFilter, so without this a tfjs-layers CNN cannot train on it; the
// cpu backend can, at ~90 samples/s for the small MNIST CNN, which would make three trainings of
// a wider one take most of a day. This kernel is plain JavaScript over the backend's heap: for
// each output position, the outer product of the input patch and dy's channels is added to the
// filter gradient, summed in float64 and stored as float32. `useWasmConvFilterGrad()` checks it
// against tfjs-backend-cpu's own kernel on random tensors (both paddings, stride 1 and 2) before
// registering it.
//
//   await useWasm(); await useWasmConvFilterGrad();   // then train tfjs CNNs on the wasm backend

import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";

type KernelArgs = Parameters<tf.KernelFunc>[0];
interface WasmBackend {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
}

function filterGrad(args: KernelArgs): tf.TensorInfo {
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const format = tf.backend_util.convertConv2DDataFormat(dataFormat);
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, format);
  if (info.dataFormat !== "channelsLast") throw new Error("bench: the wasm Conv2DBackpropFilter supports channels-last data only");
  const backend = args.backend as unknown as WasmBackend;
  const xv = backend.typedArrayFromHeap(x);
  const dyv = backend.typedArrayFromHeap(dy);
  const { strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw, inHeight, inWidth, outHeight, outWidth } = info;
  const { inChannels: C, outChannels: F, batchSize: B } = info;
  const { top, left } = info.padInfo;
  const sums = new Float64Array(fh * fw * C * F);
  for (let b = 0; b < B; b++) {
    for (let yR = 0; yR < outHeight; yR++) {
      for (let yC = 0; yC < outWidth; yC++) {
        const dyAt = ((b * outHeight + yR) * outWidth + yC) * F;
        for (let wR = 0; wR < fh; wR++) {
          const xR = yR * sh + wR - top;
          if (xR < 0 || xR >= inHeight) continue;
          for (let wC = 0; wC < fw; wC++) {
            const xC = yC * sw + wC - left;
            if (xC < 0 || xC >= inWidth) continue;
            const xAt = ((b * inHeight + xR) * inWidth + xC) * C;
            for (let d1 = 0; d1 < C; d1++) {
              const xval = xv[xAt + d1]!;
              if (xval === 0) continue; // relu outputs and padding: half the inputs are zeros
              const at = ((wR * fw + wC) * C + d1) * F;
              for (let d2 = 0; d2 < F; d2++) sums[at + d2]! += xval * dyv[dyAt + d2]!;
            }
          }
        }
      }
    }
  }
  const out = backend.makeOutput(info.filterShape, "float32");
  backend.typedArrayFromHeap(out).set(sums);
  return out;
}

/** The filter gradient of a random case on the current backend. */
function probe(padding: "same" | "valid", stride: number): Float32Array {
  return tf.tidy(() => {
    const x = tf.randomUniform([3, 9, 8, 5], -1, 1, "float32", 7);
    const out = (n: number) => (padding === "same" ? Math.ceil(n / stride) : Math.ceil((n - 2) / stride));
    const dy = tf.randomUniform([3, out(9), out(8), 4], -1, 1, "float32", 8);
    const attrs = { strides: stride, pad: padding, dataFormat: "NHWC", filterShape: [3, 3, 5, 4] };
    return (tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs) as tf.Tensor).dataSync() as Float32Array;
  });
}

const CASES = [["same", 1], ["valid", 1], ["same", 2], ["valid", 2]] as const;

/**
 * Registers the kernel on the wasm backend (the current one) after checking it against the cpu
 * backend's stock kernel: the same sums in another order, so agreement to float32 rounding.
 */
export async function useWasmConvFilterGrad(): Promise<void> {
  if (tf.getBackend() !== "wasm") throw new Error("bench: call useWasm() before useWasmConvFilterGrad()");
  if (!tf.getKernel(tf.Conv2DBackpropFilter, "wasm")) tf.registerKernel({ kernelName: tf.Conv2DBackpropFilter, backendName: "wasm", kernelFunc: filterGrad as unknown as tf.KernelFunc });
  const got = CASES.map(([p, s]) => probe(p, s));
  await tf.setBackend("cpu");
  const expected = CASES.map(([p, s]) => probe(p, s));
  await tf.setBackend("wasm");
  got.forEach((g, i) => {
    const e = expected[i]!;
    const worst = g.reduce((m, v, j) => Math.max(m, Math.abs(v - e[j]!) / (1 + Math.abs(e[j]!))), g.length === e.length ? 0 : Infinity);
    if (!(worst < 1e-5)) throw new Error(`bench: the wasm Conv2DBackpropFilter differs from tfjs-backend-cpu's (${CASES[i]!.join(", stride ")}: ${worst})`);
  });
}
