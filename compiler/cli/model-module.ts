// Compiles a model file in memory and loads the generated module into this process, for the
// commands that run a model (train, predict, evaluate); plus reading a weights file for it.
//
//   const { mod, code } = await compileModel("parity.nn");
//   const params = loadWeights(mod, openInput("parity-weights.json"));

import { compile, type CompileOptions } from "../compile.js";
import { openInput, readSource, type InputFile } from "../data/read-file.js";
import { readWeights, weightsLayout } from "../data/weights.js";
import { loadGeneratedModule, type GeneratedModule } from "../emit/load-module.js";
import { UsageError } from "./io.js";
import { oneOf } from "./options.js";

/** The `--kernels` option of the commands that compile a model to run it (compile, train, predict, evaluate, check). */
export const KERNELS_OPTION = { kernels: { type: "string" } } as const;
export const KERNELS_USAGE = `      --kernels js|wasm|auto           the matrix products in JavaScript (default), WebAssembly SIMD, or by model size\n`;

/** `--kernels` as a compile option (absent: the default, JavaScript). */
export function kernelsOf(values: { kernels?: string | boolean | undefined }): Pick<CompileOptions, "kernels"> {
  const kernels = oneOf(values.kernels as string | undefined, ["js", "wasm", "auto"] as const, "--kernels");
  return kernels ? { kernels } : {};
}

/** `--kernels wasm` with `--batch never` (per-sample kernels, which have no matrix-matrix products to run as WebAssembly) is a usage error. */
export function refuseWasmPerSample(kernels: string | undefined, batch: string | undefined): void {
  if (kernels === "wasm" && batch === "never") {
    throw new UsageError(`--kernels wasm runs the matrix products of batched kernels: it cannot be combined with --batch never`);
  }
}

/**
 * The model file compiled and loaded; `wasm` when its matrix products run as WebAssembly SIMD
 * (asked for with `--kernels`, and this host has SIMD).
 */
export async function compileModel(file: string, options: Pick<CompileOptions, "hvp" | "kernels"> = {}): Promise<{ mod: GeneratedModule; code: string; wasm: boolean }> {
  const source = readSource(file);
  // No prettier: nobody reads this copy, and formatting costs time.
  const { code } = await compile(source, file, { ...options, format: false });
  const mod = await loadGeneratedModule(code);
  // WebAssembly kernels compile as the module loads (synchronously in Node); ready() says which run.
  const ready = (mod as { ready?: () => Promise<string> }).ready;
  const wasm = ready !== undefined && (await ready()) === "wasm";
  return { mod, code, wasm };
}

/**
 * Parameters from a weights file written by `nnc train --save` (or saveParams), validated for
 * this model as its loadParams does, read as a stream (see data/weights.ts). The module is
 * compiled here with the default f64 precision, so the Float64Array is its parameter vector.
 */
export function loadWeights(mod: GeneratedModule, file: InputFile | string): Float64Array {
  return readWeights(typeof file === "string" ? openInput(file) : file, weightsLayout(mod.model));
}
