// The training half of `nnc train`, run in a worker thread: loads the generated module, calls
// its `fit` and posts progress to the main thread. fit is synchronous, so the main thread stays
// free to draw the progress bar and to hear Ctrl-C; it asks us to stop by setting a shared flag,
// which onBatchEnd reads after every batch (returning false ends fit after that batch).
//
//   main: new Worker(…train-worker.ts, { workerData: job }) → "batch" / "epoch" messages → "done"

import { parentPort, workerData } from "node:worker_threads";
import { performance } from "node:perf_hooks";
import { loadGeneratedModule } from "../emit/load-module.js";
import type { HealthHistory } from "../../runtime/health.js";

export interface TrainJob {
  code: string;
  X: Float64Array;
  Y: Float64Array;
  validation: [Float64Array, Float64Array] | null;
  epochs: number;
  batchSize: number;
  seed: number;
  /** Parameters to start from (read and checked from --weights), else init(seed). */
  initial: Float64Array | null;
  /** Int32Array view: non-zero asks training to stop after the current batch. */
  stop: SharedArrayBuffer;
  /** Post "batch" messages (for a live progress bar). */
  live: boolean;
  /** --early-stopping PATIENCE: stop when the monitored loss stops improving, keeping the best weights. */
  earlyStopping: number | null;
}

export interface EpochLogs {
  loss: number;
  accuracy?: number;
  val_loss?: number;
  val_accuracy?: number;
}

export interface TrainResult {
  /** The trained parameters (sent back, not copied; the main thread writes them as JSON in pieces). */
  params: Float64Array;
  history: Record<string, number[] | undefined>;
  /** fit's reason for ending early (a NaN batch, or our stop request). */
  stopped?: string;
  /** Per-layer gradient norms, update ratios and activation statistics, per epoch. */
  health?: HealthHistory;
  /** When early stopping ended training, and which epoch's weights it kept. */
  earlyStopping?: { stoppedEpoch: number; monitor: string; best: number; bestEpoch: number; restoredEpoch: number };
  interrupted: boolean;
  /** Batches trained in all, and where the last one was (1-based epoch, 1-based batch in it). */
  batches: number;
  lastEpoch: number;
  lastBatch: number;
  batchesPerEpoch: number;
  evaluation: { train: EpochLogs; validation: EpochLogs | null } | null;
}

export type TrainMessage =
  | { type: "batch"; epoch: number; samples: number; loss: number; seconds: number }
  | { type: "epoch"; epoch: number; logs: EpochLogs; samples: number; batches: number; seconds: number }
  | { type: "done"; result: TrainResult };

/** Batch messages are for the eye: at most one per this many ms. */
const BATCH_POST_MS = 40;

async function run(job: TrainJob): Promise<TrainResult> {
  const mod = await loadGeneratedModule(job.code);
  const params = job.initial ?? mod.init(job.seed);
  const stop = new Int32Array(job.stop);
  const rows = job.X.length / mod.model.input.shape.reduce((a, b) => a * b, 1);
  const batchesPerEpoch = Math.ceil(rows / Math.min(job.batchSize, rows));
  const post = (m: TrainMessage) => parentPort!.postMessage(m);
  let epoch = 0;
  let batchInEpoch = 0;
  let lastEpoch = 0;
  let batches = 0;
  let samples = 0;
  let lossSum = 0;
  let interrupted = false;
  let epochStart = performance.now();
  let lastPost = 0;
  const fitted = mod.fit(params, job.X, job.Y, {
    epochs: job.epochs,
    batchSize: job.batchSize,
    seed: job.seed,
    ...(job.validation ? { validationData: job.validation } : {}),
    // Always on here: the curve's gradient panel and the warnings read it (its cost: docs/pathologies.md).
    health: true,
    ...(job.earlyStopping !== null
      ? { earlyStopping: { monitor: job.validation ? "val_loss" : "loss", patience: job.earlyStopping, restoreBestWeights: true } }
      : {}),
    onBatchEnd: (batch: number, logs: { size: number; loss: number }) => {
      batches++;
      batchInEpoch = batch + 1;
      lastEpoch = epoch + 1;
      samples += logs.size;
      lossSum += logs.loss * logs.size;
      const now = performance.now();
      if (job.live && now - lastPost >= BATCH_POST_MS) {
        lastPost = now;
        post({ type: "batch", epoch, samples, loss: lossSum / samples, seconds: (now - epochStart) / 1000 });
      }
      if (Atomics.load(stop, 0) !== 0) {
        interrupted = true;
        return false;
      }
      return true;
    },
    onEpochEnd: (e: number, logs: EpochLogs) => {
      post({ type: "epoch", epoch: e, logs: { ...logs }, samples, batches: batchInEpoch, seconds: (performance.now() - epochStart) / 1000 });
      epoch = e + 1;
      samples = 0;
      lossSum = 0;
      epochStart = performance.now();
    },
  });
  const score = (X: Float64Array, Y: Float64Array): EpochLogs => {
    const { loss, accuracy } = mod.evaluate(params, X, Y);
    return Number.isNaN(accuracy) ? { loss } : { loss, accuracy };
  };
  return {
    params,
    history: fitted.history,
    ...(fitted.stopped !== undefined ? { stopped: fitted.stopped } : {}),
    ...(fitted.health ? { health: fitted.health } : {}),
    ...(fitted.earlyStopping ? { earlyStopping: fitted.earlyStopping } : {}),
    interrupted,
    batches,
    lastEpoch,
    lastBatch: batchInEpoch,
    batchesPerEpoch,
    evaluation: interrupted ? null : { train: score(job.X, job.Y), validation: job.validation ? score(...job.validation) : null },
  };
}

if (parentPort && workerData) {
  const result = await run(workerData as TrainJob);
  parentPort.postMessage({ type: "done", result } satisfies TrainMessage, [result.params.buffer as ArrayBuffer]);
}
