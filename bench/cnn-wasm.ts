// The CNN's WebAssembly rows in `npm run bench` (issue 16): bench/mnist-cnn-plain.nn compiled with
// `--kernels wasm` in f64 and f32, its bare trainer step timed as cnn-bench.ts times nnc's
// ("nnc wasm f64 step", "nnc wasm f32 step": best of 3 after a warm-up), each timed run paired
// with the WebAssembly SIMD yardstick of its precision (wasm-peak.ts) measured just before it,
// scored by the JavaScript module's evaluate; and a profile of the f32 step for the report's
// "why". (TensorFlow.js' wasm backend, 4.22.0, has no Conv2DBackpropFilter kernel: it cannot
// train this CNN as shipped, so it has no row here; bench:accuracy supplies one of ours.)
//
//   const wasm = await runCnnWasm({ quick, log, source, rows, init, train, score });

import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { compile } from "../compiler/compile.js";
import type { FunctionTime } from "./function-profile.js";
import type { GemmPeak } from "./gemm-peak.js";
import { WASM_PRECISIONS, type WasmPrecision, nncWasmRow } from "./report-wasm.js";
import { now } from "./timing.js";
import { wasmPeak } from "./wasm-peak.js";
import { fusedStepRows, profileWasmStep } from "./wasm-runs.js";

type Vec = Float64Array | Float32Array;
interface WasmModule {
  ready(): Promise<"wasm" | "js">;
  init(seed: number): Vec;
  createTrainer(p: Vec): { step(X: Vec, Y: Vec, n: number): number };
}

export interface CnnWasmRun {
  peer: string;
  precision: WasmPrecision;
  seconds: number;
  /** The fastest run's parameters, as f64 (for the JavaScript module's evaluate). */
  params: Float64Array;
  /** The yardstick measured just before the fastest run. */
  peak: number;
}

export interface CnnWasm {
  runs: CnnWasmRun[];
  /** Every measurement of the yardstick taken here, per precision. */
  peaks: Record<WasmPrecision, GemmPeak[]>;
  /** The f32 step under V8's profiler, and the most rows its module's fused training step takes. */
  profile: FunctionTime[];
  fusedRows: number | undefined;
}

export interface CnnWasmContext {
  quick: boolean;
  log(line: string): void;
  /** The model's text and file name. */
  source: string;
  name: string;
  batch: number;
  rows: number;
  /** nnc's init(1), and the training digits (pixels, one-hot labels) from the first. */
  init: Float64Array;
  x: Float64Array;
  y: Float64Array;
  pixels: number;
  classes: number;
}

export async function runCnnWasm(c: CnnWasmContext): Promise<CnnWasm> {
  const runs: CnnWasmRun[] = [];
  const peaks: Record<WasmPrecision, GemmPeak[]> = { f32: [], f64: [] };
  let profile: FunctionTime[] = [];
  let fusedRows: number | undefined;
  for (const precision of WASM_PRECISIONS) {
    const file = join(tmpdir(), `nnc-bench-mnist-cnn-wasm-${precision}-${process.pid}.ts`);
    writeFileSync(file, (await compile(c.source, c.name, { kernels: "wasm", precision })).code);
    const mod = (await import(pathToFileURL(file).href)) as WasmModule;
    // A row named "wasm" must not time the JavaScript fallback.
    if ((await mod.ready()) !== "wasm") throw new Error(`the CNN's --kernels wasm module (${precision}) runs its JavaScript kernels here (no WebAssembly SIMD)`);
    const Vec = precision === "f64" ? Float64Array : Float32Array;
    const x = Vec.from(c.x.subarray(0, c.rows * c.pixels));
    const y = Vec.from(c.y.subarray(0, c.rows * c.classes));
    const p = mod.init(1);
    const start = Vec.from(c.init);
    let best: CnnWasmRun | undefined;
    for (let i = 0; i < 4; i++) {
      const yardstick = i === 0 ? undefined : wasmPeak(precision, 0.05); // run 0 warms up
      p.set(start);
      const trainer = mod.createTrainer(p);
      const t0 = now();
      for (let r = 0; r < c.rows; r += c.batch) trainer.step(x.subarray(r * c.pixels), y.subarray(r * c.classes), c.batch);
      const seconds = (now() - t0) / 1000;
      if (!yardstick) continue;
      peaks[precision].push(yardstick);
      if (!best || seconds < best.seconds) best = { peer: nncWasmRow(precision), precision, seconds, params: Float64Array.from(p), peak: yardstick.gflops };
    }
    runs.push(best!);
    c.log(`  ${`${nncWasmRow(precision)} `.padEnd(13)}${best!.seconds.toFixed(3)} s`);
    if (precision === "f32") {
      c.log("  profile of nnc wasm f32's step…");
      fusedRows = fusedStepRows(file);
      profile = await profileWasmStep(file, precision, c.x.subarray(0, c.batch * c.pixels), c.y.subarray(0, c.batch * c.classes), c.batch, c.quick ? 0.5 : 2);
    }
    rmSync(file, { force: true });
  }
  return { runs, peaks, profile, fusedRows };
}
