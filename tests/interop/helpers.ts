// Shared by the interop judges: an imported model compiled and loaded with its weights (through
// the generated module's own loadParams, which checks the layout), worst relative errors that
// the tests assert and, with NNC_INTEROP_REPORT=1, print (the numbers in the report).

import { afterAll, expect } from "vitest";
import type { Imported } from "../../compiler/interop/import-model.js";
import { saveModelParams } from "../../runtime/params-json.js";
import { compileAndImport, type GeneratedModule } from "../helpers/generated.js";

export async function loadImported(imp: Imported): Promise<{ mod: GeneratedModule; params: Float64Array }> {
  const { mod } = await compileAndImport(imp.text, "imported.nn");
  return { mod, params: mod.loadParams(saveModelParams(imp.layout, imp.params)) };
}

/**
 * Worst elementwise |a − b| / max(|a|, |b|, floor), floor = floorFraction · max|b|: elements far
 * below the tensor's scale are compared at that scale (float32 resolves them no better).
 */
export function worstRelative(ours: ArrayLike<number>, theirs: ArrayLike<number>, floorFraction = 1e-3): number {
  expect(ours.length).toBe(theirs.length);
  let scale = 0;
  for (let i = 0; i < theirs.length; i++) scale = Math.max(scale, Math.abs(theirs[i]!));
  expect(scale, "the reference is all zeros").toBeGreaterThan(0);
  let worst = 0;
  for (let i = 0; i < theirs.length; i++) {
    const err = Math.abs(ours[i]! - theirs[i]!) / Math.max(Math.abs(ours[i]!), Math.abs(theirs[i]!), floorFraction * scale);
    if (!(err <= worst)) worst = err;
  }
  return worst;
}

const measured: string[] = [];

/** Largest elementwise |a − b|. */
export function worstAbsolute(ours: ArrayLike<number>, theirs: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < theirs.length; i++) {
    const err = Math.abs(ours[i]! - theirs[i]!);
    if (!(err <= worst)) worst = err;
  }
  return worst;
}

/** Asserts the worst relative error is below `tol`, and keeps it (and the largest absolute difference) for the report. */
export function expectAgree(what: string, ours: ArrayLike<number>, theirs: ArrayLike<number>, tol: number, floorFraction = 1e-3): void {
  const worst = worstRelative(ours, theirs, floorFraction);
  measured.push(`${what}: ${worst.toExponential(2)} (limit ${tol}; max abs diff ${worstAbsolute(ours, theirs).toExponential(2)})`);
  expect(worst, what).toBeLessThan(tol);
}

afterAll(() => {
  if (process.env["NNC_INTEROP_REPORT"]) console.log(measured.join("\n"));
});

/** Batch-mean gradient and loss through the generated grad() (the symbolic gradient). */
export function meanGradient(mod: GeneratedModule, params: Float64Array, xs: number[][], ys: number[][]): { loss: number; grad: Float64Array } {
  const g = new Float64Array(params.length);
  let loss = 0;
  for (let i = 0; i < xs.length; i++) loss += mod.grad(params, xs[i]!, ys[i]!, g);
  for (let i = 0; i < g.length; i++) g[i]! /= xs.length;
  return { loss: loss / xs.length, grad: g };
}

/** One parameter's slice of a flat vector. */
export function slice(mod: GeneratedModule, v: Float64Array, name: string): Float64Array {
  const p = mod.model.params.find((q) => q.name === name);
  if (!p) throw new Error(`no parameter ${name} (have ${mod.model.params.map((q) => q.name).join(", ")})`);
  return v.subarray(p.offset, p.offset + p.size);
}

/** A vector in `from`'s parameter layout (params, gradients) laid out as `to`'s, by parameter name: the two models must have the same parameters, in any order. */
export function inLayoutOf(from: GeneratedModule, v: Float64Array, to: GeneratedModule): Float64Array {
  const names = (m: GeneratedModule) => m.model.params.map((p) => `${p.name}[${p.shape.join(", ")}]`).sort();
  expect(names(from), "the same parameters").toEqual(names(to));
  const out = new Float64Array(to.model.paramCount);
  for (const p of to.model.params) out.set(slice(from, v, p.name), p.offset);
  return out;
}

/** The round trip is the identity on parameters: every one comes back under its name with its values, rounded to float32 (the files hold float32). */
export function expectSameParams(original: GeneratedModule, params: Float64Array, back: GeneratedModule, backParams: Float64Array, what: string): void {
  const ours = inLayoutOf(back, backParams, original);
  const rounded = params.map((v) => Math.fround(v));
  measured.push(`${what}: parameters, max abs diff ${worstAbsolute(ours, rounded).toExponential(2)} (limit 0: float32 values)`);
  expect(Array.from(ours), what).toEqual(Array.from(rounded));
}

/** [rows, cols] row-major -> its transpose. */
export function transposed(v: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = v[r * cols + c]!;
  return out;
}
