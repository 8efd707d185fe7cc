// Compiles a model file in memory and loads the generated module into this process, for the
// commands that run a model (train, predict, evaluate); plus reading a weights file for it.
//
//   const { mod, code } = await compileModel("parity.nn");
//   const params = loadWeights(mod, openInput("parity-weights.json"));

import { compile, type CompileOptions } from "../compile.js";
import { openInput, readSource, type InputFile } from "../data/read-file.js";
import { readWeights, weightsLayout } from "../data/weights.js";
import { loadGeneratedModule, type GeneratedModule } from "../emit/load-module.js";

export async function compileModel(file: string, options: Pick<CompileOptions, "hvp"> = {}): Promise<{ mod: GeneratedModule; code: string }> {
  const source = readSource(file);
  // No prettier: nobody reads this copy, and formatting costs time.
  const { code } = await compile(source, file, { ...options, format: false });
  return { mod: await loadGeneratedModule(code), code };
}

/**
 * Parameters from a weights file written by `nnc train --save` (or saveParams), validated for
 * this model as its loadParams does, read as a stream (see data/weights.ts). The module is
 * compiled here with the default f64 precision, so the Float64Array is its parameter vector.
 */
export function loadWeights(mod: GeneratedModule, file: InputFile | string): Float64Array {
  return readWeights(typeof file === "string" ? openInput(file) : file, weightsLayout(mod.model));
}
