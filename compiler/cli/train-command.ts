// `nnc train MODEL.nn --data train.csv [--test test.csv | --split 0.2] [--epochs N] [--batch-size B]
//  [--seed S] [--save weights.json] [--plot curve.svg]`: compiles the model in memory, trains it
// with the generated module's own `fit` (in a worker thread, see train-worker.ts), shows progress,
// evaluates as Keras does, and writes the weights and a training curve. Ctrl-C stops after the
// current batch and still saves the weights reached (exit code 130); a second Ctrl-C quits.
//
//   nnc train dsl-examples/parity.nn --data parity.csv --epochs 100 --save w.json --plot curve.svg

import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Worker } from "node:worker_threads";
import { parseOptions } from "./compile-command.js";
import { curveSvg } from "./curve-svg.js";
import { DATA_OPTIONS, intFlag, readDataset, shapeOf, stringFlag } from "./data-options.js";
import { CliError, readSource, writeAtomically } from "./io.js";
import { compileModel, loadWeights } from "./model-module.js";
import { createProgress, metricsText } from "./train-progress.js";
import type { TrainJob, TrainMessage, TrainResult } from "./train-worker.js";
import { splitDataset } from "../data/split.js";
import type { Dataset } from "../data/match.js";

export const TRAIN_USAGE = `  nnc train MODEL.nn --data SRC [options]  train on data; show progress, evaluate, save weights
      --data SRC                       a .csv/.tsv (with a header) or .jsonl file, or iris / mnist
      --test SRC | --split F           held-out data: another source, or a seeded fraction of --data
      --epochs N  --batch-size B       default 10 and 32
      --seed S                         initial weights, shuffling and --split (default 0)
      --save FILE  --plot FILE.svg     write the weights (JSON) and the loss/accuracy curve
      --weights FILE                   start from saved weights instead of fresh ones
      --labels auto|index|onehot       targets as class indexes or one-hot columns (default auto)
      --inputs A,B,..  --targets C,..  columns by name (default: x0.., y.. by the model's names, else by position)
      --limit N                        use the first N rows of --data
`;

/** Fails before training, not after, when an output can never be written. */
function checkOutput(path: string | undefined, flag: string, model: string): void {
  if (path === undefined) return;
  if (resolve(path) === resolve(model)) throw new CliError(`${flag} '${path}' is the model file; choose another name`);
  let dir;
  try {
    dir = statSync(dirname(path));
  } catch {
    throw new CliError(`${flag} '${path}': folder '${dirname(path)}' does not exist`);
  }
  if (!dir.isDirectory()) throw new CliError(`${flag} '${path}': '${dirname(path)}' is not a folder`);
  try {
    if (statSync(path).isDirectory()) throw new CliError(`${flag} '${path}' is a folder`);
  } catch (e) {
    if (e instanceof CliError) throw e;
  }
}

/** "x0, x1, …, x3 (4 columns)" or "a, b". */
export function columnList(names: string[]): string {
  return names.length <= 4 ? names.join(", ") : `${names[0]}, ${names[1]}, …, ${names[names.length - 1]} (${names.length} columns)`;
}

function describe(ds: Dataset, model: { input: { name: string }; target: { name: string } }): string {
  const labels = ds.labels === "index" ? " as class indexes" : "";
  return `${ds.source}: ${ds.rows} rows (input ${model.input.name} <- ${columnList(ds.inputColumns)}; target ${model.target.name} <- ${columnList(ds.targetColumns)}${labels})`;
}

/** Runs the job in a worker; resolves with its result, forwarding progress messages. */
function runWorker(job: TrainJob, onMessage: (m: TrainMessage) => void): Promise<TrainResult> {
  // Workers do not inherit tsx's loader: register it there (the worker loads the generated
  // TypeScript module), then import the worker module: the .ts source, or its .js build.
  const tsx = import.meta.resolve("tsx/esm/api");
  const entry = new URL(import.meta.url.endsWith(".ts") ? "./train-worker.ts" : "./train-worker.js", import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  const transfer = [job.X.buffer, job.Y.buffer, ...(job.validation ? [job.validation[0].buffer, job.validation[1].buffer] : [])] as ArrayBuffer[];
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

export async function trainCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    ...DATA_OPTIONS,
    test: { type: "string" },
    split: { type: "string" },
    epochs: { type: "string" },
    "batch-size": { type: "string" },
    seed: { type: "string" },
    save: { type: "string" },
    plot: { type: "string" },
    weights: { type: "string" },
  });
  if (positionals.length !== 1) throw new CliError(`nnc train: expected one model file, got ${positionals.length === 0 ? "none" : positionals.join(" ")}`);
  const file = positionals[0]!;
  const epochs = intFlag(values, "epochs", 1, 10);
  const batchSize = intFlag(values, "batch-size", 1, 32);
  const seed = intFlag(values, "seed", 0, 0);
  const save = stringFlag(values, "save");
  const plot = stringFlag(values, "plot");
  const test = stringFlag(values, "test");
  const splitText = stringFlag(values, "split");
  const split = splitText === undefined ? undefined : Number(splitText);
  if (split !== undefined && !(split > 0 && split < 1)) throw new CliError(`--split must be a fraction between 0 and 1, like 0.2; got '${splitText}'`);
  if (test !== undefined && split !== undefined) throw new CliError(`give either --test or --split, not both`);
  checkOutput(save, "--save", file);
  checkOutput(plot, "--plot", file);

  const weightsFile = stringFlag(values, "weights");
  const initial = weightsFile === undefined ? null : readSource(weightsFile);
  const { mod, code } = await compileModel(file);
  if (weightsFile !== undefined) loadWeights(mod, weightsFile, initial!); // validates now, with a clear error
  const shape = shapeOf(mod.model);
  let train = readDataset(values, "data", shape, "required");
  let held: Dataset | null = test !== undefined ? readDataset({ ...values, limit: undefined }, "test", shape, "required") : null;
  if (split !== undefined) ({ train, held } = splitDataset(train, split, seed));

  const out = process.stdout;
  const m = mod.model;
  out.write(`Model ${m.name}: ${m.paramCount} parameters, loss ${m.loss}\n`);
  out.write(`Training data ${describe(train, m)}\n`);
  if (held) out.write(`Validation data ${describe(held, m)}\n`);
  const batchesPerEpoch = Math.ceil(train.rows / Math.min(batchSize, train.rows));
  out.write(`${epochs} epoch${epochs === 1 ? "" : "s"} of ${batchesPerEpoch} batch${batchesPerEpoch === 1 ? "" : "es"} (batch size ${batchSize}), seed ${seed}\n`);

  const progress = createProgress({ epochs, samplesPerEpoch: train.rows, batchesPerEpoch, out });
  const stop = new SharedArrayBuffer(4);
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      Atomics.store(new Int32Array(stop), 0, 1);
      progress.note("stopping after this batch (Ctrl-C again: quit without saving)");
    } else {
      progress.stop();
      process.stderr.write(`\nnnc: quit without saving\n`);
      process.exit(130);
    }
  };
  process.on("SIGINT", onSigint);
  try {
    return await trainAndReport();
  } finally {
    process.off("SIGINT", onSigint);
  }

  async function trainAndReport(): Promise<number> {
  let result: TrainResult;
  try {
    const job: TrainJob = { code, X: train.X, Y: train.Y!, validation: held ? [held.X, held.Y!] : null, epochs, batchSize, seed, initial, stop, live: out.isTTY === true };
    result = await runWorker(job, (msg) => {
      if (msg.type === "batch") progress.batch(msg.epoch, msg.samples, msg.loss, msg.seconds);
      else if (msg.type === "epoch") progress.epoch(msg.epoch, msg.logs, msg.samples, msg.batches, msg.seconds);
    });
  } finally {
    progress.stop();
    // Writing the results below is short and atomic; Ctrl-C now waits for it (second one quits).
  }
  if (result.interrupted) {
    process.stderr.write(
      `nnc: interrupted: stopped after batch ${result.lastBatch}/${result.batchesPerEpoch} of epoch ${result.lastEpoch}/${epochs} (${result.batches} batch${result.batches === 1 ? "" : "es"} in all)\n`,
    );
  } else if (result.stopped !== undefined) {
    process.stderr.write(`nnc: warning: ${result.stopped}\n`);
  }
  if (result.evaluation) {
    out.write(`Evaluate on ${train.source} (${train.rows} rows): ${metricsText(result.evaluation.train, " - ", ": ")}\n`);
    if (held && result.evaluation.validation) out.write(`Evaluate on ${held.source} (${held.rows} rows): ${metricsText(result.evaluation.validation, " - ", ": ")}\n`);
  }
  if (save !== undefined) {
    writeAtomically(save, result.weights, file);
    process.stderr.write(`nnc: saved the weights${result.interrupted ? ` after ${result.batches} batch${result.batches === 1 ? "" : "es"}` : ""} to ${save}\n`);
  }
  if (plot !== undefined) {
    writeAtomically(plot, curveSvg(m.name, result.history), file);
    process.stderr.write(`nnc: wrote the training curve to ${plot}\n`);
  }
  return result.interrupted ? 130 : 0;
  }
}
