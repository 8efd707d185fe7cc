// `nnc evaluate MODEL.nn --weights W.json --data d.csv`: loss and accuracy of saved weights on
// data, as Keras' model.evaluate prints them.
//
//   nnc evaluate iris.nn --weights iris.json --data iris
//   Evaluate on iris (150 rows): loss: 0.0712 - accuracy: 0.9733

import { parseOptions } from "./compile-command.js";
import { DATA_OPTIONS, intFlag, readDataset, shapeOf, stringFlag } from "./data-options.js";
import { openInput } from "../data/read-file.js";
import { CliError } from "./io.js";
import { compileModel, loadWeights } from "./model-module.js";
import { metricsText } from "./train-progress.js";

export const EVALUATE_USAGE = `  nnc evaluate MODEL.nn --weights W.json --data SRC   loss and accuracy on data
      (takes --labels, --inputs, --targets, --limit, --batch-size as train does)
`;

export async function evaluateCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, { ...DATA_OPTIONS, weights: { type: "string" }, "batch-size": { type: "string" } });
  if (positionals.length !== 1) throw new CliError(`expected one model file after nnc evaluate, got ${positionals.length === 0 ? "none" : positionals.join(" ")}`);
  const file = positionals[0]!;
  const weights = stringFlag(values, "weights");
  if (weights === undefined) throw new CliError(`missing --weights FILE (written by nnc train --save)`);
  const batchSize = intFlag(values, "batch-size", 1, 32);
  const weightsFile = openInput(weights); // a missing file fails before the compile
  const { mod } = await compileModel(file);
  const params = loadWeights(mod, weightsFile);
  const ds = readDataset(values, "data", shapeOf(mod.model), "required");
  const { loss, accuracy } = mod.evaluate(params, ds.X, ds.Y!, { batchSize });
  process.stdout.write(`Evaluate on ${ds.source} (${ds.rows} rows): ${metricsText(Number.isNaN(accuracy) ? { loss } : { loss, accuracy }, " - ", ": ")}\n`);
  return 0;
}
