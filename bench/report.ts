// bench/RESULTS.md from one benchmark run: tables of throughput, rates against the measured
// matrix-matrix peak, final loss and accuracy, prediction latency, compile times and sizes,
// and the issues' targets with how far each one is from being met (the fastest peer and issue
// 15's targets: report-peers.ts).

import type { CnnBench } from "./cnn-bench.js";
import type { GemmPeak } from "./gemm-peak.js";
import { cnnTargets, renderCnn } from "./report-cnn.js";
import { issue15Targets, peerNotes, rateOf, samplesOf } from "./report-peers.js";
import { type WasmPrecision, type WasmYardstick, issue16Section, wasmNotes, wasmYardstickSection } from "./report-wasm.js";
import type { Workload } from "./workloads.js";

export interface Outcome {
  seconds: number;
  /** NaN when the peer's loss is not the workload's. */
  loss: number;
  accuracy: number;
  /** Samples trained on, when fewer than the workload's. */
  samples?: number;
  /** What the peer computes, when it is not exactly the workload. */
  computes?: string;
}

export interface Row {
  workload: Workload;
  samples: number;
  flops: number;
  evalWhat: string;
  results: Record<string, Outcome>;
  /** nnc step's fastest run against the matrix-matrix peak measured right before it. */
  pairedFraction?: { fraction: number; peak: number };
  /** Each nnc wasm step row's fastest run: its GFLOP/s and the WebAssembly yardstick of its precision measured right before it. */
  wasmPaired?: Partial<Record<WasmPrecision, { gflops: number; peak: number }>>;
}

export interface Report {
  node: string;
  cpu: string;
  load: [number, number];
  peak: GemmPeak;
  /** Every measurement of the peak in the run (start, before each MNIST workload, end). */
  peaks: number[];
  /** The WebAssembly SIMD yardstick (wasm-peak.ts) through the run, per precision. */
  wasm: WasmYardstick;
  rows: Row[];
  /** What a run of every workload and peer adds (absent from a partial run: `--only`, `--no-tfjs`). */
  full?: FullRunParts;
  /** For a printed run (partial or quick): the command that asked for it. */
  partial?: string;
}

export interface FullRunParts {
  latencies: { example: string; nnc: number; plain: number; tfjs: number; flops: number }[];
  compiles: { example: string; seconds: number; cpu: number; bytes: number }[];
  breakdown: { adam: number; grad32: number; grad1: number };
  /** The MNIST example (with dropout) trained as `npm run demo:mnist` does: held-out accuracy. */
  mnistExample: { accuracy: number; epochs: number; batch: number; seconds: number };
  /** The MNIST CNN against TensorFlow.js and ConvNetJS (bench/cnn-bench.ts). */
  cnn: CnnBench;
}

const f = (x: number, d = 2) => x.toFixed(d);
const int = (x: number) => Math.round(x).toLocaleString("en-US");

export function renderResults(r: Report): string {
  const out: string[] = [];
  const rate = rateOf;
  const gflops = (row: Row, name: string) => (row.flops / row.samples) * rate(row, name) / 1e9;
  out.push(
    "# nnc benchmark results",
    "",
    r.partial
      ? `Printed by ${r.partial} (bench/run.ts) from one run of ${r.rows.map((x) => x.workload.name).join(", ")}; every number below comes from that run (bench/RESULTS.md comes from a full \`npm run bench\`).`
      : "Written by `npm run bench` (bench/run.ts) from one run; every number below comes from that run.",
    `Node ${r.node}, ${r.cpu}, one thread. Load average ${f(r.load[0])} at the start, ${f(r.load[1])} at the end`,
    "(other processes on the machine slow every peer alike; ratios are more stable than absolute rates).",
    "",
    "## The yardstick: plain JavaScript matrix-matrix",
    "",
    `Best single-thread rate of a tuned Float64Array matrix-matrix kernel: **${f(r.peak.gflops)} GFLOP/s** (${r.peak.kernel}), the best of`,
    `${r.peaks.length} measurements through the run (${r.peaks.map((g) => f(g)).join(", ")} GFLOP/s: this machine's speed drifts, so the best one is the yardstick).`,
    "",
    "| kernel | GFLOP/s |",
    "| --- | --- |",
    ...r.peak.all.map((k) => `| ${k.kernel} | ${f(k.gflops)} |`),
    "",
    "(the rates of the measurement that gave the best kernel)",
    "",
    ...wasmYardstickSection(r.wasm),
    "## Training",
    "",
    "Same network, initial weights, data order (no shuffling) and update rule for every peer; each peer first trains once",
    "untimed on a tenth of the workload (JIT and kernel warm-up), then the best of 3 timed runs counts for nnc and the ceiling, of 2 for the",
    "hand-written loops, synaptic and brain.js (1 when they train on fewer rows), and 1 for tfjs (its runs take minutes); a peer whose",
    "runs are short is timed again until a second has been timed in all (up to 20 runs: the tiny models' runs take milliseconds). *nnc fit* is the generated",
    "module's `fit` (which also scores accuracy on each batch, from the outputs its training step already computed), *nnc step* its",
    "`createTrainer().step` alone, *plain JS* hand-written per-sample loops with the optimizer as a pass of its own (bench/peers/plain.ts),",
    "*plain JS fused* the fastest loops we could write (bench/peers/plain-fused.ts: at batch 1 the update inside the backward sweep),",
    "*ceiling* the per-sample ceiling of MNIST SGD batch 1 (bench/peers/ceiling.ts: one matrix-vector product forward and one fused",
    "gradient-and-update pass per layer, sizes baked in), *synaptic* 1.1.4 (its compiled network, `activate` + `propagate`), *brain.js* 1.6.1",
    "(`trainPattern`), *tfjs* `@tensorflow/tfjs-layers` `model.fit` on the cpu backend (float32). synaptic and brain.js run their closest",
    "equivalent of each workload, listed under its table. GFLOP/s counts the model's forward + backward flops per sample (nnc's count) for all.",
    "On the MNIST workloads (issue 16, bench/wasm-runs.ts): *nnc wasm f64 step* and *nnc wasm f32 step* are nnc step compiled with",
    "`--kernels wasm` (f64, and `--precision f32`), timed as nnc step; *TensorFlow.js wasm (SIMD, f32)* the tfjs run on",
    "`@tensorflow/tfjs-backend-wasm` (XNNPACK, SIMD, one thread), timed as tfjs. Their *of GEMM peak* is against the JavaScript yardstick; under each table, nnc's wasm rows against the WebAssembly SIMD one.",
    "The MNIST workloads run bench/mnist-plain.nn (Adam) and bench/mnist-plain-sgd.nn (SGD): the MNIST example without its dropout layer, whose random masks no two",
    "peers could draw alike (the example's held-out accuracy, nnc against tfjs, is in bench/MNIST-ACCURACY.md).",
    "",
  );
  for (const row of r.rows) {
    const w = row.workload;
    out.push(`### ${w.title}`, "", `${int(row.samples)} samples; loss and accuracy afterwards on the ${row.evalWhat}.`, "");
    out.push("| peer | seconds | samples/s | GFLOP/s | of GEMM peak | loss | accuracy |", "| --- | --- | --- | --- | --- | --- | --- |");
    for (const name of Object.keys(row.results)) {
      const o = row.results[name]!;
      const loss = Number.isNaN(o.loss) ? "—" : f(o.loss, 4);
      out.push(`| ${name} | ${f(o.seconds, 3)} | ${int(rate(row, name))} | ${f(gflops(row, name), 3)} | ${f((100 * gflops(row, name)) / r.peak.gflops, 1)}% | ${loss} | ${f(o.accuracy, 4)} |`);
    }
    if (row.pairedFraction) {
      out.push("", `nnc step against the matrix-matrix peak measured just before its fastest run (${f(row.pairedFraction.peak)} GFLOP/s): **${f(100 * row.pairedFraction.fraction, 0)}%**.`);
    }
    out.push(...peerNotes(row));
    out.push(...wasmNotes(row, r.wasm));
    const noTfjs = w.peers?.tfjs === false ? "no tfjs run (its batch-1 MNIST rate is in the Adam batch-1 table); " : "no tfjs run (--no-tfjs); ";
    const vsTfjs = row.results["tfjs"] ? `nnc / tfjs: **${f(rate(row, "nnc fit") / rate(row, "tfjs"), 1)}×** (fit), **${f(rate(row, "nnc step") / rate(row, "tfjs"), 1)}×** (step); ` : noTfjs;
    out.push("", `${vsTfjs}nnc step / plain JS: ${f(rate(row, "nnc step") / rate(row, "plain JS"), 1)}×.`, "");
  }
  if (r.full) out.push(...fullRunSections(r, r.full));
  out.push(...issue15Targets(r.rows), ...issue16Section(r.rows, r.wasm, r.full?.cnn.wasm.paired.f32), "");
  return out.join("\n");
}

/** Prediction latency, compile times, issue 4's targets and where MNIST's time goes: a full run only. */
function fullRunSections(r: Report, full: FullRunParts): string[] {
  const out: string[] = [...renderCnn(full.cnn, r.peak.gflops)];
  const rate = rateOf;
  const gflops = (row: Row, name: string) => (row.flops / row.samples) * rate(row, name) / 1e9;
  out.push("## Prediction latency (one sample)", "", "| model | nnc µs | plain JS µs | tfjs µs | tfjs / nnc |", "| --- | --- | --- | --- | --- |");
  for (const l of full.latencies) out.push(`| ${l.example} | ${f(l.nnc * 1e6, 3)} | ${f(l.plain * 1e6, 3)} | ${f(l.tfjs * 1e6, 1)} | ${f(l.tfjs / l.nnc, 0)}× |`);
  out.push("", "## Compiling", "", "`node bin/nnc.js dsl-examples/NAME.nn -o NAME.ts` wall time and CPU time (user + system; median of 3, from the dist/ build), and the committed generated module's size.", "");
  out.push("| example | wall s | CPU s | generated KB |", "| --- | --- | --- | --- |");
  for (const c of full.compiles) out.push(`| ${c.example} | ${f(c.seconds, 2)} | ${f(c.cpu, 2)} | ${f(c.bytes / 1024, 1)} |`);

  // Targets.
  const row = (name: string) => r.rows.find((x) => x.workload.name === name)!;
  const vsTfjs = (name: string) => rate(row(name), "nnc fit") / rate(row(name), "tfjs");
  const stepVsTfjs = (name: string) => rate(row(name), "nnc step") / rate(row(name), "tfjs");
  const compile = (name: string) => full.compiles.find((c) => c.example === name)!;
  const targets: [string, number, number, string][] = [
    ["MNIST batch 32: nnc fit / tfjs", vsTfjs("mnist32"), 4, "×"],
    ["MNIST batch 32: nnc step / tfjs", stepVsTfjs("mnist32"), 4, "×"],
    ["MNIST batch 32: nnc step, fraction of the GEMM peak measured just before", row("mnist32").pairedFraction!.fraction, 0.6, ""],
    ["MNIST batch 32: nnc step, fraction of the best GEMM peak of the run", gflops(row("mnist32"), "nnc step") / r.peak.gflops, 0.6, ""],
    ["MNIST batch 1: nnc fit / tfjs", vsTfjs("mnist1"), 20, "×"],
    ["parity: nnc fit / tfjs", vsTfjs("parity"), 1000, "×"],
    ["xor: nnc fit / tfjs", vsTfjs("xor"), 1000, "×"],
    ...cnnTargets(full.cnn, r.peak.gflops),
  ];
  out.push("", "## Targets (issue #4)", "", "| target | measured | goal | met |", "| --- | --- | --- | --- |");
  for (const [what, value, goal, unit] of targets) {
    // One decimal: a fraction just under the goal must not print as the goal itself.
    const shown = unit === "" ? `${f(100 * value, 1)}%` : `${f(value, 1)}×`;
    const goalShown = unit === "" ? `≥ ${f(100 * goal, 0)}%` : `≥ ${goal}×`;
    out.push(`| ${what} | ${shown} | ${goalShown} | ${value >= goal ? "yes" : `no (${f(value / goal, 2)} of the goal)`} |`);
  }
  out.push(`| parity compiles in under 1 s | ${f(compile("parity").seconds, 2)} s | < 1 s | ${compile("parity").seconds < 1 ? "yes" : "no"} |`);
  out.push(`| MNIST compiles in under 3 s | ${f(compile("mnist").seconds, 2)} s | < 3 s | ${compile("mnist").seconds < 3 ? "yes" : "no"} |`);
  out.push(`| generated MNIST under 200 KB | ${f(compile("mnist").bytes / 1024, 1)} KB | < 200 KB | ${compile("mnist").bytes < 200 * 1024 ? "yes" : "no"} |`);
  const ex = full.mnistExample;
  const exMet = ex.accuracy >= 0.95 ? "yes" : `no (${f(100 * (0.95 - ex.accuracy), 2)} points short)`;
  out.push(`| MNIST example, ${ex.epochs} epochs of batch ${ex.batch} from seed 1: held-out accuracy | ${f(100 * ex.accuracy, 2)}% | ≥ 95% | ${exMet} |`);
  out.push(
    "",
    `The MNIST example (dsl-examples/mnist.nn, with dropout) trained as \`npm run demo:mnist\` does took ${f(ex.seconds, 1)} s here. Its settings were`,
    "chosen by cross-validation on the training digits (docs/mnist-selection.md). TensorFlow.js trained the same way from",
    "the same weights does no better (bench/MNIST-ACCURACY.md, three seeds): with 8,000 training digits and 10 epochs this",
    "network lands at about 95%, and the seed decides which side of it.",
  );
  const perUpdate = (name: string, peer: string) => {
    const x = row(name);
    const o = x.results[peer];
    return o ? o.seconds / (samplesOf(x, o) / x.workload.batch || 1) : NaN;
  };
  out.push("", "### Time per update (where the small models' ratios come from)", "", "| workload | tfjs | nnc fit | nnc step | plain JS |", "| --- | --- | --- | --- | --- |");
  for (const x of r.rows) {
    const us = (peer: string) => (x.results[peer] ? `${f(perUpdate(x.workload.name, peer) * 1e6, 2)} µs` : "—");
    out.push(`| ${x.workload.name} | ${us("tfjs")} | ${us("nnc fit")} | ${us("nnc step")} | ${us("plain JS")} |`);
  }
  out.push(
    "",
    "tfjs pays a fixed cost per update (tensor allocation, kernel dispatch, the async fit loop) that dwarfs the arithmetic of",
    "the small models; nnc's step is straight-line code. nnc's `fit` adds its own per-batch and per-epoch work (gathering",
    "the batch, scoring accuracy, the epoch's bookkeeping), which is what separates *nnc fit*",
    "from *nnc step* on parity (one batch per epoch) and xor (four batches of one row per epoch).",
  );
  const b = full.breakdown;
  out.push(
    "",
    "### Where MNIST's time goes (measured in this run)",
    "",
    `- One Adam step over the 101,770 parameters: ${f(b.adam * 1e3, 3)} ms (three loads, three stores, a square root and a division per parameter).`,
    `- Trainer step without the optimizer (zero the gradient, the batched kernels, mean and norm): ${f(b.grad32 * 1e3, 3)} ms for 32 rows, ${f(b.grad1 * 1e3, 3)} ms for one row.`,
    `- So at batch 1 the optimizer is ${f((100 * b.adam) / (b.adam + b.grad1), 0)}% of a step: nnc cannot go below ${f((b.adam + b.grad1) * 1e3, 3)} ms per sample, whatever the kernels do.`,
    `- The kernels themselves: ${f((r.rows.find((x) => x.workload.name === "mnist32")!.flops / r.rows.find((x) => x.workload.name === "mnist32")!.samples) * 32 / b.grad32 / 1e9, 2)} GFLOP/s over a batch of 32 (step without optimizer).`,
    "",
  );
  const paired = row("mnist32").pairedFraction!.fraction;
  if (paired < 0.6) {
    out.push(
      `Why the batch-32 step misses 60% of the peak in this run (${f(100 * paired, 1)}%): Adam alone, a memory-bound pass over the parameters`,
      `and its two moment vectors, is ${f((100 * b.adam) / (b.adam + b.grad32), 0)}% of the step, and this machine's speed drifted within the run (the yardstick`,
      `measured ${f(Math.min(...r.peaks))}–${f(Math.max(...r.peaks))} GFLOP/s), so the fraction moves from run to run (README, *Speed*).`,
      "",
    );
  }
  return out;
}
