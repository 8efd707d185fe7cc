// Compiles a model file in memory and loads the generated module into this process, for the
// commands that run a model (train, predict, evaluate); plus reading a weights file for it.
//
//   const { mod, code } = await compileModel("parity.nn");
//   const params = loadWeights(mod, "parity-weights.json");

import { compile } from "../compile.js";
import { CliError, readSource } from "./io.js";
import { loadGeneratedModule, type GeneratedModule } from "../emit/load-module.js";

export async function compileModel(file: string): Promise<{ mod: GeneratedModule; code: string }> {
  const source = readSource(file);
  // No prettier: nobody reads this copy, and formatting costs time.
  const { code } = await compile(source, file, { format: false });
  return { mod: await loadGeneratedModule(code), code };
}

/** Parameters from a weights file written by `nnc train --save` (or saveParams), validated for this model. */
export function loadWeights(mod: GeneratedModule, file: string, json = readSource(file)): Float64Array {
  try {
    return mod.loadParams(json);
  } catch (e) {
    throw new CliError(`${file}: ${(e as Error).message}`);
  }
}
