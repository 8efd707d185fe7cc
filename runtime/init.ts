// Parameter initialization with Keras' initializer names and formulas (VarianceScaling family).
// Each tensor draws from its own stream, derived from the seed and the tensor's NAME, so adding,
// removing or reordering a parameter never changes the initial values of the others.
//
//   const params = initParams(core.params, core.paramCount, 42);
//   // W [out, in] ~ glorot_uniform: uniform in ±sqrt(6 / (in + out))

import { VecArray, type ParamInfo, type Vec } from "./core.js";
import { createRng, deriveSeed } from "./rng.js";
import { safeInteger, shownOption } from "./options.js";

/** Every initializer name `initParams` understands (the compiler validates the DSL against it). */
export const INITIALIZERS = [
  "zeros",
  "ones",
  "constant",
  "glorot_uniform",
  "glorot_normal",
  "he_uniform",
  "he_normal",
  "lecun_uniform",
  "lecun_normal",
] as const;

/** Keras' stddev correction for a unit normal truncated to ±2: the truncated stddev is 0.8796…. */
const TRUNCATED_NORMAL_STDDEV = 0.87962566103423978;

/**
 * [fanIn, fanOut] for our layout: W has shape [out, in] and is applied as W @ x, so
 * fanIn = shape[1] and fanOut = shape[0] (Keras' kernels are [in, out], hence the swap).
 * Rank 1: both shape[0]; scalar: 1. Rank > 2 is a convolution kernel in Keras' layout
 * [...receptive field, in, out], read as Keras reads it: fanIn = in × receptive field.
 */
function initFans(shape: number[]): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0]!, shape[0]!];
  if (shape.length === 2) return [shape[1]!, shape[0]!];
  let receptive = 1;
  for (let i = 0; i < shape.length - 2; i++) receptive *= shape[i]!;
  return [shape[shape.length - 2]! * receptive, shape[shape.length - 1]! * receptive];
}

/** Fills `out[offset .. offset+size)` for one tensor. */
function initTensor(out: Vec, p: ParamInfo, seed: number): void {
  const { offset, size } = p;
  const end = offset + size;
  const name = p.init.name;
  if (name === "zeros" || name === "ones" || name === "constant") {
    let value = name === "ones" ? 1 : 0;
    if (name === "constant") {
      if (typeof p.init.value !== "number" || !Number.isFinite(p.init.value)) {
        throw new Error(`parameter '${p.name}': constant initializer needs a finite value`);
      }
      value = p.init.value;
    }
    for (let i = offset; i < end; i++) out[i] = value;
    return;
  }
  const [fanIn, fanOut] = initFans(p.shape);
  // VarianceScaling(scale, mode): variance = scale / max(1, fan).
  let variance: number;
  if (name === "glorot_uniform" || name === "glorot_normal") variance = 1 / Math.max(1, (fanIn + fanOut) / 2);
  else if (name === "he_uniform" || name === "he_normal") variance = 2 / Math.max(1, fanIn);
  else if (name === "lecun_uniform" || name === "lecun_normal") variance = 1 / Math.max(1, fanIn);
  else throw new Error(`parameter '${p.name}': unknown initializer '${name}'`);

  const rng = createRng(deriveSeed(seed, p.name));
  if (name.endsWith("_uniform")) {
    // Uniform on ±limit has variance limit²/3.
    const limit = Math.sqrt(3 * variance);
    for (let i = offset; i < end; i++) out[i] = (2 * rng.uniform() - 1) * limit;
  } else {
    // Keras' truncated normal: redraw outside ±2 stddev; the stddev is scaled up so the
    // truncated distribution still has the target variance.
    const stddev = Math.sqrt(variance) / TRUNCATED_NORMAL_STDDEV;
    for (let i = offset; i < end; i++) {
      let z = rng.normal();
      while (z < -2 || z > 2) z = rng.normal();
      out[i] = z * stddev;
    }
  }
}

/**
 * A fresh parameter vector of length `paramCount` with every tensor initialized per its
 * `init` spec. Throws on unknown initializer names or a layout that does not fit.
 */
export function initParams(params: ParamInfo[], paramCount: number, seed: number): Vec {
  if (safeInteger(seed) !== "") throw new Error(`init: seed must be a safe integer, got ${shownOption(seed)}`);
  const out = new VecArray(paramCount);
  for (const p of params) {
    let size = 1;
    for (const d of p.shape) size *= d;
    if (size !== p.size || p.offset < 0 || p.offset + p.size > paramCount) {
      const layout = `offset ${p.offset}, size ${p.size}, shape [${p.shape.join(", ")}]`;
      throw new Error(`parameter '${p.name}': layout (${layout}) does not fit ${paramCount} parameters`);
    }
    initTensor(out, p, seed);
  }
  return out;
}
