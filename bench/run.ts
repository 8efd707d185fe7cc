// `npm run bench`: trains the workloads of bench/workloads.ts with nnc's generated modules,
// TensorFlow.js (tfjs-layers, cpu backend; on MNIST also its wasm backend, and nnc with
// `--kernels wasm` in f64 and f32: wasm-runs.ts), hand-written loops (plain and fused), synaptic and
// brain.js (peer-runs.ts), in one run, from the same initial weights on the same data, and writes
// bench/RESULTS.md: samples/s, the fastest peer and nnc's ratio to it, GFLOP/s and its fraction
// of the best matrix-matrix rate measured in the same run, final loss and accuracy of each,
// prediction latency, compile wall time and generated sizes; nnc's WebAssembly rows against the
// best WebAssembly SIMD matrix-matrix rate (wasm-peak.ts), measured in the same run. Options
// (options.ts) run a subset and print it instead.
//
//   npm run bench            # ~7 minutes on a 2-core machine
//   npm run bench -- --only parity,xor,mnistsgd --no-tfjs   # issue 15's workloads, printed

import { execFileSync, spawnSync } from "node:child_process";
import { cpus, loadavg, tmpdir } from "node:os";
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { compile } from "../compiler/compile.js";
import { EXAMPLES, ROOT } from "../scripts/examples.js";
import { MNIST_BATCH, MNIST_EPOCHS, mnistSplit } from "../scripts/mnist-data.js";
import { gemmPeak } from "./gemm-peak.js";
import { BENCH_USAGE, parseBenchArgs } from "./options.js";
import { plainNet } from "./peers/plain.js";
import { tfjsNet, useCpu } from "./peers/tfjs.js";
import { runAddedPeers } from "./peer-runs.js";
import { type WasmPeaksSeen, type WasmPrecision, compileMnistWasm, fusedStepRows, profileWasmStep, runWasmRows } from "./wasm-runs.js";
import { wasmYardstick } from "./report-wasm.js";
import { wasmPeak } from "./wasm-peak.js";
import type { GemmPeak } from "./gemm-peak.js";
import { type Workload, isMnist, sourceOf, workloads } from "./workloads.js";
import { type FullRunParts, type Outcome, type Row, renderResults } from "./report.js";
import { latency, now } from "./timing.js";
import { runCnnBench } from "./cnn-bench.js";

interface Trainer {
  step(X: Float64Array, Y: Float64Array, n: number): number;
}
interface Generated {
  init(seed: number): Float64Array;
  fit(p: Float64Array, x: Float64Array, y: Float64Array, o: Record<string, unknown>): { history: { loss: number[] } };
  evaluate(p: Float64Array, x: Float64Array, y: Float64Array): { loss: number; accuracy: number };
  predict(p: Float64Array, x: ArrayLike<number>, out?: Float64Array): Float64Array;
  createTrainer(p: Float64Array, o?: Record<string, unknown>): Trainer;
  createOptimizer(): { step(p: Float64Array, g: Float64Array): void };
}

const log = (s: string) => process.stderr.write(`${s}\n`);

const allWorkloads = workloads();
const parsed = parseBenchArgs(process.argv.slice(2), allWorkloads.map((w) => w.name), process.env);
if ("error" in parsed) {
  log(`bench: ${parsed.error}\n${BENCH_USAGE.replace("WORKLOADS", allWorkloads.map((w) => w.name).join(", "))}`);
  process.exit(2);
}
const options = parsed;
/** Every workload and peer ran: the report has all its sections (compile times, latency, targets). */
const everything = options.only === undefined && options.tfjs;
/** The run RESULTS.md is written from: everything, the whole work. Any other run is printed. */
const writesResults = everything && !options.quick;
/** Short runs are timed again until this many seconds have been timed (none in a smoke run). */
const minTimedSeconds = options.quick ? 0 : 1;

/** Where the MNIST workloads' modules are compiled to (from bench/mnist-plain*.nn: the example without dropout). */
const benchModule = (example: Workload["example"]) => join(tmpdir(), `nnc-bench-${example}-${process.pid}.ts`);
const MNIST_PLAIN = benchModule("mnist");
/** Where the MNIST workloads' `--kernels wasm` modules are compiled to (issue 16's rows). */
const wasmModule = (example: "mnist" | "mnist-sgd", precision: WasmPrecision) => join(tmpdir(), `nnc-bench-${example}-wasm-${precision}-${process.pid}.ts`);

/** The generated module a workload's nnc peer runs. */
function moduleOf(example: Workload["example"]): string {
  return isMnist(example) ? benchModule(example) : `${ROOT}generated/${example}.ts`;
}

/** How this run was asked for, for the head of a printed (partial or quick) report. */
function commandLine(): string {
  const args = process.argv.slice(2).join(" ");
  const env = options.quick && !process.argv.includes("--quick") ? "BENCH_QUICK=1 " : "";
  return `\`${env}npm run bench${args ? ` -- ${args}` : ""}\``;
}

async function compileMnistPlain(): Promise<void> {
  for (const example of ["mnist", "mnist-sgd"] as const) {
    const file = sourceOf(example);
    writeFileSync(benchModule(example), (await compile(readFileSync(`${ROOT}${file}`, "utf8"), file.slice(file.lastIndexOf("/") + 1))).code);
  }
}

/** Flops per prediction and per training sample, from the generated header. */
function flopsOf(example: Workload["example"]): { predict: number; grad: number } {
  const head = readFileSync(moduleOf(example), "utf8").slice(0, 3000);
  const m = /(\d+) flops per prediction, (\d+) per training sample/.exec(head)!;
  return { predict: Number(m[1]), grad: Number(m[2]) };
}

function evalData(w: Workload): { x: Float64Array; y: Float64Array; rows: number; what: string } {
  if (!isMnist(w.example)) return { x: w.x, y: w.y, rows: w.rows, what: "training rows" };
  const { test } = mnistSplit();
  return { x: test.x, y: test.y, rows: test.rows, what: "2,000 held-out digits" };
}

/** The workload scaled down for warming up the JIT (and tfjs' kernels) before timing. */
function warmUp(w: Workload): Workload {
  return { ...w, epochs: Math.max(1, Math.ceil(w.epochs / 10)), rows: isMnist(w.example) ? Math.min(w.rows, 320) : w.rows };
}

/**
 * Best of `reps` timed runs (each from the initial weights), after one untimed warm-up run. Short
 * runs (the tiny models take tens of milliseconds, where one time slice of another process is a
 * large share) are repeated until a second has been timed, up to 20 runs.
 */
async function bestOf(reps: number, w: Workload, run: (w: Workload) => Promise<Outcome>): Promise<Outcome> {
  await run(warmUp(w));
  let best: Outcome | undefined;
  let timed = 0;
  for (let i = 0; i < reps || (timed < minTimedSeconds && i < 20); i++) {
    const o = await run(w);
    timed += o.seconds;
    if (!best || o.seconds < best.seconds) best = o;
  }
  return best!;
}

async function runWorkload(w: Workload): Promise<Row> {
  const mod = (await import(pathToFileURL(moduleOf(w.example)).href)) as Generated;
  const init = mod.init(w.seed);
  const samples = w.rows * w.epochs;
  const flops = flopsOf(w.example).grad * samples;
  const ev = evalData(w);
  const outSize = w.net.layers[w.net.layers.length - 1]!.units;
  const row: Row = { workload: w, samples, flops, evalWhat: ev.what, results: {} };
  const data = (v: Workload) => ({ x: v.x.subarray(0, v.rows * v.net.inputSize), y: v.y.subarray(0, v.rows * outSize) });
  const score = (p: Float64Array) => mod.evaluate(p, ev.x.subarray(0, ev.rows * w.net.inputSize), ev.y.subarray(0, ev.rows * outSize));

  // nnc, through fit (shuffle off: every peer sees the rows in the same order).
  row.results["nnc fit"] = await bestOf(3, w, async (v) => {
    const { x, y } = data(v);
    const p = init.slice();
    const t0 = now();
    mod.fit(p, x, y, { epochs: v.epochs, batchSize: v.batch, shuffle: false, seed: v.seed });
    return { seconds: (now() - t0) / 1000, ...score(p) };
  });
  log(`  nnc fit      ${row.results["nnc fit"].seconds.toFixed(3)} s`);
  // nnc, the bare training step (fit also gathers each batch and scores its accuracy).
  // Each timed run is paired with a matrix-matrix peak measured just before it, so that the
  // fraction of the peak compares rates taken at the same machine speed.
  const pairs: { seconds: number; peak: number }[] = [];
  row.results["nnc step"] = await bestOf(3, w, async (v) => {
    const peakNow = v === w ? gemmPeak(0.25).gflops : NaN;
    const { x, y } = data(v);
    const p = init.slice();
    const trainer = mod.createTrainer(p);
    const batches: [Float64Array, Float64Array, number][] = [];
    for (let r = 0; r < v.rows; r += v.batch) {
      const n = Math.min(v.batch, v.rows - r);
      batches.push([x.subarray(r * v.net.inputSize, (r + n) * v.net.inputSize), y.subarray(r * outSize, (r + n) * outSize), n]);
    }
    const t0 = now();
    for (let e = 0; e < v.epochs; e++) for (const [bx, by, n] of batches) trainer.step(bx, by, n);
    const seconds = (now() - t0) / 1000;
    if (v === w) pairs.push({ seconds, peak: peakNow });
    return { seconds, ...score(p) };
  });
  const fastest = pairs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  row.pairedFraction = { fraction: flops / fastest.seconds / 1e9 / fastest.peak, peak: fastest.peak };
  log(`  nnc step     ${row.results["nnc step"].seconds.toFixed(3)} s`);
  // Hand-written loops.
  row.results["plain JS"] = await bestOf(2, w, async (v) => {
    const { x, y } = data(v);
    const net = plainNet(v.net, init.slice());
    const t0 = now();
    for (let e = 0; e < v.epochs; e++) for (let r = 0; r < v.rows; r += v.batch) net.trainBatch(x, y, r, Math.min(v.batch, v.rows - r));
    return { seconds: (now() - t0) / 1000, ...score(net.params) };
  });
  log(`  plain JS     ${row.results["plain JS"].seconds.toFixed(3)} s`);
  // The fused loops, the per-sample ceiling, synaptic and brain.js.
  await runAddedPeers(w, { init, ev, score, bestOf, log, minTimedSeconds }, row.results);
  // TensorFlow.js (on whichever backend is current): one timed run (they are long), after its warm-up.
  const tfjsRun = async (v: Workload): Promise<Outcome> => {
    const { x, y } = data(v);
    const net = tfjsNet(v.net, init);
    const t0 = now();
    await net.fit(x, y, v.rows, { batchSize: v.batch, epochs: v.epochs });
    const seconds = (now() - t0) / 1000;
    const result = { seconds, ...net.evaluate(ev.x, ev.y, ev.rows) };
    net.dispose();
    return result;
  };
  // Issue 16: nnc with WebAssembly kernels (f64, f32) and TensorFlow.js' wasm backend, on MNIST.
  if (isMnist(w.example)) {
    const example = w.example as "mnist" | "mnist-sgd";
    const moduleFile = (precision: WasmPrecision) => wasmModule(example, precision);
    await runWasmRows(w, { init, ev, score, bestOf, log, minTimedSeconds, moduleFile, ...(options.tfjs ? { tfjsRun } : {}) }, row, wasmSeen);
  }
  if (w.peers?.tfjs === false || !options.tfjs) return row;
  row.results["tfjs"] = await bestOf(1, w, tfjsRun);
  log(`  tfjs         ${row.results["tfjs"].seconds.toFixed(3)} s`);
  return row;
}

async function predictionLatency(example: "parity" | "xor" | "mnist", w: Workload) {
  const mod = (await import(pathToFileURL(moduleOf(example)).href)) as Generated;
  const p = mod.init(w.seed);
  const xin = w.x.slice(0, w.net.inputSize);
  const out = new Float64Array(w.net.layers[w.net.layers.length - 1]!.units);
  const nnc = latency(() => mod.predict(p, xin, out));
  const net = plainNet(w.net, p.slice());
  const plain = latency(() => net.predict(xin, 0, out));
  const tnet = tfjsNet(w.net, p);
  const tfjs = latency(() => tnet.predictOne(xin), 0.5);
  tnet.dispose();
  return { example, nnc, plain, tfjs, flops: flopsOf(example).predict };
}

/** Where MNIST's training time goes, measured in this run (for the notes on missed targets). */
function mnistBreakdown() {
  const { train } = mnistSplit();
  return import(pathToFileURL(MNIST_PLAIN).href).then((mod: Generated) => {
    const p = mod.init(1);
    const opt = mod.createOptimizer();
    const g = new Float64Array(p.length).fill(1e-6);
    const adam = latency(() => opt.step(p, g), 0.5);
    const noop = { step() {}, iterations: 0, learningRate: 0 };
    const t32 = mod.createTrainer(p, { optimizer: noop });
    const grad32 = latency(() => t32.step(train.x, train.y, 32), 0.8);
    const grad1 = latency(() => t32.step(train.x, train.y, 1), 0.5);
    return { adam, grad32, grad1 };
  });
}

/** The MNIST example trained as `npm run demo:mnist` does, scored on the held-out digits. */
async function mnistExampleAccuracy() {
  const { train, test } = mnistSplit();
  const mod = (await import(pathToFileURL(`${ROOT}generated/mnist.ts`).href)) as Generated;
  const p = mod.init(1);
  const t0 = now();
  mod.fit(p, train.x, train.y, { epochs: MNIST_EPOCHS, batchSize: MNIST_BATCH, seed: 1 });
  const seconds = (now() - t0) / 1000;
  return { accuracy: mod.evaluate(p, test.x, test.y).accuracy, epochs: MNIST_EPOCHS, batch: MNIST_BATCH, seconds };
}

/**
 * `nnc FILE -o OUT` wall time and CPU time (user + system, via /usr/bin/time when present), the
 * median of 3, from the dist/ build as `npx nnc` runs it.
 */
function compileTimes(): { example: string; seconds: number; cpu: number; bytes: number }[] {
  execFileSync(process.execPath, ["--import", "tsx", `${ROOT}scripts/build.ts`], { stdio: "ignore" });
  const timeCmd = existsSync("/usr/bin/time");
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[1]!;
  return EXAMPLES.map((e) => {
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < 3; i++) {
      const args = [`${ROOT}bin/nnc.js`, `${ROOT}${e.source}`, "-o", `${tmpdir()}/nnc-bench-${e.name}.ts`];
      const t0 = now();
      const r = timeCmd
        ? spawnSync("/usr/bin/time", ["-f", "%U %S", process.execPath, ...args], { encoding: "utf8" })
        : spawnSync(process.execPath, args, { encoding: "utf8" });
      wall.push((now() - t0) / 1000);
      const m = timeCmd ? /([\d.]+) ([\d.]+)\s*$/.exec(r.stderr) : null;
      cpu.push(m ? Number(m[1]) + Number(m[2]) : NaN);
    }
    return { example: e.name, seconds: median(wall), cpu: median(cpu), bytes: statSync(`${ROOT}${e.generated}`).size };
  });
}

const load0 = loadavg()[0]!;
// A partial run (a subset, or no tfjs) leaves out what needs every workload and peer: compile
// times, prediction latency, the MNIST breakdown, the MNIST example's accuracy, issue 4's targets.
if (!writesResults) log("printed at the end: bench/RESULTS.md is written by a full run only");
if (everything) log("compile times…");
const compiles = everything ? compileTimes() : undefined;
await compileMnistPlain();
await compileMnistWasm(wasmModule);
await useCpu();
log("matrix-matrix peak…");
const peak = gemmPeak();
log(`  ${peak.gflops.toFixed(2)} GFLOP/s (${peak.kernel})`);
const peaks = [peak];
// The WebAssembly SIMD yardstick (issue 16), per precision: measured here, before each MNIST
// workload, before each timed nnc wasm run (wasmSeen) and at the end; the best is the run's.
log("WebAssembly SIMD matrix-matrix peak…");
const wasmPeaks: Record<WasmPrecision, GemmPeak[]> = { f32: [], f64: [] };
const measureWasmPeaks = (seconds: number) => {
  for (const precision of ["f32", "f64"] as const) wasmPeaks[precision].push(wasmPeak(precision, seconds));
};
const wasmSeen: WasmPeaksSeen = { f32: [], f64: [] };
measureWasmPeaks(0.2);
log(`  f32x4 ${wasmPeaks.f32[0]!.gflops.toFixed(2)} GFLOP/s (${wasmPeaks.f32[0]!.kernel}); f64x2 ${wasmPeaks.f64[0]!.gflops.toFixed(2)} GFLOP/s (${wasmPeaks.f64[0]!.kernel})`);
const rows: Row[] = [];
const chosen = options.only ? options.only.map((name) => allWorkloads.find((w) => w.name === name)!) : allWorkloads;
const list = chosen.map((w) => (options.quick ? { ...w, epochs: Math.max(1, Math.round(w.epochs / 100)), rows: isMnist(w.example) ? 320 : w.rows } : w));
for (const w of list) {
  log(`${w.title}`);
  if (isMnist(w.example)) {
    peaks.push(gemmPeak(0.3));
    measureWasmPeaks(0.1);
  }
  rows.push(await runWorkload(w));
}
// Where nnc wasm f32's MNIST batch-32 step spends its time (for issue 16's yardstick target).
const mnist32 = rows.find((r) => r.workload.name === "mnist32" && r.wasmPaired?.f32);
let mnist32Profile;
if (mnist32) {
  log("profile of nnc wasm f32's MNIST batch-32 step…");
  const w = mnist32.workload;
  const outSize = w.net.layers[w.net.layers.length - 1]!.units;
  const file = wasmModule("mnist", "f32");
  const profile = await profileWasmStep(file, "f32", w.x.subarray(0, 32 * w.net.inputSize), w.y.subarray(0, 32 * outSize), 32, options.quick ? 0.5 : 2);
  mnist32Profile = { profile, fusedRows: fusedStepRows(file) };
}
let full: FullRunParts | undefined;
if (compiles) {
  log("prediction latency…");
  const latencies = [];
  for (const ex of ["parity", "xor", "mnist"] as const) latencies.push(await predictionLatency(ex, list.find((w) => w.example === ex)!));
  log("MNIST breakdown…");
  const breakdown = await mnistBreakdown();
  log("MNIST example accuracy…");
  const mnistExample = options.quick ? { accuracy: NaN, epochs: 0, batch: MNIST_BATCH, seconds: 0 } : await mnistExampleAccuracy();
  log("MNIST CNN, batch 32: nnc (JavaScript and WebAssembly kernels), ConvNetJS, tfjs");
  peaks.push(gemmPeak(0.3));
  const cnn = await runCnnBench({ quick: options.quick, log });
  peaks.push(...cnn.peaks);
  full = { latencies, compiles, breakdown, mnistExample, cnn };
}
peaks.push(gemmPeak(0.3));
measureWasmPeaks(0.1);
// The yardstick is the best rate seen at any of the measurements (the machine's speed drifts).
const best = peaks.reduce((a, b) => (b.gflops > a.gflops ? b : a));
const md = renderResults({
  node: process.version,
  cpu: `${cpus()[0]?.model ?? "?"} × ${cpus().length}`,
  load: [load0, loadavg()[0]!],
  peak: best,
  peaks: peaks.map((p) => p.gflops),
  wasm: { ...wasmYardstick(wasmPeaks, wasmSeen, full?.cnn.wasm.peaks ?? { f32: [], f64: [] }), ...(mnist32Profile ? { mnist32Profile } : {}) },
  rows,
  full,
  partial: writesResults ? undefined : commandLine(),
});
for (const example of ["mnist", "mnist-sgd"] as const) {
  rmSync(benchModule(example), { force: true });
  for (const precision of ["f64", "f32"] as const) rmSync(wasmModule(example, precision), { force: true });
}
if (!writesResults) process.stdout.write(md);
else {
  writeFileSync(`${ROOT}bench/RESULTS.md`, md);
  log("wrote bench/RESULTS.md");
}
