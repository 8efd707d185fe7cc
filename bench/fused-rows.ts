// Where the batched fused training step stops paying (compiler/lower/train-step-batched.ts,
// GRAM_BUDGET): bench/mnist-plain.nn (784-128-10, Adam) compiled as shipped, and again with its
// fused step taking no rows (so every step runs gradRows and then the generated tail,
// applyGradient), samples/s of the trainer's step at several minibatch sizes, best of five
// rounds of CPU time, the two interleaved so that machine load hits them alike. The module
// states the rows its fused step takes (trainStepRows), which the table shows beside.
//
//   node --import tsx bench/fused-rows.ts [js|wasm] [f64|f32] [1,4,8,16,32]

import { readFileSync } from "node:fs";
import { compile } from "../compiler/compile.js";
import { loadGeneratedModule } from "../compiler/emit/load-module.js";
import type * as Mnist from "../generated/mnist.js";

const kernels = (process.argv[2] ?? "js") as "js" | "wasm";
const precision = (process.argv[3] ?? "f64") as "f64" | "f32";
const rowsList = (process.argv[4] ?? "1,2,4,6,8,12,16,24,32").split(",").map(Number);
const source = readFileSync(new URL("mnist-plain.nn", import.meta.url), "utf8");
const { code } = await compile(source, "mnist-plain.nn", { precision, kernels });
const shipped = /^ {2}trainStepRows: (\d+),$/m.exec(code);
if (!shipped) throw new Error("the compiled module has no trainStepRows line");
const tailOnly = code.replace(shipped[0], "  trainStepRows: 0,");
const modules = [await loadGeneratedModule(code), await loadGeneratedModule(tailOnly)] as unknown as (typeof Mnist)[];
const Vec = precision === "f64" ? Float64Array : Float32Array;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

console.log(`MNIST Adam, ${kernels} kernels, ${precision}; the module's fused step takes up to ${shipped[1]} rows`);
console.log(`| rows | fused step (samples/s) | gradRows + applyGradient (samples/s) | fused / tail |\n| ---: | ---: | ---: | ---: |`);
for (const n of rowsList) {
  const X = new Vec(n * 784).map((_, i) => ((i * 7919) % 256) / 255);
  const Y = new Vec(n * 10).map((_, i) => (i % 10 === (Math.floor(i / 10) * 7) % 10 ? 1 : 0));
  const trainers = modules.map((m) => m.createTrainer(m.init(1) as never, { seed: 1 }));
  const best = [Infinity, Infinity];
  const reps = Math.max(8, Math.round((kernels === "wasm" ? 1200 : 300) / n));
  for (const t of trainers) for (let i = 0; i < reps; i++) t.step(X as never, Y as never, n);
  for (let round = 0; round < 5; round++) {
    trainers.forEach((t, k) => {
      const start = cpuMs();
      for (let i = 0; i < reps; i++) t.step(X as never, Y as never, n);
      best[k] = Math.min(best[k]!, (cpuMs() - start) / reps);
    });
  }
  const [fused, tail] = best.map((ms) => (n * 1000) / ms) as [number, number];
  console.log(`| ${n} | ${fused.toFixed(0)} | ${tail.toFixed(0)} | ${(fused / tail).toFixed(2)} |`);
}
