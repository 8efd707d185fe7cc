// Gradient clipping with Keras' three options, applied in place to the flat gradient before an
// optimizer update, plus the global gradient norm that fit reports. Allocation-free.
//
//   const clip = { clipnorm: 1 };                 // each tensor's gradient to L2 norm ≤ 1
//   clipGradient(grad, clip, core.params);
//   gradientNorm(grad);                           // sqrt(Σ g²) over all parameters

import type { ParamInfo, Vec } from "./core.js";

/** At most one may be set, as in Keras 3. */
export interface ClipOptions {
  /** Clip each parameter tensor's gradient to this L2 norm separately. */
  clipnorm?: number | null;
  /** Clamp every gradient element to [-clipvalue, clipvalue]. */
  clipvalue?: number | null;
  /** Scale the whole gradient so its global L2 norm is at most this. */
  globalClipnorm?: number | null;
}

/** L2 norm of grad[start, end). */
function sliceNorm(grad: Vec, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += grad[i]! * grad[i]!;
  return Math.sqrt(sum);
}

/** The global L2 norm of the gradient (NaN/Infinity propagate, so it doubles as a check). */
export function gradientNorm(grad: Vec): number {
  return sliceNorm(grad, 0, grad.length);
}

/** Throws unless at most one option is set, each positive, and clipnorm has a layout. */
export function checkClipOptions(clip: ClipOptions, layout: ParamInfo[] | undefined): void {
  let count = 0;
  for (const key of ["clipnorm", "clipvalue", "globalClipnorm"] as const) {
    const v = clip[key];
    if (v === undefined || v === null) continue;
    count++;
    if (typeof v !== "number" || !(v > 0) || !Number.isFinite(v)) {
      throw new Error(`${key} must be a positive finite number, got ${v}`);
    }
  }
  if (count > 1) throw new Error("only one of clipnorm, clipvalue and globalClipnorm can be set");
  if (clip.clipnorm != null && !layout) {
    throw new Error("clipnorm clips each parameter tensor separately and needs the parameter layout (ParamInfo[])");
  }
}

/**
 * Applies whichever clipping option is set to `grad` in place (Keras' clip_by_norm /
 * clip_by_global_norm / clip_by_value: g * c / max(norm, c)). Returns nothing; call
 * checkClipOptions once beforehand.
 */
export function clipGradient(grad: Vec, clip: ClipOptions, layout: ParamInfo[] | undefined): void {
  const { clipnorm, clipvalue, globalClipnorm } = clip;
  if (clipnorm != null && layout) {
    for (let t = 0; t < layout.length; t++) {
      const p = layout[t]!;
      const end = p.offset + p.size;
      const norm = sliceNorm(grad, p.offset, end);
      if (norm > clipnorm) {
        const scale = clipnorm / norm;
        for (let i = p.offset; i < end; i++) grad[i]! *= scale;
      }
    }
  } else if (globalClipnorm != null) {
    const norm = gradientNorm(grad);
    if (norm > globalClipnorm) {
      const scale = globalClipnorm / norm;
      for (let i = 0; i < grad.length; i++) grad[i]! *= scale;
    }
  } else if (clipvalue != null) {
    for (let i = 0; i < grad.length; i++) {
      const g = grad[i]!;
      grad[i] = g > clipvalue ? clipvalue : g < -clipvalue ? -clipvalue : g;
    }
  }
}
