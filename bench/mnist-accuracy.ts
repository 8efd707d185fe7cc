// `npm run bench:accuracy`: is an MNIST example's held-out accuracy nnc's, or the data's?
// Trains the example with nnc and the same network with TensorFlow.js (tfjs-layers; the MLP on the
// cpu backend, the CNN on the WebAssembly one, which trains it about 6× faster)
// from the same initial weights, on the same 8,000 digits, with the training settings of
// `npm run demo:mnist` (each shuffling and drawing dropout masks with its own generator), for
// seeds 1–3, and writes bench/MNIST-ACCURACY.md: each one's accuracy on the 2,000 held-out digits.
//
//   npm run bench:accuracy              # both examples
//   npm run bench:accuracy -- --mlp     # dsl-examples/mnist.nn only (~15 minutes on 2 cores)
//   npm run bench:accuracy -- --cnn     # dsl-examples/mnist_cnn.nn only (~15–45 minutes, by its size)
//
// A run of one example rewrites that example's section and keeps the other's as it was.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { compile } from "../compiler/compile.js";
import { type GeneratedModule, loadGeneratedModule } from "../compiler/emit/load-module.js";
import { ROOT } from "../scripts/examples.js";
import { MNIST_BATCH, MNIST_CNN_BATCH, MNIST_CNN_COMPILE, MNIST_CNN_EPOCHS, MNIST_EPOCHS, mnistSplit } from "../scripts/mnist-data.js";
import { checkLayout, cnnExampleNet } from "./cnn-workload.js";
import { type TfjsNet, tfjsNet, useCpu } from "./peers/tfjs.js";
import { tfjsCnn } from "./peers/tfjs-cnn.js";
import { useWasm } from "./peers/tfjs-wasm.js";
import { useWasmConvFilterGrad } from "./peers/tfjs-wasm-conv-filter-grad.js";
import { mnistExampleNet } from "./workloads.js";

const SEEDS = [1, 2, 3];
const CNN_SOURCE = "dsl-examples/mnist_cnn.nn";
const OUT = `${ROOT}bench/MNIST-ACCURACY.md`;
const log = (s: string) => process.stderr.write(`${s}\n`);

interface Part {
  key: "mlp" | "cnn";
  heading: string;
  /** The example's module, compiled as the demo trains it. */
  load(): Promise<GeneratedModule>;
  epochs: number;
  batch: number;
  description: string[];
  /** Switches tfjs to the backend this part trains on. */
  useBackend(): Promise<void>;
  tfjs(mod: GeneratedModule, init: Float64Array): TfjsNet;
}

const PARTS: Part[] = [
  {
    key: "mlp",
    heading: "## The MLP: dsl-examples/mnist.nn",
    load: async () => (await import(pathToFileURL(`${ROOT}generated/mnist.ts`).href)) as GeneratedModule,
    epochs: MNIST_EPOCHS,
    batch: MNIST_BATCH,
    description: ["784 → 128 relu → dropout 0.2 → 10 softmax, categorical cross-entropy, Adam 0.001; tfjs on its cpu backend."],
    useBackend: useCpu,
    tfjs: (_mod, init) => tfjsNet(mnistExampleNet, init),
  },
  {
    key: "cnn",
    heading: "## The CNN: dsl-examples/mnist_cnn.nn",
    load: async () => loadGeneratedModule((await compile(readFileSync(`${ROOT}${CNN_SOURCE}`, "utf8"), CNN_SOURCE, MNIST_CNN_COMPILE)).code),
    epochs: MNIST_CNN_EPOCHS,
    batch: MNIST_CNN_BATCH,
    description: [
      "The layers, dropout and learning rate as the model file says (docs/mnist-cnn-selection.md); categorical cross-entropy,",
      "Adam. Conv kernels are [kh, kw, in, out] in both. nnc is compiled with `--kernels wasm` (f64), as the demo compiles it.",
      "tfjs trains on its WebAssembly backend (XNNPACK, SIMD, one thread),",
      "which has no Conv2DBackpropFilter: bench/peers/tfjs-wasm-conv-filter-grad.ts supplies one in JavaScript, checked",
      "against tfjs-backend-cpu's kernel before use; every other kernel is tfjs' own.",
    ],
    useBackend: async () => {
      await useWasm();
      await useWasmConvFilterGrad();
    },
    tfjs: (mod, init) => {
      const spec = cnnExampleNet(readFileSync(`${ROOT}${CNN_SOURCE}`, "utf8"));
      checkLayout(spec, mod.model.params);
      return tfjsCnn(spec, init);
    },
  },
];

async function runPart(part: Part): Promise<string[]> {
  const mod = await part.load();
  await part.useBackend();
  const { train, test } = mnistSplit();
  const rows: { seed: number; nnc: number; tfjs: number }[] = [];
  for (const seed of SEEDS) {
    const init = mod.init(seed);
    const p = init.slice();
    let t0 = performance.now();
    mod.fit(p, train.x, train.y, { epochs: part.epochs, batchSize: part.batch, seed });
    const nnc = mod.evaluate(p, test.x, test.y).accuracy;
    log(`${part.key} seed ${seed}: nnc ${nnc.toFixed(4)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    t0 = performance.now();
    const net = part.tfjs(mod, init);
    await net.fit(train.x, train.y, train.rows, { epochs: part.epochs, batchSize: part.batch, shuffle: true });
    const tfjs = net.evaluate(test.x, test.y, test.rows).accuracy;
    net.dispose();
    log(`${part.key} seed ${seed}: tfjs ${tfjs.toFixed(4)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    rows.push({ seed, nnc, tfjs });
  }
  const pct = (a: number) => `${(a * 100).toFixed(2)}%`;
  const mean = (f: (r: (typeof rows)[number]) => number) => rows.reduce((s, r) => s + f(r), 0) / rows.length;
  return [
    part.heading,
    "",
    ...part.description,
    `Trained on the first 8,000 digits of npm \`mnist\` for ${part.epochs} epochs of batch ${part.batch}, shuffled each epoch, then scored on the other 2,000.`,
    "",
    "| seed | nnc | TensorFlow.js |",
    "| --- | --- | --- |",
    ...rows.map((r) => `| ${r.seed} | ${pct(r.nnc)} | ${pct(r.tfjs)} |`),
    `| mean | ${pct(mean((r) => r.nnc))} | ${pct(mean((r) => r.tfjs))} |`,
    "",
  ];
}

/** The section of an earlier report that starts with `heading` (up to the next "## "), if any. */
function previousSection(heading: string): string[] | undefined {
  if (!existsSync(OUT)) return undefined;
  const lines = readFileSync(OUT, "utf8").split("\n");
  const start = lines.indexOf(heading);
  if (start < 0) return undefined;
  const end = lines.findIndex((l, i) => i > start && l.startsWith("## "));
  return lines.slice(start, end < 0 ? lines.length : end);
}

const only = process.argv.slice(2);
for (const a of only) if (a !== "--mlp" && a !== "--cnn") throw new Error(`bench:accuracy: unknown argument ${a} (use --mlp, --cnn or neither)`);
const sections: string[] = [];
for (const part of PARTS) {
  if (only.length === 0 || only.includes(`--${part.key}`)) sections.push(...(await runPart(part)));
  else sections.push(...(previousSection(part.heading) ?? [part.heading, "", "(not run yet: `npm run bench:accuracy -- --" + part.key + "`)", ""]));
}
const md = [
  "# MNIST examples: held-out accuracy, nnc and TensorFlow.js",
  "",
  "Written by `npm run bench:accuracy` (bench/mnist-accuracy.ts); do not edit by hand.",
  "",
  "Each example is trained as `npm run demo:mnist` trains it (`-- --cnn` for the CNN). For each seed nnc and tfjs start",
  "from the same initial weights (nnc's `init(seed)`, copied into tfjs-layers); each shuffles and draws its dropout masks",
  "with its own generator, and tfjs computes in float32.",
  "",
  ...sections,
].join("\n");
writeFileSync(OUT, md.replace(/\n+$/, "\n"));
log("wrote bench/MNIST-ACCURACY.md");
