// MNIST training steps (784-128-10 without dropout, bench/mnist-plain.nn with Adam and
// bench/mnist-plain-sgd.nn with SGD) with the JavaScript kernels and with `--kernels wasm`, f64
// and f32: samples per second of createTrainer().step (best of several rounds of CPU time, all
// eight modules interleaved so machine load hits them alike), and the ratio wasm / JS.
// A quick check of the WebAssembly kernels' worth, not part of `npm run bench`.
//
//   node --import tsx bench/wasm-step.ts [batch] [rounds]

import { readFileSync } from "node:fs";
import { compile } from "../compiler/compile.js";
import { loadGeneratedModule } from "../compiler/emit/load-module.js";

const batch = Number(process.argv[2] ?? 32);
const rounds = Number(process.argv[3] ?? 8);
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

interface Candidate {
  name: string;
  step: () => void;
  best: number;
}
const candidates: Candidate[] = [];
for (const [optimizer, file] of [["adam", "mnist-plain.nn"], ["sgd", "mnist-plain-sgd.nn"]] as const) {
  const source = readFileSync(new URL(file, import.meta.url), "utf8");
  for (const precision of ["f64", "f32"] as const) {
    for (const kernels of ["js", "wasm"] as const) {
      const compiled = await compile(source, file, { precision, kernels });
      const mod = await loadGeneratedModule(compiled.code);
      const Vec = precision === "f64" ? Float64Array : Float32Array;
      const trainer = mod.createTrainer(mod.init(1), { seed: 1 });
      const X = new Vec(batch * 784).map((_, i) => ((i * 7919) % 256) / 255);
      const Y = new Vec(batch * 10).map((_, i) => (i % 10 === (Math.floor(i / 10) * 7) % 10 ? 1 : 0));
      candidates.push({ name: `${optimizer} ${precision} ${kernels}`, step: () => trainer.step(X as never, Y as never, batch), best: Infinity });
    }
  }
}
const reps = Math.max(4, Math.round(640 / batch));
for (const c of candidates) for (let i = 0; i < 2 * reps; i++) c.step();
for (let round = 0; round < rounds; round++) {
  for (const c of candidates) {
    const t0 = cpuMs();
    for (let i = 0; i < reps; i++) c.step();
    c.best = Math.min(c.best, (cpuMs() - t0) / reps);
  }
}
const rate = (c: Candidate) => (batch * 1000) / c.best;
console.log(`MNIST 784-128-10, batch ${batch}: samples/s (best of ${rounds} rounds of CPU time)`);
for (let k = 0; k < candidates.length; k += 2) {
  const [js, wasm] = [candidates[k]!, candidates[k + 1]!];
  console.log(`${js.name.replace(/ js$/, "").padEnd(9)} js ${Math.round(rate(js)).toString().padStart(7)}  wasm ${Math.round(rate(wasm)).toString().padStart(7)}  ${(rate(wasm) / rate(js)).toFixed(2)}×`);
}
