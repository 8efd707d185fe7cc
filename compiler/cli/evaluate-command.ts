// `nnc evaluate MODEL.nn --weights W.json --data d.csv`: loss and accuracy of saved weights on
// data, as Keras' model.evaluate prints them.
//
//   nnc evaluate iris.nn --weights iris.json --data iris
//   Evaluate on 150 rows of iris: loss: 0.0712 - accuracy: 0.9733

import { oneModelFile, parseOptions } from "./options.js";
import { DATA_OPTIONS, intFlag, readDataset, shapeOf, stringFlag } from "./data-options.js";
import { openInput } from "../data/read-file.js";
import { UsageError } from "./io.js";
import { KERNELS_OPTION, compileModel, kernelsOf, loadWeights } from "./model-module.js";
import { evaluationLine } from "./train-progress.js";

export const EVALUATE_USAGE = `  nnc evaluate MODEL.nn --weights W.json --data SRC   loss and accuracy on data
      (takes --labels, --inputs, --targets, --limit, --batch-size, --kernels as train does)
`;

export const EVALUATE_OPTIONS = { ...DATA_OPTIONS, weights: { type: "string" }, "batch-size": { type: "string" }, ...KERNELS_OPTION } as const;

export async function evaluateCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, EVALUATE_OPTIONS);
  const file = oneModelFile(positionals);
  const weights = stringFlag(values, "weights");
  if (weights === undefined) throw new UsageError(`missing --weights FILE (written by nnc train --save)`);
  const batchSize = intFlag(values, "batch-size", 1, 32);
  const weightsFile = openInput(weights); // a missing file fails before the compile
  const { mod } = await compileModel(file, kernelsOf(values));
  const params = loadWeights(mod, weightsFile);
  const ds = readDataset(values, "data", shapeOf(mod.model), "required");
  const { loss, accuracy } = mod.evaluate(params, ds.X, ds.Y!, { batchSize });
  process.stdout.write(evaluationLine(ds, Number.isNaN(accuracy) ? { loss } : { loss, accuracy }));
  return 0;
}
