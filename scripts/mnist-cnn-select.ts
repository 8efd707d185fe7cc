// `npm run select:mnist-cnn`: chooses the MNIST CNN example's layers, dropout and epoch count on the
// 8,000 training digits only: one validation split (fold 1 of scripts/mnist-cross-validate.ts's
// four: training rows 0–1,999 scored after every epoch of training on the other 6,000). The 2,000
// held-out digits are never read here; `npm run demo:mnist -- --cnn` scores them once, with the
// model this script chose.
//
// The selection ran in two declared rounds. Round 1 (recorded below, not re-run) fixed the issue's
// small network — conv 3×3×16 "same" relu (28×28) → max pool 2 (14×14) → conv 3×3×32 relu (12×12)
// → max pool 2 (6×6) → flatten → dropout → dense 10 softmax, Adam 0.001, batch 32 — and varied the
// dropout rate over 12 epochs; its winner scored 97.15% on the held-out digits, under the issue's
// 98%. Round 2 (this script) was declared after that, before any of its candidates was scored:
// the round-1 winner trained longer, wider convolutions (32 and 64 filters, as Keras' MNIST
// convnet example), a hidden dense layer of 128 relu units, and both; each for 20 epochs. The
// first convolution keeps its "same" padding so that both poolings divide their input (nnc refuses
// a pooling that would drop a row). The winner is the (candidate, epochs ≤ 20) of round 2 with the
// best validation accuracy (the earlier of equals). The candidates run with `--kernels wasm` (the
// same f64 arithmetic as the JavaScript kernels up to rounding, 2.7× as fast in bench/RESULTS.md) to fit the round in
// about 30 minutes on a shared 2-core machine. Writes docs/mnist-cnn-selection.md.

import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { loadGeneratedModule } from "../compiler/emit/load-module.js";
import { compile } from "../compiler/compile.js";
import { ROOT } from "./examples.js";
import { crossValidate } from "./mnist-cross-validate.js";
import { MNIST_CNN_COMPILE } from "./mnist-data.js";

interface Candidate {
  name: string;
  /** Filters of the two convolutions. */
  filters: [number, number];
  /** Units of a relu dense layer between flatten and the dropout (0: none). */
  hidden: number;
  /** Dropout rate before the softmax layer (0: none). */
  dropout: number;
  /** Adam's learning rate. */
  lr: number;
  /** Rows per update. */
  batch: number;
}

const SMALL = { filters: [16, 32] as [number, number], hidden: 0, lr: 0.001, batch: 32 };

/** Round 1 as it ran (stop 20, 1-minute load average 3.2): validation accuracy after each of 12 epochs. */
const ROUND_1: { c: Candidate; curve: number[]; minutes: number }[] = [
  {
    c: { name: "dropout 0.25 (Adam 0.001, batch 32)", ...SMALL, dropout: 0.25 },
    curve: [89.05, 93.45, 93.85, 95.5, 95.8, 96.45, 96.6, 96.4, 96.85, 96.95, 97.05, 96.75],
    minutes: 7,
  },
  { c: { name: "no dropout", ...SMALL, dropout: 0 }, curve: [89.4, 92.65, 93.65, 95.65, 95.85, 96.3, 95.85, 96.4, 96.25, 97.1, 96.5, 95.65], minutes: 4 },
  { c: { name: "dropout 0.5", ...SMALL, dropout: 0.5 }, curve: [89.2, 93.2, 94.05, 95.35, 95.35, 95.95, 96.6, 96.5, 97.0, 97.2, 97.3, 97.0], minutes: 4 },
];
const ROUND_1_EPOCHS = 12;

/** Round 2, declared before any of it was scored. */
const CANDIDATES: Candidate[] = [
  { name: "round-1 winner (conv 16, 32; dropout 0.5), longer", ...SMALL, dropout: 0.5 },
  { name: "wider: conv 32, 64; dropout 0.5", ...SMALL, filters: [32, 64], dropout: 0.5 },
  { name: "hidden: conv 16, 32; dense 128 relu; dropout 0.5", ...SMALL, hidden: 128, dropout: 0.5 },
  { name: "both: conv 32, 64; dense 128 relu; dropout 0.5", ...SMALL, filters: [32, 64], hidden: 128, dropout: 0.5 },
];
/** The training digits split into 4 folds of 2,000; only the first is scored (a validation split). */
const FOLDS = 4;
const RUN_FOLDS = 1;
const EPOCHS = 20;
const SEED = 1;

/** The model text of a candidate; the chosen one is what dsl-examples/mnist_cnn.nn says. */
function mnistCnnSource(c: Candidate): string {
  const layers = [
    `c1  = conv2d(img, ${c.filters[0]}, 3, padding = "same", activation = relu)`,
    "p1  = max_pool2d(c1, 2)",
    `c2  = conv2d(p1, ${c.filters[1]}, 3, activation = relu)`,
    "p2  = max_pool2d(c2, 2)",
    "f   = flatten(p2)",
  ];
  let last = "f";
  if (c.hidden) {
    layers.push(`h   = dense(f, ${c.hidden}, relu)`);
    last = "h";
  }
  if (c.dropout) {
    layers.push(`d   = dropout(${last}, ${c.dropout})`);
    last = "d";
  }
  layers.push(`out = dense(${last}, 10, softmax)`);
  const tail = ["loss categorical_crossentropy(out, y)", `optimizer adam(lr = ${c.lr})`, "metrics accuracy"];
  return ["model mnist_cnn", "input  img[28, 28, 1]", "target y[10]", "", ...layers, "", ...tail, ""].join("\n");
}

/** A markdown table of validation curves (percent), the best cell in bold. */
function curveTable(rows: { c: Candidate; curve: number[]; minutes: number }[], epochs: number, bold?: { c: Candidate; epochs: number }): string[] {
  const cell = (r: (typeof rows)[number], a: number, e: number) =>
    r.c === bold?.c && e + 1 === bold.epochs ? `**${a.toFixed(2)}**` : a.toFixed(2);
  return [
    `| candidate | ${Array.from({ length: epochs }, (_, e) => e + 1).join(" | ")} | minutes |`,
    `| --- |${" --- |".repeat(epochs)} --- |`,
    ...rows.map((r) => `| ${r.c.name} | ${r.curve.map((a, e) => cell(r, a, e)).join(" | ")} | ${r.minutes.toFixed(0)} |`),
  ];
}

async function main(): Promise<void> {
  const load = loadavg()[0]!.toFixed(1);
  const rows: { c: Candidate; curve: number[]; minutes: number }[] = [];
  for (const c of CANDIDATES) {
    console.log(`${c.name}:`);
    const started = performance.now();
    const compiled = await compile(mnistCnnSource(c), "mnist_cnn.nn", MNIST_CNN_COMPILE);
    const mod = await loadGeneratedModule(compiled.code);
    const cv = { folds: FOLDS, runFolds: RUN_FOLDS, epochs: EPOCHS, batch: c.batch, seed: SEED };
    const curve = crossValidate(mod, cv, (line) => console.log(line)).map((a) => a * 100);
    const minutes = (performance.now() - started) / 60_000;
    console.log(`  ${curve.map((a) => a.toFixed(2)).join(" ")}  (${minutes.toFixed(1)} min)`);
    rows.push({ c, curve, minutes });
  }
  let best = { c: rows[0]!.c, epochs: 1, accuracy: -1 };
  for (const row of rows) row.curve.forEach((a, e) => a > best.accuracy && (best = { c: row.c, epochs: e + 1, accuracy: a }));
  console.log(`chosen: ${best.c.name}, ${best.epochs} epochs (validation accuracy ${best.accuracy.toFixed(2)}%)`);

  const md = [
    "# How the MNIST CNN example's layers, dropout and epochs were chosen",
    "",
    "Written by `npm run select:mnist-cnn` (scripts/mnist-cnn-select.ts); do not edit by hand.",
    "",
    `One validation split of the 8,000 training digits only: every candidate trains on training rows 2,000–7,999 (seed ${SEED},`,
    `Adam, batch 32) and is scored after every epoch on rows 0–1,999 (200 of each digit; fold 1 of the ${FOLDS} folds`,
    "scripts/mnist-cross-validate.ts defines; the other folds were not run, to keep each round under about 30 minutes on a",
    "shared 2-core machine). The 2,000 held-out digits are not read: `npm run demo:mnist -- --cnn` scores them once, with the",
    "chosen model trained on all 8,000 training digits.",
    "",
    "The selection ran in two rounds, each declared before any of its candidates was scored.",
    "",
    "## Round 1: the dropout rate of the issue's small network (recorded, not re-run)",
    "",
    'Conv 3×3×16 padding "same" relu → max pool 2 → conv 3×3×32 relu → max pool 2 → flatten (6×6×32) → dropout → dense 10',
    `softmax, Adam 0.001, ${ROUND_1_EPOCHS} epochs, JavaScript kernels; the 1-minute load average was 3.2 when it started.`,
    "Validation accuracy (%) after each epoch:",
    "",
    ...curveTable(ROUND_1, ROUND_1_EPOCHS),
    "",
    "Its winner, dropout 0.5 at 11 epochs (97.30%), scored **97.15%** on the held-out digits: under the issue's 98%. That",
    "one held-out score is the only use of the held-out digits before round 2, which was declared after it.",
    "",
    "## Round 2: longer training, wider convolutions, a hidden layer",
    "",
    `Four candidates, ${EPOCHS} epochs each, with the WebAssembly kernels (\`--kernels wasm\`, f64: the JavaScript kernels'`,
    `arithmetic up to rounding; 2.7× as fast on the chosen network in bench/RESULTS.md). The 1-minute load average was ${load} when it started. Validation accuracy (%):`,
    "",
    ...curveTable(rows, EPOCHS, best),
    "",
    `Chosen: **${best.c.name}, ${best.epochs} epochs** (validation accuracy ${best.accuracy.toFixed(2)}%), trained with`,
    `batch ${best.c.batch}. dsl-examples/mnist_cnn.nn is this candidate's model text:`,
    "",
    "```",
    mnistCnnSource(best.c).trimEnd(),
    "```",
    "",
  ].join("\n");
  writeFileSync(join(ROOT, "docs/mnist-cnn-selection.md"), md);
  console.log("wrote docs/mnist-cnn-selection.md");
}

await main();
