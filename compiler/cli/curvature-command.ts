// `nnc curvature MODEL.nn --data SRC [--weights W.json]`: the largest eigenvalue of the Hessian
// of the mean loss over the data, at the given weights (or fresh ones from --seed), by power
// iteration on the module's own Hessian-vector product (the model compiled with hvp), and what
// it means for the learning rate: plain gradient descent is stable along the sharpest direction
// only for learning rates below 2/λ_max.
//
//   nnc curvature dsl-examples/parity.nn --weights w.json --data dsl-examples/parity.csv
//   largest eigenvalue λ_max = 0.1113 …  gradient descent: learning rates below 2/λ_max = 17.97

import { oneModelFile, parseOptions } from "./options.js";
import { DATA_OPTIONS, intFlag, readDataset, shapeOf, stringFlag } from "./data-options.js";
import { openInput, type InputFile } from "../data/read-file.js";
import { KERNELS_OPTION, compileModel, loadWeights } from "./model-module.js";
import { largestEigenvalue, type EigenResult } from "./power-iteration.js";
import { UsageError, shownName } from "./io.js";
import { logNumber } from "./train-progress.js";

export const CURVATURE_USAGE = `  nnc curvature MODEL.nn --data SRC [options]   the Hessian's largest eigenvalue and the learning rate it allows
      --weights FILE                   at these weights (default: fresh ones from --seed)
      --iterations N  --seed S         power iteration: at most N products (default 300), start vector seed (default 0)
      (takes --labels, --inputs, --targets, --limit as train does; each iteration is one pass over the rows)
      (no --kernels: the Hessian-vector products run per sample in JavaScript whatever the kernels)
`;

// --kernels is accepted only to be refused with the reason (see the help).
export const CURVATURE_OPTIONS = { ...DATA_OPTIONS, weights: { type: "string" }, iterations: { type: "string" }, seed: { type: "string" }, ...KERNELS_OPTION } as const;

/** A number as the report shows it: 4 significant digits. */
const shown = (x: number) => (Math.abs(x) >= 1e-3 && Math.abs(x) < 1e5 ? String(Number(x.toPrecision(4))) : x.toExponential(3));

interface OptimizerFacts {
  name: string;
  options: { [option: string]: unknown };
}

/** What λ_max says about the model file's own optimizer. */
export function learningRateAdvice(lambdaMax: number, optimizer: OptimizerFacts): string[] {
  const limit = 2 / lambdaMax;
  const lines = [`Plain gradient descent is stable along the sharpest direction only for learning rates below 2/λ_max = ${shown(limit)}.`];
  const rate = optimizer.options["learningRate"];
  const scheduled = typeof rate === "object" && rate !== null;
  const lr = typeof rate === "number" ? rate : scheduled ? (rate as { initialLearningRate?: number; values?: number[] }).initialLearningRate ?? (rate as { values: number[] }).values[0] : NaN;
  const what = `${optimizer.name} with learning rate ${shown(lr)}${scheduled ? " (its schedule's first)" : ""}`;
  if (optimizer.name === "sgd") {
    const momentum = Number(optimizer.options["momentum"] ?? 0);
    // Heavy-ball momentum β on a quadratic: stable for learning rates below 2(1 + β)/λ.
    const bound = momentum > 0 ? (2 * (1 + momentum)) / lambdaMax : limit;
    const how = momentum > 0 ? `with momentum ${momentum} the bound is 2(1 + ${momentum})/λ_max = ${shown(bound)}` : "";
    const verdict =
      lr < bound
        ? `below the bound: steps shrink along that direction`
        : `above the bound: expect the loss to oscillate or diverge along that direction; lower the learning rate below ${shown(bound)}`;
    lines.push(`The model file's optimizer is ${what}${how ? `; ${how}` : ""}: ${verdict}.`);
  } else {
    lines.push(
      `The model file's optimizer is ${what}; ${optimizer.name} divides each parameter's step by its own gradient history, so this bound is for plain gradient descent (sgd) only.`,
    );
  }
  return lines;
}

/** The report's lines about the eigenvalues. */
export function eigenLines(r: EigenResult, maxIterations: number): string[] {
  const settle = (x: { iterations: number; converged: boolean }) =>
    x.converged ? `${x.iterations} products` : `did not settle in ${maxIterations} products: the estimate may be low; try --iterations ${maxIterations * 4}`;
  const lines = [`largest eigenvalue λ_max = ${shown(r.largest.value)} (${settle(r.largest)})`];
  if (r.negative) {
    lines.push(
      `most negative eigenvalue ${shown(r.negative.value)}, larger in size (${settle(r.negative)}): the loss curves downward along its direction, so these weights are at a saddle, not a minimum`,
    );
  }
  return lines;
}

export async function curvatureCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, CURVATURE_OPTIONS);
  const file = oneModelFile(positionals);
  if (values.kernels !== undefined) {
    throw new UsageError(`--kernels does not apply to nnc curvature: its Hessian-vector products run per sample in JavaScript, whatever the kernels`);
  }
  const maxIterations = intFlag(values, "iterations", 1, 300);
  const seed = intFlag(values, "seed", 0, 0);
  intFlag(values, "limit", 1, 0); // checked now, used by readDataset
  const weightsPath = stringFlag(values, "weights");
  const weightsFile: InputFile | null = weightsPath === undefined ? null : openInput(weightsPath); // a missing file fails before the compile
  const { mod } = await compileModel(file, { hvp: true });
  const params = weightsFile === null ? mod.init(seed) : loadWeights(mod, weightsFile);
  const ds = readDataset(values, "data", shapeOf(mod.model), "required");
  const n = mod.model.paramCount;
  const out = process.stdout;
  const at = weightsPath === undefined ? `fresh weights (init seed ${seed})` : `the weights of ${shownName(weightsPath)}`;
  const loss = mod.hvpBatch!(params, ds.X, ds.Y!, new Float64Array(n), new Float64Array(n));
  out.write(`Model ${mod.model.name}: ${n} parameters, loss ${mod.model.loss}\n`);
  out.write(`Hessian of the mean loss over ${ds.rows} ${ds.rows === 1 ? "row" : "rows"} of ${shownName(ds.source)} (mean loss ${logNumber(loss)}) at ${at}, inference mode\n`);
  const r = largestEigenvalue((v, w) => mod.hvpBatch!(params, ds.X, ds.Y!, v, w), n, { maxIterations, seed });
  for (const line of eigenLines(r, maxIterations)) out.write(`${line}\n`);
  if (r.largest.value > 0) {
    for (const line of learningRateAdvice(r.largest.value, mod.model.optimizer)) out.write(`${line}\n`);
  } else {
    out.write(`No direction curves upward here, so the curvature sets no limit on the learning rate.\n`);
  }
  return 0;
}
