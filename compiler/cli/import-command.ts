// `nnc import FILE -o MODEL.nn [--weights W.json]`: a TensorFlow.js layers model (model.json
// and its shards) or an ONNX file as a model file nnc compiles and trains like any other, plus
// its weights as nnc's weights JSON (compiler/interop/). Both outputs are checked before any
// work and written whole (weights first), or not at all.
//
//   nnc import iris/model.json -o iris.nn              # also writes iris.weights.json
//   nnc import mlp.onnx -o mlp.nn --weights mlp.json

import { basename, dirname, join } from "node:path";
import { weightsWriter } from "../data/weights.js";
import { importOnnx } from "../interop/onnx/import.js";
import { importTfjs } from "../interop/tfjs/import.js";
import { UsageError } from "./io.js";
import { oneOf, parseOptions } from "./options.js";
import { checkOutputs, outputName, writeOutput } from "./outputs.js";

export const IMPORT_USAGE = `  nnc import FILE -o MODEL.nn [--weights W.json]   a TensorFlow.js layers model (model.json) or an ONNX file as a model file
      --weights W.json                 where its weights go (default: MODEL.weights.json beside MODEL.nn)
      --format tfjs|onnx               the file's format, when its name does not say (.json: tfjs, .onnx: onnx)
`;

export const IMPORT_OPTIONS = {
  output: { type: "string", short: "o" },
  weights: { type: "string" },
  format: { type: "string" },
} as const;

const FORMATS = ["tfjs", "onnx"] as const;

/** The format a file's name says, if it says one. */
export function formatOfName(path: string): "tfjs" | "onnx" | undefined {
  if (/\.onnx$/i.test(path)) return "onnx";
  if (/\.json$/i.test(path)) return "tfjs";
  return undefined;
}

export async function importCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, IMPORT_OPTIONS);
  if (positionals.length !== 1) throw new UsageError(`expected one file to import (a model.json or an .onnx file), got ${positionals.length === 0 ? "none" : positionals.join(" ")}`);
  const file = positionals[0]!;
  const format = oneOf(values.format as string | undefined, FORMATS, "--format") ?? formatOfName(file);
  if (!format) throw new UsageError(`cannot tell the format of '${file}' from its name; add --format tfjs or --format onnx`);
  const output = values.output as string | undefined;
  if (output === undefined) throw new UsageError(`missing -o MODEL.nn (where to write the model file)`);
  let weights = values.weights as string | undefined;
  if (weights === undefined) {
    if (output === "-") throw new UsageError(`--weights W.json is needed when the model file goes to standard output`);
    weights = join(dirname(output), `${basename(output).replace(/\.nn$/, "")}.weights.json`);
  }
  if (weights === "-") throw new UsageError(`--weights -: give the weights a file name`);
  checkOutputs(
    [
      { flag: "-o", path: output },
      { flag: "--weights", path: weights },
    ],
    [{ flag: "the imported file", path: file }],
  );
  const nnFile = output === "-" ? `${basename(file).replace(/\.[^.]*$/, "")}.nn` : output;
  const imported = format === "onnx" ? importOnnx(file, nnFile) : importTfjs(file, nnFile);
  writeOutput(weights, weightsWriter(imported.layout, imported.params));
  writeOutput(output, imported.text);
  process.stderr.write(`nnc: imported ${file} -> ${outputName(output)} (${imported.summary}) and ${weights}\n`);
  return 0;
}
