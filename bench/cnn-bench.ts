// The CNN part of `npm run bench`: bench/mnist-cnn-plain.nn (the MNIST CNN example without its
// dropout) trained at batch 32 from nnc's `init(1)` on the first training digits in order, by
// nnc (`fit` and the bare trainer step), TensorFlow.js (tfjs-layers, cpu backend, stock kernels)
// and ConvNetJS, each with its own number of rows (tfjs needs seconds per update); the nnc step
// paired with a matrix-matrix yardstick measured just before it; nnc's step with `--kernels wasm`
// (f64, f32: cnn-wasm.ts) paired with the WebAssembly SIMD yardstick; prediction latency of one
// image; and where nnc's step spends its time, per generated function (bench/function-profile.ts).
//
//   const cnn = await runCnnBench({ quick: false, log });   // → renderCnn(cnn) in bench/report-cnn.ts

import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { compile } from "../compiler/compile.js";
import { ROOT } from "../scripts/examples.js";
import { mnistSplit } from "../scripts/mnist-data.js";
import { CNN_CLASSES, CNN_PIXELS, benchCnnNet, checkLayout } from "./cnn-workload.js";
import { type FunctionTime, functionProfile } from "./function-profile.js";
import { type GemmPeak, gemmPeak } from "./gemm-peak.js";
import { type CnnWasm, runCnnWasm } from "./cnn-wasm.js";
import { convnetNet } from "./peers/convnetjs.js";
import { tfjsCnn } from "./peers/tfjs-cnn.js";
import { latency, now } from "./timing.js";

interface Module {
  model: { params: { name: string; offset: number }[]; kernels: { flops: { predict: number; grad: number } } };
  init(seed: number): Float64Array;
  fit(p: Float64Array, x: Float64Array, y: Float64Array, o: Record<string, unknown>): unknown;
  evaluate(p: Float64Array, x: Float64Array, y: Float64Array): { loss: number; accuracy: number };
  predict(p: Float64Array, x: ArrayLike<number>, out?: Float64Array): Float64Array;
  createTrainer(p: Float64Array): { step(X: Float64Array, Y: Float64Array, n: number): number };
}

export interface CnnRun {
  peer: string;
  rows: number;
  seconds: number;
  /** Held-out loss and accuracy after the run, and nnc's after the same rows (agreement). */
  loss: number;
  accuracy: number;
  nncLoss: number;
}

export interface CnnBench {
  batch: number;
  evalRows: number;
  flopsPerSample: number;
  flopsPerPrediction: number;
  runs: CnnRun[];
  /** nnc step's fastest run against the matrix-matrix yardstick measured just before it. */
  paired: { gflops: number; peak: number };
  /** The yardstick measured before each timed step run. */
  peaks: GemmPeak[];
  latency: { nnc: number; tfjs: number; convnetjs: number };
  profile: FunctionTime[];
  profileBatch: number;
  compileSeconds: number;
  bytes: number;
  /** The `--kernels wasm` steps (their runs are in `runs` too), the yardstick measurements and the f32 step's profile. */
  wasm: Omit<CnnWasm, "runs"> & { paired: Partial<Record<"f64" | "f32", { gflops: number; peak: number }>> };
}

const BATCH = 32;

export async function runCnnBench(opts: { quick: boolean; log: (s: string) => void }): Promise<CnnBench> {
  const { log, quick } = opts;
  const rowsOf = { nnc: quick ? 256 : 2048, convnetjs: quick ? 64 : 1024, tfjs: quick ? 32 : 64 };
  const evalRows = 500;
  const file = join(tmpdir(), `nnc-bench-mnist-cnn-${process.pid}.ts`);
  let t0 = now();
  const { code } = await compile(readFileSync(`${ROOT}bench/mnist-cnn-plain.nn`, "utf8"), "mnist-cnn-plain.nn");
  const compileSeconds = (now() - t0) / 1000;
  writeFileSync(file, code);
  const mod = (await import(pathToFileURL(file).href)) as Module;
  const spec = benchCnnNet();
  checkLayout(spec, mod.model.params);
  // From the module's own record (its header comment cuts long lines).
  const { predict: flopsPerPrediction, grad: flopsPerSample } = mod.model.kernels.flops;

  const { train, test } = mnistSplit();
  const init = mod.init(1);
  const ex = test.x.subarray(0, evalRows * CNN_PIXELS);
  const ey = test.y.subarray(0, evalRows * CNN_CLASSES);
  const xs = (rows: number) => train.x.subarray(0, rows * CNN_PIXELS);
  const ys = (rows: number) => train.y.subarray(0, rows * CNN_CLASSES);
  /** nnc trained on the first `rows` digits (no shuffling), scored on the held-out ones. */
  const nncAfter = (rows: number) => {
    const p = init.slice();
    mod.fit(p, xs(rows), ys(rows), { epochs: 1, batchSize: BATCH, shuffle: false });
    return mod.evaluate(p, ex, ey);
  };
  const runs: CnnRun[] = [];

  // nnc fit: best of 3 after a warm-up.
  nncAfter(rowsOf.nnc / 8);
  let best = Infinity;
  let after = { loss: NaN, accuracy: NaN };
  for (let i = 0; i < 3; i++) {
    const p = init.slice();
    t0 = now();
    mod.fit(p, xs(rowsOf.nnc), ys(rowsOf.nnc), { epochs: 1, batchSize: BATCH, shuffle: false });
    best = Math.min(best, (now() - t0) / 1000);
    after = mod.evaluate(p, ex, ey);
  }
  runs.push({ peer: "nnc fit", rows: rowsOf.nnc, seconds: best, ...after, nncLoss: after.loss });
  log(`  nnc fit      ${best.toFixed(3)} s`);

  // nnc step: best of 3, each paired with a yardstick measured just before it.
  const peaks: GemmPeak[] = [];
  let paired = { seconds: Infinity, peak: NaN };
  for (let i = 0; i < 4; i++) {
    const yardstick = i === 0 ? undefined : gemmPeak(0.25); // run 0 warms up
    const p = init.slice();
    const trainer = mod.createTrainer(p);
    t0 = now();
    for (let r = 0; r < rowsOf.nnc; r += BATCH) trainer.step(train.x.subarray(r * CNN_PIXELS), train.y.subarray(r * CNN_CLASSES), BATCH);
    const seconds = (now() - t0) / 1000;
    if (!yardstick) continue;
    peaks.push(yardstick);
    if (seconds < paired.seconds) paired = { seconds, peak: yardstick.gflops };
    after = mod.evaluate(p, ex, ey);
  }
  runs.push({ peer: "nnc step", rows: rowsOf.nnc, seconds: paired.seconds, ...after, nncLoss: after.loss });
  log(`  nnc step     ${paired.seconds.toFixed(3)} s`);

  // nnc with WebAssembly kernels, f64 and f32.
  const cnnSource = readFileSync(`${ROOT}bench/mnist-cnn-plain.nn`, "utf8");
  const wasm = await runCnnWasm({ quick, log, source: cnnSource, name: "mnist-cnn-plain.nn", batch: BATCH, rows: rowsOf.nnc, init, x: train.x, y: train.y, pixels: CNN_PIXELS, classes: CNN_CLASSES });
  const wasmPaired: CnnBench["wasm"]["paired"] = {};
  for (const r of wasm.runs) {
    const scored = mod.evaluate(r.params, ex, ey);
    runs.push({ peer: r.peer, rows: rowsOf.nnc, seconds: r.seconds, ...scored, nncLoss: after.loss });
    wasmPaired[r.precision] = { gflops: (flopsPerSample * rowsOf.nnc) / r.seconds / 1e9, peak: r.peak };
  }

  // ConvNetJS: one timed run after a warm-up.
  convnetNet(spec, init).fit(train.x, train.y, BATCH, { batchSize: BATCH, epochs: 1 });
  const cn = convnetNet(spec, init);
  t0 = now();
  cn.fit(train.x, train.y, rowsOf.convnetjs, { batchSize: BATCH, epochs: 1 });
  const cnSeconds = (now() - t0) / 1000;
  runs.push({ peer: "ConvNetJS", rows: rowsOf.convnetjs, seconds: cnSeconds, ...cn.evaluate(ex, ey, evalRows), nncLoss: nncAfter(rowsOf.convnetjs).loss });
  log(`  ConvNetJS    ${cnSeconds.toFixed(3)} s`);

  // TensorFlow.js: one timed run after a one-update warm-up (its kernels, its fit loop).
  const warm = tfjsCnn(spec, init);
  await warm.fit(train.x, train.y, BATCH, { batchSize: BATCH, epochs: 1 });
  warm.dispose();
  const tn = tfjsCnn(spec, init);
  t0 = now();
  await tn.fit(train.x, train.y, rowsOf.tfjs, { batchSize: BATCH, epochs: 1 });
  const tfSeconds = (now() - t0) / 1000;
  runs.push({ peer: "tfjs", rows: rowsOf.tfjs, seconds: tfSeconds, ...tn.evaluate(ex, ey, evalRows), nncLoss: nncAfter(rowsOf.tfjs).loss });
  log(`  tfjs         ${tfSeconds.toFixed(3)} s`);

  // One image's prediction.
  const image = test.x.slice(0, CNN_PIXELS);
  const out = new Float64Array(CNN_CLASSES);
  const lat = {
    nnc: latency(() => mod.predict(init, image, out), 0.5, 50),
    convnetjs: latency(() => cn.predictOne(image), 0.5, 20),
    tfjs: latency(() => tn.predictOne(image), 1, 10),
  };
  tn.dispose();
  log("  profile of nnc's step…");
  const profile = await functionProfile(
    file,
    (m) => {
      const trainer = (m as Module).createTrainer(init.slice());
      return () => trainer.step(train.x, train.y, BATCH);
    },
    quick ? 0.5 : 3,
  );
  rmSync(file, { force: true });
  return {
    batch: BATCH,
    evalRows,
    flopsPerSample,
    flopsPerPrediction,
    runs,
    paired: { gflops: (flopsPerSample * rowsOf.nnc) / paired.seconds / 1e9, peak: paired.peak },
    peaks,
    latency: lat,
    profile,
    profileBatch: BATCH,
    compileSeconds,
    bytes: code.length,
    wasm: { peaks: wasm.peaks, profile: wasm.profile, fusedRows: wasm.fusedRows, paired: wasmPaired },
  };
}
