// Child process of optimization.test.ts, run as `node --allow-natives-syntax THIS MODULE.mjs`:
// warms up a generated module's hot functions the way training and inference call them and
// prints each one's V8 optimization status as JSON. MODULE.mjs is a transpiled generated
// module with one extra export, `__probe`, naming its kernel functions (and createRng).

import { pathToFileURL } from "node:url";

const TURBOFAN = 1 << 6; // V8's OptimizationStatus::kTurboFanned
const m = await import(pathToFileURL(process.argv[2]).href);
const { __probe: probe, model } = m;
// Sizes of any rank (an image input is [height, width, channels]).
const sizeOf = (shape) => shape.reduce((a, b) => a * b, 1);
const inSize = sizeOf(model.input.shape);
const tSize = sizeOf(model.target.shape);
const oSize = sizeOf(model.output.shape);
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

// What each kernel parameter is bound to, by name (a kernel's helpers take only the
// parameters they use, so each function is called with its own list, read from its source).
// A fused trainStep runs on an optimizer's state, reporting [norm, applied] into `rep`.
const stepOptimizer = m.createOptimizer();
const values = { p: params, x: X, xo: 0, y: Y, yo: 0, outputs: out, oo: 0, X, Y, n: rows, rng, state: stepOptimizer.state.arrays, sc: stepOptimizer.state.scalars, rep: [0, 0] };
const parameterNames = (fn) => /^function\s*\w*\s*\(([^)]*)\)/.exec(fn.toString())[1].split(",").map((s) => s.trim().replace(/^_/, "")).filter(Boolean);
const direct = (name, fn) => {
  const names = parameterNames(fn);
  if (names.some((n) => n !== "g" && !(n in values))) return undefined;
  // Gradients accumulate: start from zero on every call, as training does.
  return () => fn(...names.map((n) => (n === "g" ? g.fill(0) : values[n])));
};
const kernels = Object.entries(probe).filter(([name]) => name !== "createRng");
const trainStep = kernels.find(([name]) => name === "trainStep");
const targets = kernels.map(([name, fn]) => {
  // A helper of a batched trainStep also takes the step's locals (the mean's scale, the
  // optimizer's rate and state arrays): it is warmed through trainStep, its caller.
  const call = direct(name, fn) ?? (name.startsWith("trainStep_") && trainStep ? direct("trainStep", trainStep[1]) : undefined);
  if (!call) throw new Error(`no value for a parameter of ${name}: ${parameterNames(fn).join(", ")}`);
  return { name, fn, call };
});
targets.push({ name: "trainer.step", fn: trainer.step, call: () => trainer.step(X, Y, rows) });
targets.push({ name: "optimizer.step", fn: optimizer.step, call: () => optimizer.step(params, g.fill(1e-6)) });

// The harness itself stays unoptimized, so nothing it calls is only ever inlined into it: that
// includes each target's call wrapper. An optimizable wrapper once inlined a small target
// (xor's optimizer.step) and ran it 11 million times that way while the target's own code stayed
// Sparkplug, which the status check then reported as "not optimized".
for (const t of targets) %NeverOptimizeFunction(t.call);
// TurboFan compiles on a background thread (as in production), so warm-up is bounded by time:
// at least 3,000 calls, then on until optimized or 8 s have passed.
function warm(t) {
  const until = Date.now() + 8_000;
  for (let i = 1; ; i++) {
    t.call();
    if (i % 10 === 0 && (%GetOptimizationStatus(t.fn) & TURBOFAN) !== 0) return i;
    if (i >= 3000 && Date.now() > until) return i;
  }
}
%NeverOptimizeFunction(warm);
// Then it must stay optimized: still TurboFan after each of 20 more calls (a function that
// deoptimizes on every call, e.g. at the exit of an on-stack-replaced loop, fails here).
function stays(t) {
  for (let i = 0; i < 20; i++) {
    t.call();
    if ((%GetOptimizationStatus(t.fn) & TURBOFAN) === 0) return false;
  }
  return true;
}
%NeverOptimizeFunction(stays);
const report = {};
for (const t of targets) {
  const calls = warm(t);
  const optimized = (%GetOptimizationStatus(t.fn) & TURBOFAN) !== 0;
  const stable = optimized && stays(t);
  report[t.name] = { turbofan: optimized && stable, status: %GetOptimizationStatus(t.fn), calls, stable };
}
console.log(JSON.stringify(report));
