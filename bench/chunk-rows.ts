// How many rows a batched kernel call should take (compiler/lower/lower.ts: BUFFER_BYTES,
// F32_BUFFER_BYTES): bench/mnist-cnn-plain.nn compiled with its buffers holding 8, 16 and 32
// rows, the trainer's step at batch 32 (so 4, 2 or 1 calls of gradRows), samples/s, best of five
// rounds of CPU time, the three interleaved so that machine load hits them alike.
//
//   node --import tsx bench/chunk-rows.ts [wasm|js] [f32|f64]

import { readFileSync } from "node:fs";
import { compile } from "../compiler/compile.js";
import { loadGeneratedModule } from "../compiler/emit/load-module.js";
import type * as Cnn from "../generated/mnist_cnn.js";

const kernels = (process.argv[2] ?? "wasm") as "js" | "wasm";
const precision = (process.argv[3] ?? "f32") as "f64" | "f32";
const batch = 32;
const source = readFileSync(new URL("mnist-cnn-plain.nn", import.meta.url), "utf8");
const Vec: typeof Float64Array | typeof Float32Array = precision === "f64" ? Float64Array : Float32Array;
let seed = 1;
const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
const X = new Vec(batch * 784).map(() => random());
const Y = new Vec(batch * 10).map((_, i) => (i % 10 === Math.floor(i / 10) % 10 ? 1 : 0));
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const candidates = [];
for (const rows of [8, 16, 32]) {
  const { code } = await compile(source, "mnist-cnn-plain.nn", { kernels, precision, maxBatch: rows });
  const mod = (await loadGeneratedModule(code)) as unknown as typeof Cnn;
  const trainer = mod.createTrainer(mod.init(1) as never, { seed: 1 });
  candidates.push({ rows, step: () => trainer.step(X as never, Y as never, batch), best: Infinity });
}
const reps = kernels === "wasm" ? 12 : 2;
for (const c of candidates) for (let i = 0; i < reps; i++) c.step();
for (let round = 0; round < 5; round++) {
  for (const c of candidates) {
    const start = cpuMs();
    for (let i = 0; i < reps; i++) c.step();
    c.best = Math.min(c.best, (cpuMs() - start) / reps);
  }
}
console.log(`MNIST CNN (bench/mnist-cnn-plain.nn), ${kernels} kernels, ${precision}, batch ${batch}: samples/s by rows per call`);
for (const c of candidates) console.log(`| ${c.rows} | ${Math.round((batch * 1000) / c.best)} |`);
