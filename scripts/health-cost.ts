// `npm run cost:health`: what `fit(…, { health: true })` costs. Times fit with health off and on,
// interleaved (off, on, off, on, …) so that the machine's drift hits both alike, and prints the
// median of each and their ratio, for the MNIST example (784-128-10, Adam, batch 32, 8,000
// digits, 1 epoch per run, 7 runs) and parity (5 rows, batch 5, 2,000 epochs per run, 31 runs after
// 10 untimed ones: with fewer, its 2-20 ms runs gave medians that moved by 5x between invocations).
// docs/pathologies.md quotes a run.
//
//   npm run cost:health            # both workloads
//   npm run cost:health -- 3       # 3 timed runs of each

import { readFileSync } from "node:fs";
import { compile } from "../compiler/compile.js";
import { loadGeneratedModule, type GeneratedModule } from "../compiler/emit/load-module.js";
import { mnistTrain } from "./mnist-data.js";
import { ROOT } from "./examples.js";

interface Workload {
  name: string;
  example: string;
  data: () => { x: Float64Array | number[][]; y: Float64Array | number[][] };
  opts: Record<string, unknown>;
  /** Timed runs of each (health off, on): a short workload needs more to give a steady median. */
  runs: number;
  /** Untimed runs of each first, so that both time optimized code. */
  warmups: number;
}

const WORKLOADS: Workload[] = [
  { name: "MNIST 784-128-10, batch 32, 1 epoch of 8,000", example: "mnist", data: () => mnistTrain(), opts: { epochs: 1, batchSize: 32 }, runs: 7, warmups: 1 },
  {
    name: "parity, batch 5, 2,000 epochs of 5 rows",
    example: "parity",
    data: () => ({ x: [[0], [2], [4], [6], [8]], y: [[0], [1], [1], [1], [0]] }),
    opts: { epochs: 2000, batchSize: 5 },
    runs: 31,
    warmups: 10,
  },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function time(mod: GeneratedModule, data: ReturnType<Workload["data"]>, opts: Record<string, unknown>): number {
  const params = mod.init(1);
  const start = performance.now();
  mod.fit(params, data.x, data.y, { ...opts, seed: 1 });
  return performance.now() - start;
}

const runsArg = process.argv[2] === undefined ? undefined : Number(process.argv[2]);
for (const w of WORKLOADS) {
  const runs = runsArg ?? w.runs;
  const source = readFileSync(`${ROOT}dsl-examples/${w.example}.nn`, "utf8");
  const mod = await loadGeneratedModule((await compile(source, `${w.example}.nn`)).code);
  const data = w.data();
  for (let r = 0; r < w.warmups; r++) {
    time(mod, data, w.opts);
    time(mod, data, { ...w.opts, health: true });
  }
  const off: number[] = [];
  const on: number[] = [];
  for (let r = 0; r < runs; r++) {
    off.push(time(mod, data, w.opts));
    on.push(time(mod, data, { ...w.opts, health: true }));
  }
  const [a, b] = [median(off), median(on)];
  console.log(`${w.name}: health off ${a.toFixed(1)} ms, on ${b.toFixed(1)} ms (median of ${runs}): ${((b / a - 1) * 100).toFixed(1)}% more`);
}
