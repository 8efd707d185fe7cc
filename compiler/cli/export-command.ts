// `nnc export MODEL.nn --weights W.json --format tfjs|onnx -o OUT`: the model with its trained
// weights, for inference (no dropout), as a TensorFlow.js layers model (OUT is the model.json;
// its weights go beside it as OUT.weights.bin) or an ONNX file (compiler/interop/). Outputs are
// checked before any work; the shard is written before the model.json that names it.
//
//   nnc export iris.nn --weights iris.json -o web/iris.json        # tfjs: web/iris.json + web/iris.weights.bin
//   nnc export iris.nn --weights iris.json -o iris.onnx

import { basename, dirname, join } from "node:path";
import { analyze } from "../compile.js";
import { openInput, readSource } from "../data/read-file.js";
import { readWeights } from "../data/weights.js";
import { layoutOf } from "../interop/layout.js";
import { exportOnnx, EXPORT_OPSET } from "../interop/onnx/export.js";
import { exportTfjs } from "../interop/tfjs/export.js";
import { formatOfName } from "./import-command.js";
import { UsageError } from "./io.js";
import { oneModelFile, oneOf, parseOptions } from "./options.js";
import { checkOutputs, outputName, writeOutput } from "./outputs.js";

export const EXPORT_USAGE = `  nnc export MODEL.nn --weights W.json -o OUT [--format tfjs|onnx]   the trained model for TensorFlow.js or ONNX
      --format tfjs|onnx               tfjs: OUT is a model.json, its weights OUT.weights.bin beside it;
                                       onnx: OUT is an .onnx file (opset ${EXPORT_OPSET}); default: from OUT's name
`;

export const EXPORT_OPTIONS = {
  output: { type: "string", short: "o" },
  weights: { type: "string" },
  format: { type: "string" },
} as const;

/** Where the tfjs export's weights shard goes: model.json -> model.weights.bin. */
export function shardPath(output: string): string {
  return join(dirname(output), `${basename(output).replace(/\.json$/i, "")}.weights.bin`);
}

export async function exportCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, EXPORT_OPTIONS);
  const file = oneModelFile(positionals);
  const weights = values.weights as string | undefined;
  if (weights === undefined) throw new UsageError(`missing --weights W.json (written by nnc train --save)`);
  const output = values.output as string | undefined;
  if (output === undefined) throw new UsageError(`missing -o OUT (a model.json for tfjs, an .onnx file for onnx)`);
  const format = oneOf(values.format as string | undefined, ["tfjs", "onnx"] as const, "--format") ?? (output === "-" ? undefined : formatOfName(output));
  if (!format) throw new UsageError(`cannot tell the format from '${output}'; add --format tfjs or --format onnx`);
  if (format === "tfjs" && output === "-") throw new UsageError(`-o -: a TensorFlow.js model is two files (model.json and its weights); give -o a file name`);
  const shard = format === "tfjs" ? shardPath(output) : undefined;
  checkOutputs(
    [
      { flag: "-o", path: output },
      { flag: "the weights shard", path: shard },
    ],
    [
      { flag: "the model file", path: file },
      { flag: "--weights", path: weights },
    ],
  );
  const weightsFile = openInput(weights); // a missing file fails before the compile
  const { model } = analyze(readSource(file), file);
  const layout = layoutOf(model);
  const params = readWeights(weightsFile, layout);
  if (format === "onnx") {
    writeOutput(output, exportOnnx(model, layout, params));
    process.stderr.write(`nnc: exported ${file} -> ${outputName(output)} (ONNX, opset ${EXPORT_OPSET}, ${layout.paramCount} parameters)\n`);
    return 0;
  }
  const { json, bin, notes } = exportTfjs(model, layout, params, basename(shard!));
  writeOutput(shard!, bin);
  writeOutput(output, json);
  for (const note of notes) process.stderr.write(`nnc: note: ${note}\n`);
  process.stderr.write(`nnc: exported ${file} -> ${outputName(output)} and ${shard} (TensorFlow.js layers model, ${layout.paramCount} parameters)\n`);
  return 0;
}
