// Fuzzing the whole pipeline, emission included, on a smaller deterministic sample (emitting
// costs ~0.5 s a model): generated models (some with hundreds of terms or statements) and
// mutated examples must compile or fail with a located NncError, the same way in every lowering
// strategy (batched kernels; per-sample loops; per-sample as `auto` unrolls). Every module that
// compiles must contain no eval / Function constructor / imports and type-check under strict
// (all in one TypeScript program). Each strategy must compute what the reference interpreter
// computes from the simplified graphs, for one sample and for a batch of rows (predictions,
// losses, the batch-mean gradient a trainer step takes), and what the others compute (with
// dropout too: the same seed draws the same masks). The first strategy is also checked against
// the graphs as built (before any rewrite: a wrong simplification shows up here) and, without
// dropout, against central finite differences. Seed and replay: see analyze.test.ts.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compile, type CompileOptions, type Compiled } from "../../compiler/compile.js";
import { evaluate as interpret } from "../../compiler/interpret.js";
import type { Model } from "../../compiler/elaborate/model.js";
import { sizeOf, topoOrder } from "../../compiler/ir/node.js";
import { finiteDifferences, relError, testRandom } from "../helpers/fd.js";
import { type GeneratedModule, importCode } from "../helpers/generated.js";
import { typeErrorsOfEach } from "../helpers/typecheck.js";
import { FILE, FuzzStats, checkOutcome, showSource } from "./outcome.js";
import { loadExamples, mutatedExample } from "./arbitraries.js";
import { generatedModel, generatedSource, longModel, renderModel } from "./models.js";

const SEED = Number(process.env["NNC_FUZZ_SEED"] ?? 20_240_606);
const SCALE = Number(process.env["NNC_FUZZ_SCALE"] ?? 1);
const PER_KIND = Math.round(12 * SCALE);
const LONG = Math.max(1, Math.round(3 * SCALE));
/** Rows of the batch each strategy runs at once. */
const ROWS = 3;

const STRATEGIES: readonly [string, CompileOptions][] = [
  ["batched", { batch: "always" }],
  ["loops", { batch: "never", unroll: "never" }],
  ["auto", { batch: "never", unroll: "auto" }],
];

/** Same value, or both NaN, or within 1e-9 relative to the larger of them, 1 and `scale` (the size of what was summed). */
function close(a: number, b: number, scale = 0): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b), 1, scale);
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, scales?: ArrayLike<number>): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!close(actual[i]!, expected[i]!, scales?.[i])) expect.fail(`${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

/** What the interpreter computes for one row from the simplified graphs (gradients without dropout only). */
interface Reference {
  predict: Float64Array;
  loss: number;
  grad?: Float64Array;
}

function reference(result: Compiled, mod: GeneratedModule, params: Float64Array, x: ArrayLike<number>, y: ArrayLike<number>, withGrad: boolean): Reference {
  const { model, derived } = result;
  const values = new Map<string, Float64Array>([
    [model.input.name, Float64Array.from(x)],
    [model.target.name, Float64Array.from(y)],
  ]);
  for (const p of mod.model.params) values.set(p.name, params.subarray(p.offset, p.offset + p.size));
  const grads = withGrad ? mod.model.params.map((p) => derived.grads.get(p.name)!) : [];
  const v = interpret([derived.predict, derived.inferLoss, ...grads], { values });
  const ref: Reference = { predict: v.get(derived.predict.id)!, loss: v.get(derived.inferLoss.id)![0]! };
  if (withGrad) {
    ref.grad = new Float64Array(params.length);
    mod.model.params.forEach((p, k) => ref.grad!.set(v.get(grads[k]!.id)!, p.offset));
  }
  return ref;
}

/** Targets `evaluate` accepts for the loss: one-hot rows, class indices, or 0/1 values. */
function targetRows(model: Model, rows: number, random: () => number): Float64Array {
  const targets = model.target.shape[0]!;
  // The class count of a sparse loss is its one-hot encoding's (the `output` line may name another value).
  const onehot = topoOrder([model.infer.loss]).find((n) => n.op === "onehot");
  const Y = new Float64Array(rows * targets);
  for (let r = 0; r < rows; r++) {
    if (model.lossText === "categorical_crossentropy") Y[r * targets + Math.floor(random() * targets)] = 1;
    else if (model.lossText === "sparse_categorical_crossentropy") Y[r] = Math.floor(random() * Number(onehot!.attrs["n"]));
    else for (let i = 0; i < targets; i++) Y[r * targets + i] = random() < 0.5 ? 0 : 1;
  }
  return Y;
}

/** One trainer step over `rows` rows with an optimizer that only keeps the batch-mean gradient. */
function trainerStep(mod: GeneratedModule, params: Float64Array, X: Float64Array, Y: Float64Array, rows: number, outputs: number) {
  let grad: Float64Array | undefined;
  const optimizer = { iterations: 0, learningRate: 0, step: (_p: Float64Array, g: Float64Array) => void (grad = Float64Array.from(g)) };
  const trainer = mod.createTrainer(params, { optimizer, seed: 11 }) as unknown as { step(X: Float64Array, Y: Float64Array, n: number, out?: Float64Array): number };
  const out = new Float64Array(rows * outputs);
  const loss = trainer.step(X, Y, rows, out);
  return { loss, grad, out };
}

/** Models with more parameters are only compiled and type-checked (mutations make layers of 10,000,000 units). */
const MAX_CHECKED_PARAMS = 1_000_000;
/** Parameters whose gradient is checked against finite differences, at most (spread evenly). */
const MAX_DIFFERENCED = 300;

/** Every check of one model compiled in every strategy. */
async function checkStrategies(source: string, results: readonly Compiled[]): Promise<void> {
  const where = `\nsource: ${showSource(source)}`;
  const mods = await Promise.all(results.map((r) => importCode(r.code)));
  const { model } = results[0]!;
  const dropout = /dropout\(/.test(source);
  const random = testRandom(7);
  const params = mods[0]!.init(3);
  for (const mod of mods) expect(mod.model.params, `parameter layout${where}`).toEqual(mods[0]!.model.params);
  const [inputs, targets, outputs] = [model.input.shape[0]!, model.target.shape[0]!, model.infer.output.shape[0]!];
  const X = Float64Array.from({ length: ROWS * inputs }, () => random() * 4 - 2);
  const Y = targetRows(model, ROWS, random);
  const row = (m: Float64Array, r: number, width: number) => m.subarray(r * width, (r + 1) * width);

  // The interpreter, row by row, and over the batch: mean loss, mean gradient, and Σ|gradient| as the scale of rounding.
  const refs = Array.from({ length: ROWS }, (_, r) => reference(results[0]!, mods[0]!, params, row(X, r, inputs), row(Y, r, targets), !dropout));
  const meanLoss = refs.reduce((s, r) => s + r.loss, 0) / ROWS;
  const meanGrad = new Float64Array(params.length);
  const gradScale = new Float64Array(params.length);
  if (!dropout) for (const r of refs) r.grad!.forEach((g, i) => ((meanGrad[i]! += g / ROWS), (gradScale[i]! += Math.abs(g))));

  const first = { predictBatch: mods[0]!.predictBatch(params, X), step: trainerStep(mods[0]!, params, X, Y, ROWS, outputs) };
  for (const [k, mod] of mods.entries()) {
    const at = `${STRATEGIES[k]![0]}${where}`;
    // One sample: the public predict, loss and grad.
    const x = row(X, 0, inputs);
    const y = row(Y, 0, targets);
    expectClose(mod.predict(params, x), refs[0]!.predict, `predict, ${at}`);
    expectClose([mod.loss(params, x, y)], [refs[0]!.loss], `loss, ${at}`);
    if (!dropout) {
      const g = new Float64Array(params.length);
      mod.grad(params, x, y, g);
      expectClose(g, refs[0]!.grad!, `grad, ${at}`);
    }
    // A batch of rows: predictions, the mean loss evaluate reports, and one trainer step's loss and gradient.
    const predictions = mod.predictBatch(params, X);
    refs.forEach((ref, r) => expectClose(row(predictions, r, outputs), ref.predict, `predictBatch row ${r}, ${at}`));
    expectClose([mod.evaluate(params, X, Y).loss], [meanLoss], `evaluate loss, ${at}`, [refs.reduce((s, r) => s + Math.abs(r.loss), 0)]);
    const step = trainerStep(mod, params, X, Y, ROWS, outputs);
    if (!dropout) {
      expectClose([step.loss], [meanLoss], `trainer step loss, ${at}`, [refs.reduce((s, r) => s + Math.abs(r.loss), 0)]);
      expect(step.grad === undefined, `trainer step applied, ${at}`).toBe(!(Number.isFinite(meanLoss) && meanGrad.every(Number.isFinite)));
      if (step.grad) expectClose(step.grad, meanGrad, `trainer step gradient, ${at}`, gradScale);
    }
    // The strategies with each other (with dropout, the only check of training mode).
    expectClose(predictions, first.predictBatch, `predictBatch vs ${STRATEGIES[0]![0]}, ${at}`);
    expectClose([step.loss], [first.step.loss], `trainer step loss vs ${STRATEGIES[0]![0]}, ${at}`);
    expectClose(step.out, first.step.out, `trainer step outputs vs ${STRATEGIES[0]![0]}, ${at}`);
    expect(step.grad === undefined, `trainer step applied vs ${STRATEGIES[0]![0]}, ${at}`).toBe(first.step.grad === undefined);
    if (step.grad && first.step.grad) expectClose(step.grad, first.step.grad, `trainer step gradient vs ${STRATEGIES[0]![0]}, ${at}`, gradScale);
  }

  // The graphs as written, before stable forms and simplification. Where they overflow
  // (log of a sigmoid that rounded to 0) the stable form may stay finite; nothing else differs.
  const mod = mods[0]!;
  const x = Array.from(row(X, 0, inputs));
  const y = Array.from(row(Y, 0, targets));
  const lossValue = mod.loss(params, x, y);
  const out = mod.predict(params, x);
  const values = new Map<string, Float64Array>([
    [model.input.name, Float64Array.from(x)],
    [model.target.name, Float64Array.from(y)],
  ]);
  for (const p of mod.model.params) values.set(p.name, params.subarray(p.offset, p.offset + p.size));
  const raw = interpret([model.infer.output, model.infer.loss], { values });
  const rawLoss = raw.get(model.infer.loss.id)![0]!;
  if (Number.isFinite(rawLoss)) expect(relError(lossValue, rawLoss) < 1e-9, `loss ${lossValue} vs ${rawLoss} as written${where}`).toBe(true);
  raw.get(model.infer.output.id)!.forEach((v, i) => {
    if (Number.isFinite(v)) expect(relError(out[i]!, v) < 1e-9, `predict[${i}] ${out[i]} vs ${v} as written${where}`).toBe(true);
  });

  // Gradients against central differences of the loss (training = inference without dropout),
  // except where the loss has a kink (relu, abs, clip at exactly 0 or a bound: zero-initialized
  // layers put values there), which one-sided differences that disagree reveal.
  if (!dropout && Number.isFinite(lossValue) && Math.abs(lossValue) < 1e4) {
    const g = new Float64Array(params.length);
    mod.grad(params, x, y, g);
    const every = Math.ceil(params.length / MAX_DIFFERENCED);
    const indices = Array.from({ length: Math.ceil(params.length / every) }, (_, k) => k * every);
    const fd = finiteDifferences(() => mod.loss(params, x, y), params, 1e-6, indices);
    for (const i of indices) {
      if (relError(g[i]!, fd[i]!) < 1e-4 || kinkExplains(g[i]! - fd[i]!, () => mod.loss(params, x, y), params, i)) continue;
      expect.fail(`gradient[${i}] ${g[i]} vs finite differences ${fd[i]}${where}`);
    }
  }
}

/**
 * Whether f has a kink in v[i] that explains a gradient `miss` from central differences: there
 * the one-sided differences disagree, the gradient is one of them and the central one their mean,
 * so they differ by about twice the miss. A wrong gradient where f is smooth misses by far more
 * than the one-sided differences disagree (by about h f'').
 */
function kinkExplains(miss: number, f: () => number, v: Float64Array, i: number, h = 1e-6): boolean {
  const keep = v[i]!;
  const step = h * Math.max(1, Math.abs(keep));
  const at = f();
  v[i] = keep + step;
  const up = (f() - at) / step;
  v[i] = keep - step;
  const down = (at - f()) / step;
  v[i] = keep;
  return Math.abs(miss) <= Math.abs(up - down);
}

describe("fuzz: compile (the whole pipeline, every lowering strategy)", () => {
  const sources = [
    ...fc.sample(generatedModel.map(renderModel), { seed: SEED, numRuns: PER_KIND }),
    ...fc.sample(generatedSource(), { seed: SEED, numRuns: PER_KIND }),
    ...fc.sample(mutatedExample(loadExamples()), { seed: SEED, numRuns: PER_KIND }),
    ...fc.sample(longModel.map(renderModel), { seed: SEED, numRuns: LONG }),
  ];

  it(`${sources.length} sampled models compile in ${STRATEGIES.length} strategies or fail with a located NncError`, async () => {
    const stats = new FuzzStats("compile");
    const compiled: { source: string; results: Compiled[] }[] = [];
    for (const source of sources) {
      const results: Compiled[] = [];
      const outcomes: string[] = [];
      for (const [, options] of STRATEGIES) {
        const start = performance.now();
        let result: Compiled | undefined;
        // compile is async; run it to completion, then judge the outcome synchronously.
        let failure: unknown;
        try {
          result = await compile(source, FILE, options);
        } catch (e) {
          failure = e;
        }
        const outcome = checkOutcome(() => {
          if (failure !== undefined) throw failure;
        }, source);
        stats.record(outcome, performance.now() - start, source);
        outcomes.push(outcome === "ok" ? "ok" : `error: ${(failure as Error).message}`);
        if (result) results.push(result);
        // A model the front half refuses is refused the same way by every strategy: judge it once.
        if (outcome === "error" && results.length === 0) break;
      }
      expect(outcomes.every((o) => o === outcomes[0]), `strategies differ: ${STRATEGIES.map(([name], k) => `${name}: ${outcomes[k]}`).join("; ")}\nsource: ${showSource(source)}`).toBe(true);
      if (results.length === STRATEGIES.length) compiled.push({ source, results });
    }
    console.log(stats.summary(SEED));
    expect(compiled.length).toBeGreaterThanOrEqual(5);

    let checked = 0;
    const codes = compiled.flatMap((c) => c.results.map((r) => r.code));
    const typeErrors = await typeErrorsOfEach(codes);
    for (const [k, { source, results }] of compiled.entries()) {
      for (const [s, { code }] of results.entries()) {
        const where = `${STRATEGIES[s]![0]}\nsource: ${showSource(source)}`;
        expect(code, `eval / Function / import in the output, ${where}`).not.toMatch(/\beval\s*\(|\bFunction\s*\(|^\s*import\s|\brequire\s*\(/m);
        expect(typeErrors[k * STRATEGIES.length + s], `type errors, ${where}`).toEqual([]);
      }
      // Each strategy lowered as asked.
      expect(results.map((r) => r.batched)).toEqual([true, false, false]);
      expect(results[1]!.strategy).toBe("loops");
      if (results[0]!.model.params.reduce((n, p) => n + sizeOf(p.shape), 0) > MAX_CHECKED_PARAMS) continue;
      checked++;
      await checkStrategies(source, results);
    }
    console.log(`fuzz compile: ${checked} of ${compiled.length} compiled models run in ${STRATEGIES.length} strategies (the others have over ${MAX_CHECKED_PARAMS} parameters)`);
    expect(checked).toBeGreaterThanOrEqual(5);
  }, 120_000 * Math.max(1, SCALE));
});
