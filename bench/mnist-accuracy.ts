// `npm run bench:accuracy`: is the MNIST example's held-out accuracy nnc's, or the data's?
// Trains the example (generated/mnist.ts) with nnc and the same network with TensorFlow.js
// (tfjs-layers, cpu backend) from the same initial weights, on the same 8,000 digits, with the
// training settings of `npm run demo:mnist` (each shuffling with its own generator), for several
// seeds, and writes bench/MNIST-ACCURACY.md: each one's accuracy on the 2,000 held-out digits.
//
//   npm run bench:accuracy     # ~15 minutes on a 2-core machine (tfjs is most of it)

import { writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import type { GeneratedModule } from "../compiler/emit/load-module.js";
import { ROOT } from "../scripts/examples.js";
import { MNIST_BATCH, MNIST_EPOCHS, mnistSplit } from "../scripts/mnist-data.js";
import { tfjsNet, useCpu } from "./peers/tfjs.js";
import { mnistExampleNet } from "./workloads.js";

const SEEDS = [1, 2, 3];
const log = (s: string) => process.stderr.write(`${s}\n`);

await useCpu();
const mod = (await import(pathToFileURL(`${ROOT}generated/mnist.ts`).href)) as GeneratedModule;
const { train, test } = mnistSplit();
const rows: { seed: number; nnc: number; tfjs: number }[] = [];
for (const seed of SEEDS) {
  const init = mod.init(seed);
  const p = init.slice();
  mod.fit(p, train.x, train.y, { epochs: MNIST_EPOCHS, batchSize: MNIST_BATCH, seed });
  const nnc = mod.evaluate(p, test.x, test.y).accuracy;
  log(`seed ${seed}: nnc ${nnc.toFixed(4)}`);
  const net = tfjsNet(mnistExampleNet, init);
  await net.fit(train.x, train.y, train.rows, { epochs: MNIST_EPOCHS, batchSize: MNIST_BATCH, shuffle: true });
  const tfjs = net.evaluate(test.x, test.y, test.rows).accuracy;
  net.dispose();
  log(`seed ${seed}: tfjs ${tfjs.toFixed(4)}`);
  rows.push({ seed, nnc, tfjs });
}

const pct = (a: number) => `${(a * 100).toFixed(2)}%`;
const mean = (f: (r: (typeof rows)[number]) => number) => rows.reduce((s, r) => s + f(r), 0) / rows.length;
const md = [
  "# MNIST example: held-out accuracy, nnc and TensorFlow.js",
  "",
  "Written by `npm run bench:accuracy` (bench/mnist-accuracy.ts); do not edit by hand.",
  "",
  `dsl-examples/mnist.nn (784 → 128 relu → dropout 0.2 → 10 softmax, categorical cross-entropy, Adam 0.001) trained on the first`,
  `8,000 digits of npm \`mnist\` for ${MNIST_EPOCHS} epochs of batch ${MNIST_BATCH}, shuffled each epoch, then scored on the other 2,000.`,
  "For each seed both start from the same initial weights (nnc's `init(seed)`, copied into tfjs-layers); each",
  "shuffles and draws its dropout masks with its own generator, and tfjs computes in float32.",
  "",
  "| seed | nnc | TensorFlow.js |",
  "| --- | --- | --- |",
  ...rows.map((r) => `| ${r.seed} | ${pct(r.nnc)} | ${pct(r.tfjs)} |`),
  `| mean | ${pct(mean((r) => r.nnc))} | ${pct(mean((r) => r.tfjs))} |`,
  "",
].join("\n");
writeFileSync(`${ROOT}bench/MNIST-ACCURACY.md`, md);
log("wrote bench/MNIST-ACCURACY.md");
