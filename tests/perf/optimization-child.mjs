// Child process of optimization.test.ts, run as `node --allow-natives-syntax THIS MODULE.mjs`:
// warms up a generated module's hot functions the way training and inference call them and
// prints each one's V8 optimization status as JSON. MODULE.mjs is a transpiled generated
// module with one extra export, `__probe`, naming its kernel functions (and createRng).

import { pathToFileURL } from "node:url";

const TURBOFAN = 1 << 6; // V8's OptimizationStatus::kTurboFanned
const m = await import(pathToFileURL(process.argv[2]).href);
const { __probe: probe, model } = m;
const inSize = model.input.shape[0];
const tSize = model.target.shape[0];
const oSize = model.output.shape[0];
const rows = 8;
const X = new Float64Array(rows * inSize).map((_, i) => ((i * 7919) % 101) / 101);
const Y = new Float64Array(rows * tSize);
for (let r = 0; r < rows; r++) Y[r * tSize + (r % tSize)] = 1;
const params = m.init(1);
const g = new Float64Array(params.length);
const out = new Float64Array(rows * oSize);
const rng = probe.createRng(3);
const trainer = m.createTrainer(params);
const optimizer = m.createOptimizer();

// How each function is called in training and inference.
const calls = {
  predictSample: (f) => f(params, X, 0, out, 0),
  lossSample: (f) => f(params, X, 0, Y, 0),
  gradSample: (f) => f(params, X, 0, Y, 0, g.fill(0), rng),
  predictRows: (f) => f(params, X, rows, out),
  lossRows: (f) => f(params, X, Y, rows),
  gradRows: (f) => f(params, X, Y, rows, g.fill(0), rng),
};
const targets = Object.entries(probe)
  .filter(([name]) => name !== "createRng")
  .map(([name, fn]) => {
    const kind = name.replace(/_\d+$/, "");
    if (!calls[kind]) throw new Error(`no calling convention for ${name}`);
    return { name, fn, call: () => calls[kind](fn) };
  });
targets.push({ name: "trainer.step", fn: trainer.step, call: () => trainer.step(X, Y, rows) });
targets.push({ name: "optimizer.step", fn: optimizer.step, call: () => optimizer.step(params, g.fill(1e-6)) });

// The harness itself stays unoptimized, so nothing it calls is only ever inlined into it.
function warm(t) {
  for (let i = 0; i < 3000; i++) {
    t.call();
    if (i % 10 === 9 && (%GetOptimizationStatus(t.fn) & TURBOFAN) !== 0) return i + 1;
  }
  return 3000;
}
%NeverOptimizeFunction(warm);
const report = {};
for (const t of targets) {
  const calls = warm(t);
  const status = %GetOptimizationStatus(t.fn);
  report[t.name] = { turbofan: (status & TURBOFAN) !== 0, status, calls };
}
console.log(JSON.stringify(report));
