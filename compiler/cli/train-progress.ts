// What `nnc train` shows while it trains. On a terminal: one cli-progress bar per epoch (kept
// on screen when the epoch ends, as Keras does) with samples/s, running loss, accuracy and ETA.
// Elsewhere (a pipe, a log file, CI): one plain line per epoch.
//
//   Epoch 3/100 [========================] 150/150 | 9,120 samples/s | loss 0.4410 | accuracy 0.8533 | 0.0s
//   Epoch 3/100 - 150 samples in 0.016s (9,120/s) - loss: 0.4410 - accuracy: 0.8533

import cliProgress from "cli-progress";
import type { EpochLogs } from "./train-worker.js";
import { shownName } from "./io.js";

export interface TrainProgress {
  /** Running numbers inside an epoch (terminal only). */
  batch(epoch: number, samples: number, loss: number, seconds: number): void;
  /** An epoch ended; `batches` < batchesPerEpoch when it was cut short. */
  epoch(epoch: number, logs: EpochLogs, samples: number, batches: number, seconds: number): void;
  /** A remark shown with the bar (terminal) or on its own line. */
  note(text: string): void;
  /** Closes any open bar. */
  stop(): void;
}

export interface ProgressSetup {
  epochs: number;
  samplesPerEpoch: number;
  batchesPerEpoch: number;
  out: NodeJS.WriteStream;
}

/** Keras' number style in logs: 4 decimals, or exponent form for very small or large values. */
export function logNumber(x: number): string {
  const a = Math.abs(x);
  return a === 0 || (a >= 1e-3 && a < 1e5) ? x.toFixed(4) : x.toExponential(3);
}

/** "0.3ms", "41.0ms", "2.31s". */
export function duration(seconds: number): string {
  return seconds < 1 ? `${(seconds * 1000).toFixed(1)}ms` : `${seconds.toFixed(2)}s`;
}

function rate(samples: number, seconds: number): string {
  return seconds > 0 ? Math.round(samples / seconds).toLocaleString("en-US") : "–";
}

/** " - accuracy: 0.9 - val_loss: …" in Keras' order and names. */
export function metricsText(logs: EpochLogs, sep: string, colon: string): string {
  let s = `loss${colon}${logNumber(logs.loss)}`;
  for (const key of ["accuracy", "val_loss", "val_accuracy"] as const) {
    const v = logs[key];
    if (v !== undefined) s += `${sep}${key}${colon}${logNumber(v)}`;
  }
  return s;
}

/**
 * The final evaluation, as Keras prints it, naming the rows: "Evaluate on 120 rows of iris
 * (training part, --split 0.2): loss: 0.0901 - accuracy: 0.9750". (The count goes first: a
 * source may end in brackets of its own.)
 */
export function evaluationLine(data: { source: string; rows: number }, logs: EpochLogs): string {
  return `Evaluate on ${data.rows} ${data.rows === 1 ? "row" : "rows"} of ${shownName(data.source)}: ${metricsText(logs, " - ", ": ")}\n`;
}

function cutShort(batches: number, setup: ProgressSetup): string {
  return batches < setup.batchesPerEpoch ? ` (stopped after batch ${batches}/${setup.batchesPerEpoch})` : "";
}

function linesProgress(setup: ProgressSetup): TrainProgress {
  return {
    batch() {},
    epoch(epoch, logs, samples, batches, seconds) {
      setup.out.write(
        `Epoch ${epoch + 1}/${setup.epochs}${cutShort(batches, setup)} - ${samples} samples in ${duration(seconds)} (${rate(samples, seconds)}/s) - ${metricsText(logs, " - ", ": ")}\n`,
      );
    },
    note(text) {
      setup.out.write(`${text}\n`);
    },
    stop() {},
  };
}

const RUNNING = "Epoch {epoch}/{epochs} [{bar}] {value}/{total} | {rate} samples/s | {metrics} | ETA {eta_formatted}{note}";
const DONE = "Epoch {epoch}/{epochs} [{bar}] {value}/{total} | {rate} samples/s | {metrics} | {seconds}{note}";

function barProgress(setup: ProgressSetup): TrainProgress {
  let bar: cliProgress.SingleBar | null = null;
  let current = -1;
  let note = "";
  const open = (epoch: number) => {
    if (current === epoch && bar) return bar;
    bar?.stop();
    current = epoch;
    bar = new cliProgress.SingleBar({
      stream: setup.out,
      barsize: 24,
      hideCursor: true,
      // RUNNING until the epoch has ended (complete or cut short), then DONE: time taken, not ETA.
      format: (options, params, payload: { done?: boolean }) =>
        cliProgress.Format.Formatter({ ...options, format: payload.done ? DONE : RUNNING }, params, payload),
    });
    bar.start(setup.samplesPerEpoch, 0, { epoch: epoch + 1, epochs: setup.epochs, rate: "–", metrics: "loss –", seconds: "", note });
    return bar;
  };
  return {
    batch(epoch, samples, loss, seconds) {
      open(epoch).update(samples, { rate: rate(samples, seconds), metrics: `loss ${logNumber(loss)}`, note });
    },
    epoch(epoch, logs, samples, batches, seconds) {
      const b = open(epoch);
      const short = cutShort(batches, setup);
      b.update(samples, { done: true, rate: rate(samples, seconds), metrics: metricsText(logs, " | ", " "), seconds: duration(seconds), note: short });
      b.stop();
      bar = null;
    },
    note(text) {
      note = ` | ${text}`;
      bar?.update({ note });
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}

export function createProgress(setup: ProgressSetup): TrainProgress {
  return setup.out.isTTY ? barProgress(setup) : linesProgress(setup);
}
