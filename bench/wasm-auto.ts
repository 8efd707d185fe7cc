// What `--kernels auto`'s threshold (compiler/lower/wasm/choose.ts AUTO_MIN_FLOPS) goes by: for
// the batched examples and a 4-8-3 network (112 flops per prediction), f64, the JavaScript kernels
// against `--kernels wasm` through createTrainer().step at 1 and 32 rows and predict, all modules
// interleaved in rounds of CPU time (best of the rounds). A check of the choice, not part of
// `npm run bench`.
//
//   node --import tsx bench/wasm-auto.ts [rounds]

import { readFileSync } from "node:fs";
import { compile } from "../compiler/compile.js";
import { loadGeneratedModule } from "../compiler/emit/load-module.js";

const rounds = Number(process.argv[2] ?? 6);
const TINY = "model tiny\ninput x[4]\ntarget y[3]\nh = dense(x, 8, relu)\nout = dense(h, 3, softmax)\nloss categorical_crossentropy(out, y)\noptimizer adam(lr = 0.01)\n";
const example = (name: string) => readFileSync(new URL(`../dsl-examples/${name}.nn`, import.meta.url), "utf8");
const MODELS: [string, string][] = [
  ["4-8-3 (tiny)", TINY],
  ["iris_regularized", example("iris_regularized")],
  ["deep_relu", example("deep_relu")],
  ["deep_sigmoid", example("deep_sigmoid")],
  ["mnist", example("mnist")],
];
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

interface Timed {
  run: () => void;
  /** Samples per call. */
  samples: number;
  best: number;
}
interface Row {
  name: string;
  flops: number;
  /** [js, wasm] for: step of 1 row, step of 32 rows, predict. */
  cases: [Timed, Timed][];
}

const rows: Row[] = [];
for (const [name, source] of MODELS) {
  const timed: Timed[][] = [];
  let flops = 0;
  for (const kernels of ["js", "wasm"] as const) {
    // Batched kernels in both, as `auto` sees the model (it picks only for batched ones).
    const compiled = await compile(source, `${name}.nn`, { kernels, batch: "always" });
    flops = compiled.program.flops.predict;
    const mod = await loadGeneratedModule(compiled.code);
    const [inputs, outputs] = [mod.model.input.shape.reduce((a, b) => a * b, 1), mod.model.target.shape.reduce((a, b) => a * b, 1)];
    const data = (n: number) => ({
      X: new Float64Array(n * inputs).map((_, i) => ((i * 7919) % 256) / 255),
      Y: new Float64Array(n * outputs).map((_, i) => (i % outputs === Math.floor(i / outputs) % outputs ? 1 : 0)),
    });
    const step = (n: number): Timed => {
      const trainer = mod.createTrainer(mod.init(1), { seed: 1 });
      const { X, Y } = data(n);
      return { run: () => trainer.step(X, Y, n), samples: n, best: Infinity };
    };
    const p = mod.init(1);
    const x = data(1).X;
    timed.push([step(1), step(32), { run: () => mod.predict(p, x), samples: 1, best: Infinity }]);
  }
  rows.push({ name, flops, cases: timed[0]!.map((js, k) => [js, timed[1]![k]!] as [Timed, Timed]) });
}

const all = rows.flatMap((r) => r.cases.flat());
const reps = (t: Timed) => Math.max(20, Math.round(2000 / t.samples));
for (const t of all) for (let i = 0; i < reps(t); i++) t.run();
for (let round = 0; round < rounds; round++) {
  for (const t of all) {
    const t0 = cpuMs();
    for (let i = 0; i < reps(t); i++) t.run();
    t.best = Math.min(t.best, (cpuMs() - t0) / reps(t));
  }
}
console.log(`wasm / js, f64, best of ${rounds} rounds of CPU time (step: createTrainer().step; predict: one sample)`);
console.log("model              flops   step 1 row   step 32 rows   predict");
for (const r of rows) {
  const ratios = r.cases.map(([js, wasm]) => `${(js.best / wasm.best).toFixed(2)}×`);
  console.log(`${r.name.padEnd(18)} ${String(r.flops).padStart(6)}   ${ratios[0]!.padStart(10)}   ${ratios[1]!.padStart(12)}   ${ratios[2]!.padStart(7)}`);
}
