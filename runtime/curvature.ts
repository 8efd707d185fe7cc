// Hessian-vector products over a model's `hvpSample` kernel (modules compiled with
// `nnc MODEL.nn --emit hvp`): H v of the loss for a direction v in the parameters' layout,
// inference mode (no dropout). The kernel reads the parameters and v from one array of twice
// the parameter count (`pv`: parameters, then v), filled here.
//
//   hvpModel(core, hvpSample, pv, params, xs, ys, v, out);   // out = mean over rows of H v
//   // the largest eigenvalue of H: power iteration over hvpModel (nnc curvature)

import type { ModelCore, Vec } from "./core.js";
import { checkParams, type MatrixInput } from "./data.js";
import { fitMatrices } from "./evaluate.js";

/** The generated per-sample kernel: adds H v of row (xo, yo) into g, returns the row's loss. */
export type HvpKernel = (pv: Vec, x: Vec, xo: number, y: Vec, yo: number, g: Vec) => number;

/** Checks params, v and out, and puts params and v side by side in pv. */
function prepare(core: ModelCore, pv: Vec, params: Vec, v: Vec, out: Vec, what: string): void {
  checkParams(core, params, what);
  for (const [name, vec] of [["v", v], ["out", out]] as const) {
    if (vec.length !== core.paramCount) {
      const model = `model '${core.name}' has ${core.paramCount} parameters`;
      throw new Error(`${what}: ${name} has length ${vec.length}, ${model}`);
    }
  }
  pv.set(params);
  pv.set(v, core.paramCount);
}

/** Adds H v of rows [0, n) of X and Y into out (like grad, a sum); returns the rows' summed loss. */
export function hvpRows(
  core: ModelCore,
  kernel: HvpKernel,
  pv: Vec,
  params: Vec,
  X: Vec,
  Y: Vec,
  n: number,
  v: Vec,
  out: Vec,
): number {
  prepare(core, pv, params, v, out, "hvp");
  let loss = 0;
  for (let r = 0; r < n; r++) loss += kernel(pv, X, r * core.inputSize, Y, r * core.targetSize, out);
  return loss;
}

/** Writes the mean over the rows of xs/ys of H v into out; returns the mean loss. */
export function hvpModel(
  core: ModelCore,
  kernel: HvpKernel,
  pv: Vec,
  params: Vec,
  xs: MatrixInput,
  ys: MatrixInput,
  v: Vec,
  out: Vec,
): number {
  prepare(core, pv, params, v, out, "hvpBatch");
  const [X, Y, rows] = fitMatrices(core, xs, ys, "");
  out.fill(0);
  let loss = 0;
  for (let r = 0; r < rows; r++) loss += kernel(pv, X, r * core.inputSize, Y, r * core.targetSize, out);
  const scale = 1 / rows;
  for (let i = 0; i < out.length; i++) out[i]! *= scale;
  return loss * scale;
}
