// Loads a freshly compiled module into this process (for `nnc check`, `nnc train`, …):
// the code is written to a private temporary .mts file and imported with tsx's tsImport (a
// loader scoped to this import, so it works whether or not the launcher registered tsx: the
// dist/ build does not). The file is removed right after import; folders left by killed runs
// are removed by the next one (module-folder.ts).

import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { makeModuleFolder } from "./module-folder.js";
import type { KernelInfo } from "../../runtime/core.js";

/** The public API every generated module exports (see compiler/emit/module.ts). */
export interface GeneratedModule {
  model: {
    name: string;
    input: { name: string; shape: number[] };
    target: { name: string; shape: number[] };
    output: { name: string; shape: number[] };
    params: { name: string; shape: number[]; offset: number; size: number }[];
    paramCount: number;
    loss: string;
    accuracy: "binary" | "categorical" | "sparse_categorical" | "none";
    kernels: KernelInfo;
  };
  init(seed?: number): Float64Array;
  predict(params: Float64Array, x: ArrayLike<number>, out?: Float64Array): Float64Array;
  predictBatch(params: Float64Array, xs: ArrayLike<ArrayLike<number>> | Float64Array): Float64Array;
  loss(params: Float64Array, x: ArrayLike<number>, y: ArrayLike<number>): number;
  grad(params: Float64Array, x: ArrayLike<number>, y: ArrayLike<number>, g: Float64Array): number;
  fit(
    params: Float64Array,
    xs: ArrayLike<ArrayLike<number>> | Float64Array,
    ys: ArrayLike<ArrayLike<number>> | Float64Array,
    opts?: Record<string, unknown>,
  ): { epoch: number[]; history: Record<string, number[] | undefined>; stopped?: string };
  evaluate(
    params: Float64Array,
    xs: ArrayLike<ArrayLike<number>> | Float64Array,
    ys: ArrayLike<ArrayLike<number>> | Float64Array,
    opts?: { batchSize?: number },
  ): { loss: number; accuracy: number };
  createTrainer(params: Float64Array, opts?: Record<string, unknown>): { step(X: Float64Array, Y: Float64Array, n: number): number; readonly gradNorm: number };
  saveParams(params: Float64Array): string;
  loadParams(json: string): Float64Array;
}

export async function loadGeneratedModule(code: string): Promise<GeneratedModule> {
  const dir = makeModuleFolder();
  // .mts, not .ts: with no package.json above the temp folder, a .ts file would be CommonJS.
  const file = join(dir, "model.mts");
  try {
    writeFileSync(file, code);
    const { tsImport } = await import("tsx/esm/api");
    return (await tsImport(pathToFileURL(file).href, import.meta.url)) as GeneratedModule;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
