// How `npm run bench` (run.ts) times the peers of issue 15 on a workload: the fused hand-written
// loops (peers/plain-fused.ts) everywhere, the per-sample ceiling (peers/ceiling.ts) where the
// workload asks for it, and synaptic and brain.js on their closest equivalent of the workload
// (Workload.peers says which and what they compute). The loops share nnc's parameter layout and
// are scored by nnc's evaluate; synaptic and brain.js by their own predictions (accuracy only:
// their loss is not the workload's).

import { brainNet } from "./peers/brain.js";
import { mnistSgdCeiling } from "./peers/ceiling.js";
import { fusedNet } from "./peers/plain-fused.js";
import { type ForeignNet, synapticNet } from "./peers/synaptic.js";
import type { Outcome } from "./report.js";
import type { ForeignRun, Workload } from "./workloads.js";

export interface PeerContext {
  /** nnc's initial weights for the workload. */
  init: Float64Array;
  /** The held-out (MNIST) or training rows the outcome is scored on. */
  ev: { x: Float64Array; y: Float64Array; rows: number };
  /** nnc's evaluate of a parameter vector in nnc's layout. */
  score(p: Float64Array): { loss: number; accuracy: number };
  /** run.ts' best of `reps` timed runs after a warm-up run on a tenth of the workload. */
  bestOf(reps: number, w: Workload, run: (w: Workload) => Promise<Outcome>): Promise<Outcome>;
  /** As bestOf: short runs are timed again until this many seconds have been timed (up to 20 runs). */
  minTimedSeconds: number;
  log(line: string): void;
}

/** Accuracy of a peer's own predictions (threshold 0.5 for one output, else the arg max). */
export function accuracyOf(predict: (x: Float64Array, xo: number) => ArrayLike<number>, ev: PeerContext["ev"], inputSize: number, outSize: number): number {
  let right = 0;
  for (let r = 0; r < ev.rows; r++) {
    const p = predict(ev.x, r * inputSize);
    const yo = r * outSize;
    if (outSize === 1) {
      if (p[0]! > 0.5 === ev.y[yo]! > 0.5) right++;
      continue;
    }
    let best = 0;
    for (let o = 1; o < outSize; o++) if (p[o]! > p[best]!) best = o;
    let want = 0;
    for (let o = 1; o < outSize; o++) if (ev.y[yo + o]! > ev.y[yo + want]!) want = o;
    if (best === want) right++;
  }
  return right / ev.rows;
}

/** Times a loop over the workload's rows and epochs with a loops peer in nnc's layout. */
async function timeLoops(ctx: PeerContext, reps: number, w: Workload, make: (v: Workload) => { params: Float64Array; trainBatch(X: Float64Array, Y: Float64Array, from: number, n: number): number }): Promise<Outcome> {
  return ctx.bestOf(reps, w, async (v) => {
    const net = make(v);
    const t0 = performance.now();
    for (let e = 0; e < v.epochs; e++) for (let r = 0; r < v.rows; r += v.batch) net.trainBatch(v.x, v.y, r, Math.min(v.batch, v.rows - r));
    return { seconds: (performance.now() - t0) / 1000, ...ctx.score(net.params) };
  });
}

/**
 * A library peer: a fresh network per run (made untimed), every row once per epoch, one sample per
 * step. Best of 2 timed runs (or more, as bestOf) after a warm-up on a tenth of the rows (1 timed
 * run when the peer trains on fewer rows than the workload: those are the slow ones). synaptic
 * compiles each network into functions of its own, so its warm-up only warms the library.
 */
async function timeForeign(ctx: PeerContext, w: Workload, run: ForeignRun, make: (rows: number) => ForeignNet): Promise<Outcome> {
  const rows = Math.min(w.rows, run.rows ?? w.rows);
  const once = (rowsNow: number, epochs: number) => {
    const net = make(rowsNow);
    const t0 = performance.now();
    for (let e = 0; e < epochs; e++) for (let r = 0; r < rowsNow; r++) net.trainRow(r);
    return { net, seconds: (performance.now() - t0) / 1000 };
  };
  once(Math.max(1, Math.ceil(rows / 10)), Math.max(1, Math.ceil(w.epochs / 10)));
  let best: { net: ForeignNet; seconds: number } | undefined;
  let timed = 0;
  for (let i = 0; i < (rows < w.rows ? 1 : 2) || (timed < ctx.minTimedSeconds && i < 20); i++) {
    const o = once(rows, w.epochs);
    timed += o.seconds;
    if (!best || o.seconds < best.seconds) best = o;
  }
  const outSize = w.net.layers[w.net.layers.length - 1]!.units;
  const accuracy = accuracyOf((x, xo) => best!.net.predict(x, xo), ctx.ev, w.net.inputSize, outSize);
  return { seconds: best!.seconds, loss: NaN, accuracy, samples: rows * w.epochs, computes: run.computes };
}

/** Runs the workload's added peers into `results` (in the order RESULTS.md lists them). */
export async function runAddedPeers(w: Workload, ctx: PeerContext, results: Record<string, Outcome>): Promise<void> {
  const show = (name: string) => ctx.log(`  ${`${name} `.padEnd(13)}${results[name]!.seconds.toFixed(3)} s`);
  results["plain JS fused"] = await timeLoops(ctx, 2, w, (v) => fusedNet(v.net, ctx.init.slice()));
  show("plain JS fused");
  const peers = w.peers ?? {};
  if (peers.ceiling) {
    const opt = w.net.optimizer;
    if (opt.name !== "sgd" || opt.momentum !== 0 || w.batch !== 1) throw new Error(`${w.name}: the ceiling kernel is plain SGD at batch 1`);
    results["ceiling"] = await timeLoops(ctx, 3, w, () => mnistSgdCeiling(ctx.init.slice(), opt.lr));
    show("ceiling");
  }
  const outSize = w.net.layers[w.net.layers.length - 1]!.units;
  const rowsOf = (rows: number) => ({ x: w.x.subarray(0, rows * w.net.inputSize), y: w.y.subarray(0, rows * outSize) });
  if (peers.synaptic) {
    const run = peers.synaptic;
    results["synaptic"] = await timeForeign(ctx, w, run, (rows) => {
      const { x, y } = rowsOf(rows);
      return synapticNet(w.net, ctx.init, run.lr, x, y, rows);
    });
    show("synaptic");
  }
  if (peers.brain) {
    const run = peers.brain;
    results["brain.js"] = await timeForeign(ctx, w, run, (rows) => {
      const { x, y } = rowsOf(rows);
      return brainNet(w.net, ctx.init, run, x, y, rows);
    });
    show("brain.js");
  }
}
