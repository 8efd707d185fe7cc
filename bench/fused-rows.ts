// Where the batched fused training step stops paying (compiler/lower/train-step-batched.ts,
// fusedRows): MNIST 784-128-10 with Adam, the fused step against the generic one (the same
// trainer with the optimizer's state hidden), samples/s for minibatches of several sizes, best
// of three rounds, the two interleaved so that machine load hits them alike. The module is
// dsl-examples/mnist.nn compiled here with its fused step allowed any number of rows.
//
//   node --import tsx bench/fused-rows.ts [1,8,16,32,64]

import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { compile } from "../compiler/compile.js";
import type * as Mnist from "../generated/mnist.js";
import { mnistSplit } from "../scripts/mnist-data.js";

const { code } = await compile(readFileSync(new URL("../dsl-examples/mnist.nn", import.meta.url), "utf8"), "mnist.nn");
const unbounded = code.replace(/^ {2}trainStepRows: \d+,\n/m, "");
if (unbounded === code) throw new Error("the compiled module has no trainStepRows line to remove");
const file = join(tmpdir(), `nnc-fused-rows-${process.pid}.ts`);
writeFileSync(file, unbounded);
const M = (await import(pathToFileURL(file).href)) as typeof Mnist;
const { train } = mnistSplit();

/** A trainer on fresh weights; `fused: false` hides the optimizer's state, so the trainer takes the generic path. */
function trainer(fused: boolean) {
  const params = M.init(1);
  const base = M.createOptimizer();
  const optimizer = fused
    ? base
    : {
        step: (p: Float64Array, g: Float64Array) => base.step(p, g),
        get iterations() {
          return base.iterations;
        },
        get learningRate() {
          return base.learningRate;
        },
        set learningRate(rate: number) {
          base.learningRate = rate;
        },
      };
  return M.createTrainer(params, { optimizer: optimizer as ReturnType<typeof Mnist.createOptimizer>, seed: 3 });
}

const rowsList = (process.argv[2] ?? "1,8,16,24,32,48,64").split(",").map(Number);
console.log(`| rows | fused (samples/s) | generic (samples/s) | fused / generic |\n| ---: | ---: | ---: | ---: |`);
for (const n of rowsList) {
  const best = { fused: 0, generic: 0 };
  for (let round = 0; round < 3; round++) {
    for (const fused of [true, false]) {
      const t = trainer(fused);
      const at = (s: number) => ((s * n) % 7000);
      const steps = Math.ceil(6000 / n);
      for (let s = 0; s < 20; s++) t.step(train.x.subarray(at(s) * 784), train.y.subarray(at(s) * 10), n);
      const start = performance.now();
      for (let s = 0; s < steps; s++) t.step(train.x.subarray(at(s) * 784), train.y.subarray(at(s) * 10), n);
      const rate = (steps * n) / ((performance.now() - start) / 1000);
      if (fused) best.fused = Math.max(best.fused, rate);
      else best.generic = Math.max(best.generic, rate);
    }
  }
  console.log(`| ${n} | ${best.fused.toFixed(0)} | ${best.generic.toFixed(0)} | ${(best.fused / best.generic).toFixed(2)} |`);
}
