// The parts of bench/RESULTS.md about issue 16 (WebAssembly SIMD kernels): the WebAssembly SIMD
// yardstick (wasm-peak.ts) beside the JavaScript one; under each MNIST table, nnc's WebAssembly
// rows against its JavaScript kernels, TensorFlow.js' wasm backend and the yardstick; at the end,
// those side by side for the MNIST workloads and issue 16's targets with how far each one is and,
// for a missed yardstick target, where the step's time goes (report-wasm-why.ts). Rows come from
// wasm-runs.ts; a run without them (not MNIST) prints nothing of them.

import type { FunctionTime } from "./function-profile.js";
import type { GemmPeak } from "./gemm-peak.js";
import { rateOf } from "./report-peers.js";
import type { Row } from "./report.js";
import { wasmStepWhy } from "./report-wasm-why.js";

export const WASM_PRECISIONS = ["f64", "f32"] as const;
export type WasmPrecision = (typeof WASM_PRECISIONS)[number];
/** The rows' names in RESULTS.md (report-peers.ts lists nnc's as not peers). */
export const nncWasmRow = (precision: WasmPrecision) => `nnc wasm ${precision} step`;
export const TFJS_WASM_ROW = "TensorFlow.js wasm (SIMD, f32)";

/** The WebAssembly yardstick through a run: its best measurement per precision, and every rate measured. */
export interface WasmYardstick {
  best: Record<WasmPrecision, GemmPeak>;
  measured: Record<WasmPrecision, number[]>;
  /** nnc wasm f32's MNIST batch-32 step under the profiler (when mnist32 ran). */
  mnist32Profile?: { profile: FunctionTime[]; fusedRows: number | undefined };
}

/** The yardstick from every measurement of the run (the machine's speed drifts: the best one counts). */
export function wasmYardstick(...lists: Record<WasmPrecision, GemmPeak[]>[]): WasmYardstick {
  const all = (precision: WasmPrecision) => lists.flatMap((l) => l[precision]);
  const best = (precision: WasmPrecision) => all(precision).reduce((a, b) => (b.gflops > a.gflops ? b : a));
  return { best: { f32: best("f32"), f64: best("f64") }, measured: { f32: all("f32").map((p) => p.gflops), f64: all("f64").map((p) => p.gflops) } };
}

const f = (x: number, d = 2) => x.toFixed(d);
const int = (x: number) => Math.round(x).toLocaleString("en-US");
const F64 = nncWasmRow("f64");
const F32 = nncWasmRow("f32");
/** nnc's step with its JavaScript kernels (f64): run.ts' "nnc step" row. */
const JS = "nnc step";

/** a / b of two rows' samples/s, or undefined when either row did not run. */
const ratio = (row: Row, a: string, b: string) => (row.results[a] && row.results[b] ? rateOf(row, a) / rateOf(row, b) : undefined);
const shown = (x: number | undefined) => (x === undefined ? "—" : `${f(x)}×`);

/** The line under a workload's table (nothing when it has no WebAssembly rows). */
export function wasmNotes(row: Row, y: WasmYardstick): string[] {
  if (!row.results[F32]) return [];
  const parts = [`${F64} / ${JS}: **${shown(ratio(row, F64, JS))}**`, `${F32} / ${JS}: **${shown(ratio(row, F32, JS))}**`];
  if (row.results[TFJS_WASM_ROW]) parts.push(`${F32} / ${TFJS_WASM_ROW}: **${shown(ratio(row, F32, TFJS_WASM_ROW))}**`, `${JS} / ${TFJS_WASM_ROW}: ${shown(ratio(row, JS, TFJS_WASM_ROW))}`);
  if (row.results[TFJS_WASM_ROW] && row.results["tfjs"]) parts.push(`TensorFlow.js wasm / its cpu backend (tfjs): ${shown(ratio(row, TFJS_WASM_ROW, "tfjs"))}`);
  const fractions = WASM_PRECISIONS.flatMap((precision) => {
    const paired = row.wasmPaired?.[precision];
    if (!paired) return [];
    return [
      `${nncWasmRow(precision)} ${f(paired.gflops)} GFLOP/s: **${f((100 * paired.gflops) / paired.peak, 1)}%** of the WebAssembly SIMD ${precision} yardstick measured just before its fastest run (${f(paired.peak)} GFLOP/s), ${f((100 * paired.gflops) / y.best[precision].gflops, 1)}% of the run's best (${f(y.best[precision].gflops)})`,
    ];
  });
  return ["", `WebAssembly (issue 16): ${parts.join("; ")}.`, ...(fractions.length > 0 ? ["", `Against the WebAssembly SIMD yardstick: ${fractions.join("; ")}.`] : [])];
}

/** The yardstick's section, after the JavaScript yardstick's. */
export function wasmYardstickSection(y: WasmYardstick): string[] {
  const lines = WASM_PRECISIONS.map((p) => `**${p === "f32" ? "f32x4" : "f64x2"}: ${f(y.best[p].gflops)} GFLOP/s** (${y.best[p].kernel}; measured ${y.measured[p].map((g) => f(g)).join(", ")})`);
  return [
    "## The WebAssembly SIMD yardstick",
    "",
    "Best single-thread rate of a matrix-matrix product written in WebAssembly SIMD (bench/wasm-peak.ts; no relaxed SIMD, no threads),",
    "the yardstick of nnc's `--kernels wasm` rows (issue 16), one per precision: a register tile of accumulators over packed panels",
    "of A and B (as BLAS kernels pack them), independent of nnc's kernels (it shares only their instruction builders and module encoder). Its tiles are the",
    "fastest of every tile fitting the 16 vector registers, both layouts, unrolled or not, on three shapes unlike MNIST's",
    "(`node --import tsx bench/wasm-peak-tune.ts f32|f64`). Measured at the start, before each MNIST workload, before each timed",
    "nnc wasm run and at the end; the best counts:",
    "",
    ...lines.map((l) => `- ${l}`),
    "",
    "| kernel | GFLOP/s |",
    "| --- | --- |",
    ...WASM_PRECISIONS.flatMap((p) => y.best[p].all.map((k) => `| ${k.kernel} | ${f(k.gflops)} |`)),
    "",
    "(the rates of the measurements that gave each precision's best kernel)",
    "",
  ];
}

/**
 * Issue 16's section: the MNIST workloads' WebAssembly ratios and fractions, and the targets
 * measured in this run (with the CNN's yardstick target when `cnnF32` is given: a full run).
 */
export function issue16Section(rows: Row[], y: WasmYardstick, cnnF32?: { gflops: number; peak: number }): string[] {
  const mnist = rows.filter((r) => r.results[F32]);
  if (mnist.length === 0) return [];
  const out = [
    "",
    "## WebAssembly kernels (issue 16)",
    "",
    `*${JS}* is nnc's step with its JavaScript kernels (f64, the default); *${F64}* and *${F32}* the same step (\`createTrainer().step\`)`,
    "compiled with `--kernels wasm` (and `--precision f32`): its matrix products, most row loops, the optimizer's update (in the fused",
    "step, batch 1; in the generated tail, batch 32) and the gradient's norm as WebAssembly SIMD; *TensorFlow.js wasm* is",
    "`@tensorflow/tfjs-backend-wasm` 4.22.0 (XNNPACK, its SIMD binary, one thread) running the tfjs row's `model.fit`. Samples/s from this run.",
    "",
    `| workload | ${JS} | ${F64} | ${F32} | TensorFlow.js wasm | wasm f64 / js | wasm f32 / js | wasm f32 / TensorFlow.js wasm | js / TensorFlow.js wasm |`,
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const r of mnist) {
    const rate = (name: string) => (r.results[name] ? int(rateOf(r, name)) : "—");
    out.push(`| ${r.workload.name} | ${rate(JS)} | ${rate(F64)} | ${rate(F32)} | ${rate(TFJS_WASM_ROW)} | ${shown(ratio(r, F64, JS))} | ${shown(ratio(r, F32, JS))} | ${shown(ratio(r, F32, TFJS_WASM_ROW))} | ${shown(ratio(r, JS, TFJS_WASM_ROW))} |`);
  }
  out.push(
    "",
    "Against the WebAssembly SIMD yardstick of the same precision (GFLOP/s of the fastest timed run; the yardstick measured just before it, and the run's best):",
    "",
    "| workload | row | GFLOP/s | yardstick just before | fraction | of the run's best |",
    "| --- | --- | ---: | ---: | ---: | ---: |",
  );
  for (const r of mnist) {
    for (const precision of WASM_PRECISIONS) {
      const paired = r.wasmPaired?.[precision];
      if (!paired) continue;
      out.push(`| ${r.workload.name} | ${nncWasmRow(precision)} | ${f(paired.gflops)} | ${f(paired.peak)} | ${f((100 * paired.gflops) / paired.peak, 1)}% | ${f((100 * paired.gflops) / y.best[precision].gflops, 1)}% |`);
    }
  }
  const row = (name: string) => mnist.find((r) => r.workload.name === name);
  const targets: [string, number | undefined, number][] = [];
  const fractionTargets: [string, number, number][] = [];
  const m32 = row("mnist32");
  const m1 = row("mnist1");
  if (m32) {
    targets.push([`MNIST batch 32: ${F32} / ${JS} (JavaScript kernels, f64)`, ratio(m32, F32, JS), 2.5]);
    targets.push([`MNIST batch 32: ${F32} / TensorFlow.js wasm`, ratio(m32, F32, TFJS_WASM_ROW), 4]);
    const paired = m32.wasmPaired?.f32;
    if (paired) fractionTargets.push([`MNIST batch 32: ${F32}, fraction of the WebAssembly SIMD yardstick (f32x4) measured just before`, paired.gflops / paired.peak, 0.6]);
  }
  if (cnnF32) fractionTargets.push([`MNIST CNN batch 32: ${F32}, fraction of the WebAssembly SIMD yardstick (f32x4) measured just before`, cnnF32.gflops / cnnF32.peak, 0.6]);
  if (m1) targets.push([`MNIST batch 1 (Adam): ${F32} / ${JS} (JavaScript kernels, f64)`, ratio(m1, F32, JS), 2]);
  if (targets.length + fractionTargets.length > 0) {
    out.push("", "### Targets (issue 16)", "", "| target | measured | goal | met |", "| --- | --- | --- | --- |");
    for (const [what, value, goal] of targets) {
      const met = value === undefined ? "not run (--no-tfjs)" : value >= goal ? "yes" : `no (${f(value / goal, 2)} of the goal)`;
      out.push(`| ${what} | ${shown(value)} | ≥ ${goal}× | ${met} |`);
    }
    for (const [what, value, goal] of fractionTargets) {
      out.push(`| ${what} | ${f(100 * value, 1)}% | ≥ ${f(100 * goal, 0)}% | ${value >= goal ? "yes" : `no (${f(value / goal, 2)} of the goal, ${f(100 * (goal - value), 1)} points short)`} |`);
    }
  }
  const paired = m32?.wasmPaired?.f32;
  if (m32 && paired && y.mnist32Profile) {
    const { profile, fusedRows } = y.mnist32Profile;
    out.push("", ...wasmStepWhy({ title: "MNIST batch 32", row: F32, profile, flopsPerStep: (m32.flops / m32.samples) * 32, gflops: paired.gflops, peak: paired.peak, goal: 0.6, batch: 32, fusedRows }));
  }
  return out;
}
