// The CNN section of bench/RESULTS.md (from bench/cnn-bench.ts): throughput of nnc, TensorFlow.js
// and ConvNetJS on the same network, weights and digits, the rate against the matrix-matrix
// yardstick, one image's prediction latency, where nnc's step spends its time per generated
// function, nnc's `--kernels wasm` rows against the WebAssembly SIMD yardstick (and where that
// step's time goes when it misses its target), and the CNN's rows of issue 4's targets table
// (its WebAssembly target is in issue 16's, report-wasm.ts).

import type { CnnBench } from "./cnn-bench.js";
import { WASM_PRECISIONS, nncWasmRow } from "./report-wasm.js";
import { wasmStepWhy } from "./report-wasm-why.js";

const f = (x: number, d = 2) => x.toFixed(d);
const int = (x: number) => Math.round(x).toLocaleString("en-US");

const WASM_F32 = nncWasmRow("f32");
const WASM_GOAL = 0.6;

const rate = (c: CnnBench, peer: string) => {
  const r = c.runs.find((x) => x.peer === peer)!;
  return r.rows / r.seconds;
};

/** [what, measured, goal, unit] rows for the targets table ("" unit: a fraction shown as %). */
export function cnnTargets(c: CnnBench, bestPeak: number): [string, number, number, string][] {
  return [
    ["MNIST CNN batch 32: nnc step / tfjs", rate(c, "nnc step") / rate(c, "tfjs"), 4, "×"],
    ["MNIST CNN batch 32: nnc step / ConvNetJS", rate(c, "nnc step") / rate(c, "ConvNetJS"), 4, "×"],
    ["MNIST CNN batch 32: nnc step, fraction of the GEMM peak measured just before", c.paired.gflops / c.paired.peak, 0.5, ""],
    ["MNIST CNN batch 32: nnc step, fraction of the best GEMM peak of the run", c.paired.gflops / bestPeak, 0.5, ""],
  ];
}

export function renderCnn(c: CnnBench, bestPeak: number): string[] {
  const out: string[] = [];
  const gflops = (peer: string) => (rate(c, peer) * c.flopsPerSample) / 1e9;
  out.push(
    "### MNIST CNN: conv 3×3×32 same relu → max pool 2 → conv 3×3×64 relu → max pool 2 → dense 10 softmax, Adam, batch 32",
    "",
    "bench/mnist-cnn-plain.nn: dsl-examples/mnist_cnn.nn without its dropout. Every peer starts from nnc's `init(1)` and",
    "trains on the first training digits in order, 32 per update; tfjs needs seconds per update, so each peer trains its",
    `own number of digits (nnc's best of 3 timed runs, the others' one, each after an untimed warm-up). Loss and accuracy`,
    `afterwards on the first ${c.evalRows} held-out digits, beside nnc's loss after the same digits (the peers agree when these match).`,
    `GFLOP/s counts nnc's ${f(c.flopsPerSample / 1e6)} MFLOP per training sample for all. tfjs runs its stock cpu kernels.`,
    "",
    "| peer | digits | seconds | samples/s | GFLOP/s | of GEMM peak | loss | accuracy | nnc's loss, same digits |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  );
  for (const r of c.runs) {
    out.push(`| ${r.peer} | ${int(r.rows)} | ${f(r.seconds, 3)} | ${int(r.rows / r.seconds)} | ${f(gflops(r.peer), 3)} | ${f((100 * gflops(r.peer)) / bestPeak, 1)}% | ${f(r.loss, 4)} | ${f(r.accuracy, 4)} | ${f(r.nncLoss, 4)} |`);
  }
  out.push(
    "",
    `nnc step against the matrix-matrix peak measured just before its fastest run (${f(c.paired.peak)} GFLOP/s): **${f((100 * c.paired.gflops) / c.paired.peak, 0)}%**` +
      ` (yardstick before each of the 3 runs: ${c.peaks.map((p) => f(p.gflops)).join(", ")} GFLOP/s).`,
    "",
    `nnc / tfjs: **${f(rate(c, "nnc step") / rate(c, "tfjs"), 0)}×** (step), **${f(rate(c, "nnc fit") / rate(c, "tfjs"), 0)}×** (fit); ` +
      `nnc / ConvNetJS: **${f(rate(c, "nnc step") / rate(c, "ConvNetJS"), 1)}×** (step), **${f(rate(c, "nnc fit") / rate(c, "ConvNetJS"), 1)}×** (fit).`,
    ...wasmLines(c),
    "",
    "Prediction of one image (`predict`; ConvNetJS' `net.forward`; tfjs' `model.predict` and reading the result back):",
    "",
    "| nnc µs | ConvNetJS µs | tfjs µs | ConvNetJS / nnc | tfjs / nnc |",
    "| --- | --- | --- | --- | --- |",
    `| ${f(c.latency.nnc * 1e6, 1)} | ${f(c.latency.convnetjs * 1e6, 1)} | ${f(c.latency.tfjs * 1e6, 1)} | ${f(c.latency.convnetjs / c.latency.nnc, 1)}× | ${f(c.latency.tfjs / c.latency.nnc, 0)}× |`,
    "",
    `nnc compiled the CNN in ${f(c.compileSeconds)} s (in-process) to ${f(c.bytes / 1024, 1)} KB.`,
    "",
    "#### Where nnc's CNN step spends its time",
    "",
    `V8's sampling profiler over about 3 s of \`trainer.step\` at batch ${c.profileBatch} (self time per generated function, per step), and each`,
    "matrix-product function's multiply-adds counted in an instrumented copy of the module (so its GFLOP/s is measured,",
    "not estimated). `gradRows` itself holds the row loops between the products: im2col (patches), col2im (the patches'",
    "gradient summed back), bias, relu, pooling and its gradient, softmax and the loss.",
    "",
    "| function | computes | ms per step | share | MFLOP per step | GFLOP/s | of best GEMM peak |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  );
  for (const p of c.profile.filter((p) => p.share >= 0.001)) {
    const g = p.flopsPerCall ? p.flopsPerCall / (p.msPerCall / 1000) / 1e9 : NaN;
    const what = p.what.replace(/\|/g, "\\|").replace(/\s+/g, " ");
    out.push(`| ${p.fn} | ${what} | ${f(p.msPerCall, 3)} | ${f(100 * p.share, 1)}% | ${p.flopsPerCall ? f(p.flopsPerCall / 1e6) : "–"} | ${Number.isNaN(g) ? "–" : f(g)} | ${Number.isNaN(g) ? "–" : `${f((100 * g) / bestPeak, 0)}%`} |`);
  }
  const totalMsAll = c.profile.reduce((s, p) => s + p.msPerCall, 0);
  for (const p of c.profile.filter((p) => p.blocks.length > 0 && p.share >= 0.05)) {
    out.push("", `\`${p.fn}\`'s own time by block (line ticks of the profile, grouped under the comment that heads each block; blocks over 1% of the step):`, "");
    out.push("| block | ms per step | share of the step |", "| --- | --- | --- |");
    for (const b of p.blocks.filter((b) => b.msPerCall >= 0.01 * totalMsAll)) out.push(`| ${b.what.replace(/\|/g, "\\|").replace(/\s+/g, " ")} | ${f(b.msPerCall, 3)} | ${f((100 * b.msPerCall) / totalMsAll, 1)}% |`);
  }
  const products = c.profile.filter((p) => p.flopsPerCall > 0);
  const productMs = products.reduce((s, p) => s + p.msPerCall, 0);
  const productFlops = products.reduce((s, p) => s + p.flopsPerCall, 0);
  const totalMs = c.profile.reduce((s, p) => s + p.msPerCall, 0);
  out.push(
    "",
    `The matrix products are ${f((100 * productMs) / totalMs, 0)}% of the step and run at ${f(productFlops / (productMs / 1000) / 1e9)} GFLOP/s together; they do ` +
      `${f(productFlops / 1e6, 1)} of the model's ${f((c.flopsPerSample * c.profileBatch) / 1e6, 1)} MFLOP per step. Everything else takes ${f(totalMs - productMs, 1)} of the ${f(totalMs, 1)} ms.`,
    "",
    ...why(c, bestPeak, { productMs, productFlops, totalMs }),
    ...wasmWhy(c),
  );
  return out;
}

/** nnc's `--kernels wasm` rows: against the WebAssembly SIMD yardstick, nnc's JavaScript kernels, tfjs and ConvNetJS. */
function wasmLines(c: CnnBench): string[] {
  const out: string[] = [];
  for (const precision of WASM_PRECISIONS) {
    const paired = c.wasm.paired[precision];
    if (!paired) continue;
    const row = nncWasmRow(precision);
    const vs = (peer: string) => f(rate(c, row) / rate(c, peer), 1);
    out.push(
      "",
      `${row} (\`--kernels wasm\`${precision === "f32" ? " `--precision f32`" : ""}): ${f(paired.gflops)} GFLOP/s, **${f((100 * paired.gflops) / paired.peak, 1)}%** of the WebAssembly SIMD ${precision} yardstick measured just before its fastest run` +
        ` (${f(paired.peak)} GFLOP/s; bench/wasm-peak.ts); / nnc step (JavaScript kernels): **${vs("nnc step")}×**; / tfjs: **${vs("tfjs")}×**; / ConvNetJS: **${vs("ConvNetJS")}×**.`,
    );
  }
  if (out.length > 0) {
    out.push(
      "",
      "TensorFlow.js' WebAssembly backend (`@tensorflow/tfjs-backend-wasm` 4.22.0) has no `Conv2DBackpropFilter` kernel, so it cannot " +
        "train this CNN as shipped: no row for it (`npm run bench:accuracy` trains it there with a JavaScript filter gradient of ours, " +
        "which would make a speed row measure our code, not tfjs').",
    );
  }
  return out;
}

/** Where the wasm f32 step's time goes, and why it misses its target if it does. */
function wasmWhy(c: CnnBench): string[] {
  const f32 = c.wasm.paired.f32;
  if (!f32 || c.wasm.profile.length === 0) return [];
  return [...wasmStepWhy({ title: "MNIST CNN batch 32", row: WASM_F32, profile: c.wasm.profile, flopsPerStep: c.flopsPerSample * c.batch, gflops: f32.gflops, peak: f32.peak, goal: WASM_GOAL, batch: c.batch, fusedRows: c.wasm.fusedRows }), ""];
}

/** For each missed CNN goal: by how much, and what the measurements above say about why. */
function why(c: CnnBench, bestPeak: number, t: { productMs: number; productFlops: number; totalMs: number }): string[] {
  const out: string[] = [];
  const fraction = c.paired.gflops / c.paired.peak;
  const stepFlops = c.flopsPerSample * c.profileBatch;
  const profiledRate = stepFlops / (t.totalMs / 1000) / 1e9;
  const productRate = t.productFlops / (t.productMs / 1000) / 1e9;
  const rest = c.profile.flatMap((p) => p.blocks).sort((a, b) => b.msPerCall - a.msPerCall).slice(0, 3);
  if (fraction < 0.5) {
    out.push(
      `**Why the CNN step misses 50% of the yardstick (${f(100 * fraction, 1)}% paired, ${f((100 * c.paired.gflops) / bestPeak, 1)}% of the run's best):** in the profile the`,
      `step ran at ${f(profiledRate)} GFLOP/s (${f((100 * profiledRate) / bestPeak, 0)}% of the best yardstick). Its products alone run at ${f(productRate)} GFLOP/s`,
      `(${f((100 * productRate) / bestPeak, 0)}%), so even with free row loops the step would reach about that; the row loops between them take`,
      `${f((100 * (t.totalMs - t.productMs)) / t.totalMs, 0)}% of the time for no product flops, the largest: ${rest.map((b) => `${b.what.replace(/\s+/g, " ")} (${f(b.msPerCall, 2)} ms)`).join("; ")}.`,
      "",
    );
  }
  const cn = c.runs.find((r) => r.peer === "ConvNetJS")!;
  const cnRate = ((cn.rows / cn.seconds) * c.flopsPerSample) / 1e9;
  const step = c.runs.find((r) => r.peer === "nnc step")!;
  const ratio = step.rows / step.seconds / (cn.rows / cn.seconds);
  if (ratio < 4) {
    out.push(
      `**Why nnc is ${f(ratio, 1)}× ConvNetJS, short of 4×:** ConvNetJS' per-sample loops (one multiply-add per load pair, no allocation inside`,
      `the loops) run the same flops at ${f(cnRate, 2)} GFLOP/s, ${f((100 * cnRate) / bestPeak, 0)}% of the yardstick, so 4× ConvNetJS needs`,
      `${f((400 * cnRate) / bestPeak, 0)}% of the yardstick: the goal is the 50% goal above in other words.`,
      "",
    );
  }
  return out;
}
