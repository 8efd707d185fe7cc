// `nnc predict MODEL.nn --weights W.json --data x.csv [-o out.csv]`: the model's outputs for every
// row of the data, as CSV (to stdout without -o). Columns are the output's values (`out`, or
// out0..outN) and, for a classifier, `class`: the index of the largest output.
//
//   nnc predict iris.nn --weights iris.json --data iris -o predictions.csv

import { oneModelFile, parseOptions } from "./options.js";
import { DATA_OPTIONS, dataInputs, readDataset, shapeOf, stringFlag } from "./data-options.js";
import { openInput } from "../data/read-file.js";
import { UsageError } from "./io.js";
import { checkOutputs, outputName, writeOutput } from "./outputs.js";
import { KERNELS_OPTION, compileModel, kernelsOf, loadWeights } from "./model-module.js";

export const PREDICT_USAGE = `  nnc predict MODEL.nn --weights W.json --data SRC [-o OUT.csv]   outputs for each row, as CSV
      (takes --labels, --inputs, --targets, --limit, --kernels as train does; target columns are ignored)
`;

export function predictionsCsv(outputName: string, outputSize: number, classifier: boolean, P: ArrayLike<number>): string {
  const names = outputSize === 1 ? [outputName] : Array.from({ length: outputSize }, (_, i) => `${outputName}${i}`);
  if (classifier) names.push("class");
  const lines = [names.join(",")];
  for (let r = 0; r * outputSize < P.length; r++) {
    const row: number[] = [];
    let best = 0;
    for (let j = 0; j < outputSize; j++) {
      row.push(P[r * outputSize + j]!);
      if (row[j]! > row[best]!) best = j;
    }
    lines.push((classifier ? [...row, best] : row).join(","));
  }
  return `${lines.join("\n")}\n`;
}

export const PREDICT_OPTIONS = { ...DATA_OPTIONS, weights: { type: "string" }, output: { type: "string", short: "o" }, ...KERNELS_OPTION } as const;

export async function predictCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, PREDICT_OPTIONS);
  const file = oneModelFile(positionals);
  const weights = stringFlag(values, "weights");
  if (weights === undefined) throw new UsageError(`missing --weights FILE (written by nnc train --save)`);
  const output = stringFlag(values, "output");
  checkOutputs([{ flag: "-o", path: output }], dataInputs(file, values, ["weights", "data"]));
  const weightsFile = openInput(weights); // a missing file fails before the compile
  const { mod } = await compileModel(file, kernelsOf(values));
  const params = loadWeights(mod, weightsFile);
  const ds = readDataset(values, "data", shapeOf(mod.model), "none");
  const outputSize = mod.model.output.shape.reduce((a, b) => a * b, 1);
  const classifier = mod.model.accuracy === "categorical" || mod.model.accuracy === "sparse_categorical";
  const csv = predictionsCsv(mod.model.output.name, outputSize, classifier, mod.predictBatch(params, ds.X));
  if (output === undefined) process.stdout.write(csv);
  else {
    writeOutput(output, csv);
    process.stderr.write(`nnc: wrote ${ds.rows} predictions to ${outputName(output)}\n`);
  }
  return 0;
}
