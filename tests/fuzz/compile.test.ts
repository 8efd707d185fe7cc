// Fuzzing the whole pipeline, emission included, on a smaller deterministic sample (emitting
// costs ~0.5 s a model): generated models and mutated examples must compile or fail with a
// located NncError; every module that compiles must contain no eval / Function constructor /
// imports, type-check under strict (all in one TypeScript program), compute what the reference
// interpreter computes from the simplified graphs AND from the graphs as built (before any
// rewrite: a wrong simplification shows up here), and, without dropout, have gradients that
// match central finite differences. Seed and replay: see analyze.test.ts.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compile, type Compiled } from "../../compiler/compile.js";
import { evaluate as interpret } from "../../compiler/interpret.js";
import { finiteDifferences, relError, testRandom } from "../helpers/fd.js";
import { importCode } from "../helpers/generated.js";
import { typeErrorsOfEach } from "../helpers/typecheck.js";
import { FILE, FuzzStats, checkOutcome, showSource } from "./outcome.js";
import { generatedModel, generatedSource, loadExamples, mutatedExample, renderModel } from "./arbitraries.js";

const SEED = Number(process.env["NNC_FUZZ_SEED"] ?? 20_240_606);
const SCALE = Number(process.env["NNC_FUZZ_SCALE"] ?? 1);
const PER_KIND = Math.round(12 * SCALE);

/** Same value, or both NaN, or within 1e-9 relative (the interpreter fuses nothing). */
function close(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return relError(a, b) < 1e-9;
}

describe("fuzz: compile (the whole pipeline)", () => {
  const sources = [
    ...fc.sample(generatedModel.map(renderModel), { seed: SEED, numRuns: PER_KIND }),
    ...fc.sample(generatedSource(), { seed: SEED, numRuns: PER_KIND }),
    ...fc.sample(mutatedExample(loadExamples()), { seed: SEED, numRuns: PER_KIND }),
  ];

  it(`${sources.length} sampled models compile or fail with a located NncError`, async () => {
    const stats = new FuzzStats("compile");
    const compiled: { source: string; result: Compiled }[] = [];
    for (const source of sources) {
      const start = performance.now();
      let result: Compiled | undefined;
      // compile is async; run it to completion, then judge the outcome synchronously.
      let failure: unknown;
      try {
        result = await compile(source, FILE);
      } catch (e) {
        failure = e;
      }
      const outcome = checkOutcome(() => {
        if (failure !== undefined) throw failure;
      }, source);
      stats.record(outcome, performance.now() - start, source);
      if (result) compiled.push({ source, result });
    }
    console.log(stats.summary(SEED));
    expect(stats.cases).toBe(sources.length);
    expect(compiled.length).toBeGreaterThanOrEqual(5);

    const typeErrors = await typeErrorsOfEach(compiled.map((c) => c.result.code));
    for (const [k, { source, result }] of compiled.entries()) {
      const { code, model, derived } = result;
      const where = `\nsource: ${showSource(source)}`;
      expect(code, `eval / Function / import in the output${where}`).not.toMatch(/\beval\s*\(|\bFunction\s*\(|^\s*import\s|\brequire\s*\(/m);
      const mod = await importCode(code);
      const random = testRandom(7);
      const params = mod.init(3);
      const x = Array.from({ length: model.input.shape[0]! }, () => random() * 4 - 2);
      const y = Array.from({ length: model.target.shape[0]! }, () => (random() < 0.5 ? 0 : 1));
      const values = new Map<string, Float64Array>([
        [model.input.name, Float64Array.from(x)],
        [model.target.name, Float64Array.from(y)],
      ]);
      for (const p of mod.model.params) values.set(p.name, params.subarray(p.offset, p.offset + p.size));
      const ref = interpret([derived.predict, derived.inferLoss], { values });
      const out = mod.predict(params, x);
      const expected = ref.get(derived.predict.id)!;
      expect(out.length, `output size${where}`).toBe(expected.length);
      out.forEach((v, i) => expect(close(v, expected[i]!), `predict[${i}] ${v} vs ${expected[i]}${where}`).toBe(true));
      const lossValue = mod.loss(params, x, y);
      expect(close(lossValue, ref.get(derived.inferLoss.id)![0]!), `loss ${lossValue}${where}`).toBe(true);

      // The graphs as written, before stable forms and simplification. Where they overflow
      // (log of a sigmoid that rounded to 0) the stable form may stay finite; nothing else differs.
      const raw = interpret([model.infer.output, model.infer.loss], { values });
      const rawLoss = raw.get(model.infer.loss.id)![0]!;
      if (Number.isFinite(rawLoss)) expect(relError(lossValue, rawLoss) < 1e-9, `loss ${lossValue} vs ${rawLoss} as written${where}`).toBe(true);
      raw.get(model.infer.output.id)!.forEach((v, i) => {
        if (Number.isFinite(v)) expect(relError(out[i]!, v) < 1e-9, `predict[${i}] ${out[i]} vs ${v} as written${where}`).toBe(true);
      });

      // Gradients against central differences of the loss (training = inference without dropout).
      if (!/dropout\(/.test(source) && Number.isFinite(lossValue) && Math.abs(lossValue) < 1e4) {
        const g = new Float64Array(params.length);
        mod.grad(params, x, y, g);
        const fd = finiteDifferences(() => mod.loss(params, x, y), params);
        for (let i = 0; i < params.length; i++) {
          expect(relError(g[i]!, fd[i]!) < 1e-4, `gradient[${i}] ${g[i]} vs finite differences ${fd[i]}${where}`).toBe(true);
        }
      }
      expect(typeErrors[k], `type errors${where}`).toEqual([]);
    }
  });
});
