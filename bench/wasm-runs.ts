// How `npm run bench` (run.ts) times issue 16's rows on the MNIST workloads: nnc's training step
// with `--kernels wasm` in f64 and f32 ("nnc wasm f64 step", "nnc wasm f32 step", timed as
// "nnc step" is: createTrainer().step over the workload's batches, best of 3) and TensorFlow.js
// on its WebAssembly backend ("TensorFlow.js wasm (SIMD, f32)", model.fit as the cpu "tfjs" row,
// one timed run). Each timed nnc wasm run is paired with the WebAssembly SIMD yardstick of its
// precision (wasm-peak.ts) measured just before it, as run.ts pairs "nnc step" with the
// JavaScript one; the fastest run's pair gives the row's fraction. The wasm modules train on a
// parameter vector in their own memory (the slot `init()` returns, reset before each run), so no
// step copies the parameters in and out; they are scored by the JavaScript f64 module's
// evaluate, as every other row is. profileWasmStep: where such a step's time goes.

import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { compile } from "../compiler/compile.js";
import { ROOT } from "../scripts/examples.js";
import type { PeerContext } from "./peer-runs.js";
import { useCpu } from "./peers/tfjs.js";
import { useWasm } from "./peers/tfjs-wasm.js";
import type { Outcome, Row } from "./report.js";
import { type FunctionTime, functionProfile } from "./function-profile.js";
import type { GemmPeak } from "./gemm-peak.js";
import { wasmPeak } from "./wasm-peak.js";
import { TFJS_WASM_ROW, WASM_PRECISIONS, type WasmPrecision, nncWasmRow } from "./report-wasm.js";
import { type Workload, sourceOf } from "./workloads.js";

export type { WasmPrecision };

type Vec = Float64Array | Float32Array;
interface WasmModule {
  ready(): Promise<"wasm" | "js">;
  init(seed: number): Vec;
  createTrainer(p: Vec): { step(X: Vec, Y: Vec, n: number): number };
}

/** Compiles an MNIST example with `--kernels wasm` at each precision to `fileOf(example, precision)`. */
export async function compileMnistWasm(fileOf: (example: "mnist" | "mnist-sgd", precision: WasmPrecision) => string): Promise<void> {
  for (const example of ["mnist", "mnist-sgd"] as const) {
    const file = sourceOf(example);
    const source = readFileSync(`${ROOT}${file}`, "utf8");
    for (const precision of WASM_PRECISIONS) {
      const { code } = await compile(source, file.slice(file.lastIndexOf("/") + 1), { kernels: "wasm", precision });
      writeFileSync(fileOf(example, precision), code);
    }
  }
}

export interface WasmRowsContext extends PeerContext {
  /** The compiled `--kernels wasm` module of the workload at a precision. */
  moduleFile(precision: WasmPrecision): string;
  /** run.ts' TensorFlow.js run (model.fit, then evaluate) on the current backend; undefined: no tfjs (--no-tfjs). */
  tfjsRun?: (v: Workload) => Promise<Outcome>;
}

/** The WebAssembly yardstick's measurements taken by runWasmRows, per precision (for the run's best). */
export type WasmPeaksSeen = Record<WasmPrecision, GemmPeak[]>;

/**
 * Times nnc with WebAssembly kernels (f64, f32) and, unless left out, TensorFlow.js wasm into
 * `row.results`; sets `row.wasmPaired` and adds the yardstick's measurements to `seen`.
 */
export async function runWasmRows(w: Workload, ctx: WasmRowsContext, row: Row, seen: WasmPeaksSeen): Promise<void> {
  const results = row.results;
  const show = (name: string) => ctx.log(`  ${`${name} `.padEnd(13)}${results[name]!.seconds.toFixed(3)} s`);
  const inputSize = w.net.inputSize;
  const outSize = w.net.layers[w.net.layers.length - 1]!.units;
  for (const precision of WASM_PRECISIONS) {
    const mod = (await import(pathToFileURL(ctx.moduleFile(precision)).href)) as WasmModule;
    // A row named "wasm" must not time the JavaScript fallback.
    if ((await mod.ready()) !== "wasm") throw new Error(`${w.name}: the --kernels wasm module (${precision}) runs its JavaScript kernels here (no WebAssembly SIMD)`);
    const Vec = precision === "f64" ? Float64Array : Float32Array;
    const p = mod.init(w.seed);
    const start = Vec.from(ctx.init);
    const x = Vec.from(w.x.subarray(0, w.rows * inputSize));
    const y = Vec.from(w.y.subarray(0, w.rows * outSize));
    const name = nncWasmRow(precision);
    const pairs: { seconds: number; peak: GemmPeak }[] = [];
    results[name] = await ctx.bestOf(3, w, async (v) => {
      const peakNow = v === w ? wasmPeak(precision, 0.05) : undefined;
      p.set(start);
      const trainer = mod.createTrainer(p);
      const batches: [Vec, Vec, number][] = [];
      for (let r = 0; r < v.rows; r += v.batch) {
        const n = Math.min(v.batch, v.rows - r);
        batches.push([x.subarray(r * inputSize, (r + n) * inputSize), y.subarray(r * outSize, (r + n) * outSize), n]);
      }
      const t0 = performance.now();
      for (let e = 0; e < v.epochs; e++) for (const [bx, by, n] of batches) trainer.step(bx, by, n);
      const seconds = (performance.now() - t0) / 1000;
      if (peakNow) pairs.push({ seconds, peak: peakNow });
      return { seconds, ...ctx.score(Float64Array.from(p)) };
    });
    const fastest = pairs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    seen[precision].push(...pairs.map((x) => x.peak));
    row.wasmPaired = { ...row.wasmPaired, [precision]: { gflops: row.flops / fastest.seconds / 1e9, peak: fastest.peak.gflops } };
    show(name);
  }
  if (!ctx.tfjsRun) return;
  await useWasm();
  try {
    results[TFJS_WASM_ROW] = await ctx.bestOf(1, w, ctx.tfjsRun);
  } finally {
    await useCpu();
  }
  show(TFJS_WASM_ROW);
}

/**
 * V8's profile of a `--kernels wasm` module's training step (from `init(1)`, on the `batch` rows
 * X, Y) for about `seconds`: where report-wasm-why.ts says the step's time goes.
 */
export async function profileWasmStep(file: string, precision: WasmPrecision, X: Float64Array, Y: Float64Array, batch: number, seconds: number): Promise<FunctionTime[]> {
  const Vec = precision === "f64" ? Float64Array : Float32Array;
  const x = Vec.from(X);
  const y = Vec.from(Y);
  return functionProfile(
    file,
    (m) => {
      const trainer = (m as WasmModule).createTrainer((m as WasmModule).init(1));
      return () => trainer.step(x, y, batch);
    },
    seconds,
  );
}

/** The most rows a generated module's fused training step takes (its `trainStepRows`), or undefined when it has none. */
export function fusedStepRows(file: string): number | undefined {
  const m = /^\s*trainStepRows: (\d+),/m.exec(readFileSync(file, "utf8"));
  return m ? Number(m[1]) : undefined;
}
