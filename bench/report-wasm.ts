// The parts of bench/RESULTS.md about issue 16 (WebAssembly SIMD kernels): under each MNIST
// table, nnc's WebAssembly rows against its JavaScript kernels and TensorFlow.js' wasm backend;
// at the end, those ratios side by side for the MNIST workloads and issue 16's targets with how
// far each one is. Rows come from wasm-runs.ts; a run without them (not MNIST) prints nothing.

import { rateOf } from "./report-peers.js";
import type { Row } from "./report.js";

export const WASM_PRECISIONS = ["f64", "f32"] as const;
export type WasmPrecision = (typeof WASM_PRECISIONS)[number];
/** The rows' names in RESULTS.md (report-peers.ts lists nnc's as not peers). */
export const nncWasmRow = (precision: WasmPrecision) => `nnc wasm ${precision} step`;
export const TFJS_WASM_ROW = "TensorFlow.js wasm (SIMD, f32)";

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
export function wasmNotes(row: Row): string[] {
  if (!row.results[F32]) return [];
  const parts = [`${F64} / ${JS}: **${shown(ratio(row, F64, JS))}**`, `${F32} / ${JS}: **${shown(ratio(row, F32, JS))}**`];
  if (row.results[TFJS_WASM_ROW]) parts.push(`${F32} / ${TFJS_WASM_ROW}: **${shown(ratio(row, F32, TFJS_WASM_ROW))}**`, `${JS} / ${TFJS_WASM_ROW}: ${shown(ratio(row, JS, TFJS_WASM_ROW))}`);
  if (row.results[TFJS_WASM_ROW] && row.results["tfjs"]) parts.push(`TensorFlow.js wasm / its cpu backend (tfjs): ${shown(ratio(row, TFJS_WASM_ROW, "tfjs"))}`);
  return ["", `WebAssembly (issue 16): ${parts.join("; ")}.`];
}

/** Issue 16's section: the MNIST workloads' WebAssembly ratios and the targets measured in this run. */
export function issue16Section(rows: Row[]): string[] {
  const mnist = rows.filter((r) => r.results[F32]);
  if (mnist.length === 0) return [];
  const out = [
    "",
    "## WebAssembly kernels (issue 16)",
    "",
    `*${JS}* is nnc's step with its JavaScript kernels (f64, the default); *${F64}* and *${F32}* the same step (\`createTrainer().step\`)`,
    "compiled with `--kernels wasm` (and `--precision f32`), its matrix products as WebAssembly SIMD, and in the fused step (batch 1) the",
    "optimizer's update of the weights too; *TensorFlow.js wasm* is",
    "`@tensorflow/tfjs-backend-wasm` 4.22.0 (XNNPACK, its SIMD binary, one thread) running the tfjs row's `model.fit`. Samples/s from this run.",
    "",
    `| workload | ${JS} | ${F64} | ${F32} | TensorFlow.js wasm | wasm f64 / js | wasm f32 / js | wasm f32 / TensorFlow.js wasm | js / TensorFlow.js wasm |`,
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const r of mnist) {
    const rate = (name: string) => (r.results[name] ? int(rateOf(r, name)) : "—");
    out.push(`| ${r.workload.name} | ${rate(JS)} | ${rate(F64)} | ${rate(F32)} | ${rate(TFJS_WASM_ROW)} | ${shown(ratio(r, F64, JS))} | ${shown(ratio(r, F32, JS))} | ${shown(ratio(r, F32, TFJS_WASM_ROW))} | ${shown(ratio(r, JS, TFJS_WASM_ROW))} |`);
  }
  const row = (name: string) => mnist.find((r) => r.workload.name === name);
  const targets: [string, number | undefined, number][] = [];
  const m32 = row("mnist32");
  const m1 = row("mnist1");
  if (m32) {
    targets.push([`MNIST batch 32: ${F32} / ${JS} (JavaScript kernels, f64)`, ratio(m32, F32, JS), 2.5]);
    targets.push([`MNIST batch 32: ${F32} / TensorFlow.js wasm`, ratio(m32, F32, TFJS_WASM_ROW), 4]);
  }
  if (m1) targets.push([`MNIST batch 1 (Adam): ${F32} / ${JS} (JavaScript kernels, f64)`, ratio(m1, F32, JS), 2]);
  if (targets.length > 0) {
    out.push("", "### Targets (issue 16)", "", "| target | measured | goal | met |", "| --- | --- | --- | --- |");
    for (const [what, value, goal] of targets) {
      const met = value === undefined ? "not run (--no-tfjs)" : value >= goal ? "yes" : `no (${f(value / goal, 2)} of the goal)`;
      out.push(`| ${what} | ${shown(value)} | ≥ ${goal}× | ${met} |`);
    }
    out.push(
      "",
      "The issue's other target, 60% of a WebAssembly SIMD matrix-matrix yardstick on MNIST batch 32, is not measured here: the bench's",
      "yardstick is the JavaScript one above (so WebAssembly rows can pass 100% of it); `bench/wasm-tiles.ts` times the products alone.",
    );
  }
  return out;
}
