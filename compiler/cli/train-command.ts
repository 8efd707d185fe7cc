// `nnc train MODEL.nn --data train.csv [--test test.csv | --split 0.2] [--epochs N] [--batch-size B]
//  [--seed S] [--save weights.json] [--plot curve.svg] [--early-stopping P]`: compiles the model in
// memory, trains it with the generated module's own `fit` (in a worker thread, see
// train-worker.ts) with its health numbers on, shows progress, warns in words about vanishing
// and exploding gradients, evaluates as Keras does, and writes the weights and a training curve
// (with the per-layer gradient norms). Ctrl-C stops after the current batch and still saves the
// weights reached (exit code 130); a second Ctrl-C quits.
//
//   nnc train dsl-examples/parity.nn --data parity.csv --epochs 100 --save w.json --plot curve.svg

import { Worker } from "node:worker_threads";
import { oneModelFile, parseOptions } from "./options.js";
import { curveSvg } from "./curve-svg.js";
import { DATA_OPTIONS, dataInputs, type FlagValues, intFlag, readDataset, shapeOf, stringFlag } from "./data-options.js";
import { CliError, UsageError, shownName } from "./io.js";
import { checkOutputs, outputName, writeOutput } from "./outputs.js";
import { KERNELS_OPTION, KERNELS_USAGE, compileModel, kernelsOf, loadWeights } from "./model-module.js";
import type { GeneratedModule } from "../emit/load-module.js";
import { createProgress, evaluationLine, logNumber } from "./train-progress.js";
import type { TrainJob, TrainMessage, TrainResult } from "./train-worker.js";
import { splitDataset } from "../data/split.js";
import type { Dataset } from "../data/dataset.js";
import { openInput, type InputFile } from "../data/read-file.js";
import { weightsLayout, weightsWriter } from "../data/weights.js";
import { healthWarnings } from "./health-warnings.js";

export const TRAIN_USAGE = `  nnc train MODEL.nn --data SRC [options]  train on data; show progress, evaluate, save weights
      --data SRC                       a .csv/.tsv (a header, unless line 1 is all numbers) or .jsonl file, or iris / mnist
      --test SRC | --split F           held-out data: another source, or a seeded fraction of --data
      --epochs N  --batch-size B       default 10 and 32
      --seed S                         initial weights, shuffling and --split (default 0)
      --save FILE  --plot FILE.svg     write the weights (JSON) and the curves (loss, accuracy, gradient norm per layer)
      --early-stopping P               stop when val_loss (loss without held-out data) has not improved for P epochs,
                                       keeping the best epoch's weights
      --weights FILE                   start from saved weights instead of fresh ones
      --labels auto|index|onehot       targets as class indexes or one-hot columns (default auto)
      --inputs A,B,..  --targets C,..  columns by name (default: x0.., y.. by the model's names, else by position)
      --limit N                        use the first N rows of --data (read no further)
${KERNELS_USAGE}`;

/** Fails before training, not after, when an output can never be written or would overwrite an input. */
function checkTrainOutputs(file: string, values: FlagValues, save: string | undefined, plot: string | undefined): void {
  for (const [flag, path] of [["--save", save], ["--plot", plot]] as const) {
    if (path === "-") throw new CliError(`${flag} -: nnc train prints its progress on standard output; give ${flag} a file name`);
  }
  checkOutputs(
    [
      { flag: "--save", path: save },
      { flag: "--plot", path: plot },
    ],
    dataInputs(file, values, ["data", "test", "weights"]),
  );
}

/** "x0, x1, …, x3 (4 columns)" or "a, b". */
export function columnList(names: string[]): string {
  return names.length <= 4 ? names.join(", ") : `${names[0]}, ${names[1]}, …, ${names[names.length - 1]} (${names.length} columns)`;
}

function describe(ds: Dataset, model: { input: { name: string }; target: { name: string } }): string {
  const labels = ds.labels === "index" ? " as class indexes" : "";
  const text = `${ds.source}: ${ds.rows} rows (input ${model.input.name} <- ${columnList(ds.inputColumns)}; target ${model.target.name} <- ${columnList(ds.targetColumns)}${labels})`;
  // The file's name and its column names reach the terminal escaped.
  return shownName(text);
}

/** Runs the job in a worker; resolves with its result, forwarding progress messages. */
function runWorker(job: TrainJob, onMessage: (m: TrainMessage) => void): Promise<TrainResult> {
  // Run from the TypeScript sources, the worker needs tsx's loader for its own module (workers
  // do not inherit it); run from the dist/ build, it is plain JavaScript.
  const fromSource = import.meta.url.endsWith(".ts");
  const entry = JSON.stringify(new URL(fromSource ? "./train-worker.ts" : "./train-worker.js", import.meta.url).href);
  const tsx = JSON.stringify(import.meta.resolve("tsx/esm/api"));
  const boot = fromSource ? `import(${tsx}).then((m) => { m.register(); return import(${entry}); });` : `import(${entry});`;
  const buffers = [job.X, job.Y, ...(job.validation ?? []), ...(job.initial ? [job.initial] : [])].map((a) => a.buffer as ArrayBuffer);
  const transfer = [...new Set(buffers)];
  const worker = new Worker(boot, { eval: true, workerData: job, transferList: transfer });
  return new Promise((resolveResult, reject) => {
    worker.on("message", (m: TrainMessage) => {
      if (m.type === "done") {
        resolveResult(m.result);
        void worker.terminate();
      } else onMessage(m);
    });
    worker.on("error", reject);
    worker.on("exit", (code) => reject(new Error(`the training worker exited (code ${code}) without a result`)));
  });
}

interface Plan {
  file: string;
  epochs: number;
  batchSize: number;
  seed: number;
  save: string | undefined;
  plot: string | undefined;
  earlyStopping: number | null;
  initial: Float64Array | null;
  code: string;
  model: GeneratedModule["model"];
  train: Dataset;
  held: Dataset | null;
  /** Whether the matrix products run as WebAssembly SIMD (`--kernels`). */
  wasm: boolean;
}

/** Everything that can fail before training does: flags, outputs, model, weights, data. */
export const TRAIN_OPTIONS = {
  ...DATA_OPTIONS,
  test: { type: "string" },
  split: { type: "string" },
  epochs: { type: "string" },
  "batch-size": { type: "string" },
  seed: { type: "string" },
  save: { type: "string" },
  plot: { type: "string" },
  weights: { type: "string" },
  "early-stopping": { type: "string" },
  ...KERNELS_OPTION,
} as const;

async function prepare(args: string[]): Promise<Plan> {
  const { values, positionals } = parseOptions(args, TRAIN_OPTIONS);
  const file = oneModelFile(positionals);
  const epochs = intFlag(values, "epochs", 1, 10);
  const batchSize = intFlag(values, "batch-size", 1, 32);
  const seed = intFlag(values, "seed", 0, 0);
  const earlyStopping = stringFlag(values, "early-stopping") === undefined ? null : intFlag(values, "early-stopping", 0, 0);
  intFlag(values, "limit", 1, 0); // checked now, used by readDataset
  const save = stringFlag(values, "save");
  const plot = stringFlag(values, "plot");
  const test = stringFlag(values, "test");
  const splitText = stringFlag(values, "split");
  const split = splitText === undefined ? undefined : Number(splitText);
  if (split !== undefined && !(split > 0 && split < 1)) throw new UsageError(`--split must be a fraction between 0 and 1, like 0.2; got '${splitText}'`);
  if (test !== undefined && split !== undefined) throw new UsageError(`give either --test or --split, not both`);
  checkTrainOutputs(file, values, save, plot);
  const weightsPath = stringFlag(values, "weights");
  const weightsFile: InputFile | null = weightsPath === undefined ? null : openInput(weightsPath); // a missing file fails before the compile

  const { mod, code, wasm } = await compileModel(file, kernelsOf(values));
  const initial = weightsFile === null ? null : loadWeights(mod, weightsFile); // validated now, with a clear error
  const shape = shapeOf(mod.model);
  let train = readDataset(values, "data", shape, "required");
  let held = test !== undefined ? readDataset({ ...values, limit: undefined }, "test", shape, "required") : null;
  if (split !== undefined) ({ train, held } = splitDataset(train, split, seed));
  return { file, epochs, batchSize, seed, save, plot, earlyStopping, initial, code, model: mod.model, train, held, wasm };
}

/** Runs `fn` with Ctrl-C handled: the first one calls `first`, a second one quits (exit 130). */
async function withCtrlC<T>(first: () => void, quit: () => void, fn: () => Promise<T>): Promise<T> {
  let count = 0;
  const handler = () => {
    if (++count === 1) return first();
    quit();
    process.exit(130);
  };
  process.on("SIGINT", handler);
  try {
    return await fn();
  } finally {
    process.off("SIGINT", handler);
  }
}

const plural = (n: number, word: string, suffix = "s") => `${n} ${word}${n === 1 ? "" : suffix}`;

/** Prints the end of training and writes the files; returns the exit code. */
function report(plan: Plan, result: TrainResult): number {
  const { train, held } = plan;
  if (result.interrupted) {
    process.stderr.write(
      `nnc: interrupted: stopped after batch ${result.lastBatch}/${result.batchesPerEpoch} of epoch ${result.lastEpoch}/${plan.epochs} (${plural(result.batches, "batch", "es")} in all)\n`,
    );
  } else if (result.stopped !== undefined) {
    process.stderr.write(`nnc: warning: ${result.stopped}\n`);
  }
  if (result.health) for (const warning of healthWarnings(result.health)) process.stderr.write(`nnc: warning: ${warning}\n`);
  const kept = earlyStoppingNote(plan, result);
  if (kept) process.stderr.write(`nnc: ${kept}\n`);
  if (result.evaluation) {
    process.stdout.write(evaluationLine(train, result.evaluation.train));
    if (held && result.evaluation.validation) process.stdout.write(evaluationLine(held, result.evaluation.validation));
  }
  if (plan.save !== undefined) {
    writeOutput(plan.save, weightsWriter(weightsLayout(plan.model), result.params));
    const which = (result.earlyStopping?.restoredEpoch ?? -1) >= 0 ? ` of epoch ${result.earlyStopping!.restoredEpoch + 1}` : result.interrupted ? ` after ${plural(result.batches, "batch", "es")}` : "";
    process.stderr.write(`nnc: saved the weights${which} to ${outputName(plan.save)}\n`);
  }
  if (plan.plot !== undefined) {
    writeOutput(plan.plot, curveSvg(plan.model.name, result.history, result.health));
    process.stderr.write(`nnc: wrote the training curve to ${outputName(plan.plot)}\n`);
  }
  return result.interrupted ? 130 : 0;
}

/** What early stopping did: where it stopped, and whose weights were kept. */
function earlyStoppingNote(plan: Plan, result: TrainResult): string | null {
  const e = result.earlyStopping;
  if (!e || plan.earlyStopping === null) return null;
  const best = `the best ${e.monitor} (${logNumber(e.best)}) was epoch ${e.bestEpoch + 1}`;
  const kept = e.restoredEpoch >= 0 ? `; kept its weights` : "";
  if (e.stoppedEpoch >= 0) return `early stopping after epoch ${e.stoppedEpoch + 1}: ${e.monitor} did not improve for ${plan.earlyStopping} ${plan.earlyStopping === 1 ? "epoch" : "epochs"}; ${best}${kept}`;
  return `${best}${kept}`;
}

export async function trainCommand(args: string[]): Promise<number> {
  const plan = await prepare(args);
  const { model: m, train, held, epochs, batchSize, seed } = plan;
  const out = process.stdout;
  const batchesPerEpoch = Math.ceil(train.rows / Math.min(batchSize, train.rows));
  out.write(`Model ${m.name}: ${m.paramCount} parameters, loss ${m.loss}${plan.wasm ? "; matrix products in WebAssembly SIMD" : ""}\n`);
  out.write(`Training data ${describe(train, m)}\n`);
  if (held) out.write(`Validation data ${describe(held, m)}\n`);
  out.write(`${plural(epochs, "epoch")} of ${plural(batchesPerEpoch, "batch", "es")} (batch size ${batchSize}), seed ${seed}\n`);

  const progress = createProgress({ epochs, samplesPerEpoch: train.rows, batchesPerEpoch, out });
  const stop = new SharedArrayBuffer(4);
  const job: TrainJob = {
    code: plan.code,
    X: train.X,
    Y: train.Y!,
    validation: held ? [held.X, held.Y!] : null,
    epochs,
    batchSize,
    seed,
    initial: plan.initial,
    stop,
    live: out.isTTY === true,
    earlyStopping: plan.earlyStopping,
  };
  // Ctrl-C stays handled while the results are written, so a first one cannot cut the save short.
  return withCtrlC(
    () => {
      Atomics.store(new Int32Array(stop), 0, 1);
      progress.note("stopping after this batch (Ctrl-C again: quit without saving)");
    },
    () => {
      progress.stop();
      process.stderr.write(`\nnnc: quit without saving\n`);
    },
    async () => {
      let result: TrainResult;
      try {
        result = await runWorker(job, (msg) => {
          if (msg.type === "batch") progress.batch(msg.epoch, msg.samples, msg.loss, msg.seconds);
          else if (msg.type === "epoch") progress.epoch(msg.epoch, msg.logs, msg.samples, msg.batches, msg.seconds);
        });
      } finally {
        progress.stop();
      }
      return report(plan, result);
    },
  );
}
