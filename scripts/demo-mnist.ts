// `npm run demo:mnist`: compiles dsl-examples/mnist.nn (784 → 128 relu → dropout 0.2 → 10
// softmax, Adam) and trains it on the first 8,000 digits of npm `mnist` for 10 epochs of batch 8
// (chosen by cross-validation on those digits: docs/mnist-selection.md) from a fixed seed, then
// scores the 2,000 held-out digits. The bar is 95%; this gives 94.75%. Over seeds 1–3 nnc
// averages 94.98% and TensorFlow.js, trained the same way, 94.90% (bench/MNIST-ACCURACY.md).

import { writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import type { GeneratedModule } from "../compiler/emit/load-module.js";
import { EXAMPLES, ROOT, compileExample } from "./examples.js";
import { MNIST_BATCH, MNIST_EPOCHS, mnistSplit } from "./mnist-data.js";

const example = EXAMPLES.find((e) => e.name === "mnist")!;
let started = performance.now();
const code = await compileExample(example);
writeFileSync(`${ROOT}${example.generated}`, code);
console.log(`nnc ${example.source} -o ${example.generated}   (${(code.length / 1024).toFixed(1)} KB, ${(performance.now() - started).toFixed(0)} ms)`);
const m = (await import(pathToFileURL(`${ROOT}${example.generated}`).href)) as GeneratedModule;

const { train, test } = mnistSplit();
console.log(`mnist (${m.model.paramCount} parameters): ${train.rows} training digits, ${test.rows} held out`);
const params = m.init(1);
const epochs = MNIST_EPOCHS;
started = performance.now();
m.fit(params, train.x, train.y, {
  epochs,
  batchSize: MNIST_BATCH,
  seed: 1,
  onEpochEnd: (epoch: number, logs: { loss: number; accuracy?: number }) => {
    const t = m.evaluate(params, test.x, test.y);
    const seconds = (performance.now() - started) / 1000;
    console.log(`  epoch ${epoch + 1}/${epochs}: loss ${logs.loss.toFixed(4)} - accuracy ${(logs.accuracy ?? NaN).toFixed(4)} - test accuracy ${t.accuracy.toFixed(4)}  (${seconds.toFixed(1)} s)`);
  },
});
const seconds = (performance.now() - started) / 1000;
const { loss, accuracy } = m.evaluate(params, test.x, test.y);
console.log(`  ${epochs} epochs in ${seconds.toFixed(1)} s (${((epochs * train.rows) / seconds).toFixed(0)} samples/s)`);
console.log(`  held-out digits: loss ${loss.toFixed(4)} - accuracy ${accuracy.toFixed(4)} ${accuracy >= 0.95 ? "(≥ 95%)" : "(below the 95% bar)"}`);
