// How `npm run bench` (run.ts) times issue 16's rows on the MNIST workloads: nnc's training step
// with `--kernels wasm` in f64 and f32 ("nnc wasm f64 step", "nnc wasm f32 step", timed as
// "nnc step" is: createTrainer().step over the workload's batches, best of 3) and TensorFlow.js
// on its WebAssembly backend ("TensorFlow.js wasm (SIMD, f32)", model.fit as the cpu "tfjs" row,
// one timed run). The wasm modules train on a parameter vector in their own memory (the slot
// `init()` returns, reset before each run), so no step copies the parameters in and out; they
// are scored by the JavaScript f64 module's evaluate, as every other row is.

import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { compile } from "../compiler/compile.js";
import { ROOT } from "../scripts/examples.js";
import type { PeerContext } from "./peer-runs.js";
import { useCpu } from "./peers/tfjs.js";
import { useWasm } from "./peers/tfjs-wasm.js";
import type { Outcome } from "./report.js";
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

/** Times nnc with WebAssembly kernels (f64, f32) and, unless left out, TensorFlow.js wasm into `results`. */
export async function runWasmRows(w: Workload, ctx: WasmRowsContext, results: Record<string, Outcome>): Promise<void> {
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
    results[name] = await ctx.bestOf(3, w, async (v) => {
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
      return { seconds, ...ctx.score(Float64Array.from(p)) };
    });
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
