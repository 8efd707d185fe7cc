// MNIST training steps (784-128-10, SGD) with the JavaScript kernels and with `--kernels wasm`,
// f64 and f32, batch 32 and batch 1: samples per second of createTrainer().step (best of
// several rounds of CPU time, the four modules interleaved so machine load hits them alike).
// A quick check of the WebAssembly kernels' worth, not part of `npm run bench`.
//
//   node --import tsx bench/wasm-step.ts [batch]

import { readFileSync } from "node:fs";
import { compile } from "../compiler/compile.js";
import { loadGeneratedModule } from "../compiler/emit/load-module.js";

const batch = Number(process.argv[2] ?? 32);
const file = new URL("../dsl-examples/mnist.nn", import.meta.url);
const source = readFileSync(file, "utf8");
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
for (const precision of ["f64", "f32"] as const) {
  for (const kernels of ["js", "wasm"] as const) {
    const t0 = performance.now();
    const compiled = await compile(source, "mnist.nn", { precision, kernels });
    const compileMs = performance.now() - t0;
    const mod = await loadGeneratedModule(compiled.code);
    const Vec = precision === "f64" ? Float64Array : Float32Array;
    const trainer = mod.createTrainer(mod.init(1), { seed: 1 });
    const X = new Vec(batch * 784).map((_, i) => ((i * 7919) % 256) / 255);
    const Y = new Vec(batch * 10).map((_, i) => (i % 10 === (Math.floor(i / 10) * 7) % 10 ? 1 : 0));
    console.log(`${precision} ${kernels}: compiled in ${compileMs.toFixed(0)} ms`);
    candidates.push({ name: `${precision} ${kernels}`, step: () => trainer.step(X as never, Y as never, batch), best: Infinity });
  }
}
const reps = Math.max(4, Math.round(640 / batch));
for (const c of candidates) for (let i = 0; i < reps; i++) c.step();
for (let round = 0; round < 8; round++) {
  for (const c of candidates) {
    const t0 = cpuMs();
    for (let i = 0; i < reps; i++) c.step();
    c.best = Math.min(c.best, (cpuMs() - t0) / reps);
  }
}
console.log(`MNIST 784-128-10, SGD, batch ${batch}: samples/s (best of 8 rounds of CPU time)`);
for (const c of candidates) console.log(`${c.name.padEnd(9)} ${Math.round((batch * 1000) / c.best).toString().padStart(8)}`);
