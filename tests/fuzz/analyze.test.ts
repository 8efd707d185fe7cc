// Fuzzing the front half of the compiler (parse + build + autodiff + simplify, i.e. `analyze`)
// with 10,000 cases: every case must end in a result or a located NncError (see outcome.ts),
// and every result must compute what the model as written computes (semantics.ts).
// The full pipeline, with emission, gets a smaller sample in compile.test.ts.
//
// The seed is fixed so CI is deterministic; each run prints it with the case count. To explore
// or to replay a failure (fast-check prints its seed and path):
//   NNC_FUZZ_SEED=123 NNC_FUZZ_SCALE=10 npx vitest run tests/fuzz
//   NNC_FUZZ_SEED=<seed> NNC_FUZZ_PATH=<path> npx vitest run tests/fuzz/analyze.test.ts -t "<name>"

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { analyze } from "../../compiler/compile.js";
import { FILE, FuzzStats, checkOutcome, showSource } from "./outcome.js";
import { semanticProblem } from "./semantics.js";
import { loadExamples, mutatedExample, randomText, randomTokens } from "./arbitraries.js";
import { generatedSource } from "./models.js";

export const SEED = Number(process.env["NNC_FUZZ_SEED"] ?? 20_240_606);
const SCALE = Number(process.env["NNC_FUZZ_SCALE"] ?? 1);
const PATH = process.env["NNC_FUZZ_PATH"];

const examples = loadExamples();

const RUNS: [string, () => fc.Arbitrary<string>, number][] = [
  ["random text", randomText, 2_000],
  ["random tokens", randomTokens, 2_500],
  ["mutated examples", () => mutatedExample(examples), 4_000],
  ["generated models", generatedSource, 1_500],
];

describe("fuzz: analyze (parse, build, autodiff, simplify)", () => {
  it("has examples to mutate", () => {
    expect(examples.length).toBeGreaterThanOrEqual(2);
  });

  let total = 0;
  it.each(RUNS)("%s: a result or a located NncError, never another exception", (name, arbitrary, runs) => {
    const stats = new FuzzStats(name);
    const numRuns = Math.round(runs * SCALE);
    const property = fc.property(arbitrary(), (source) => {
      const start = performance.now();
      let result: ReturnType<typeof analyze> | undefined;
      const outcome = checkOutcome(() => (result = analyze(source, FILE)), source);
      stats.record(outcome, performance.now() - start, source);
      if (result) {
        const problem = semanticProblem(result, stats.cases);
        if (problem) throw new Error(`${problem}\nsource: ${showSource(source)}`);
      }
    });
    try {
      fc.assert(property, { seed: SEED, numRuns, ...(PATH ? { path: PATH } : {}) });
    } finally {
      total += stats.cases;
      console.log(stats.summary(SEED));
    }
    expect(stats.cases).toBeGreaterThanOrEqual(PATH ? 1 : numRuns);
    if (name === "generated models") expect(stats.ok).toBeGreaterThan(0);
  });

  it("ran at least 10,000 cases in total", () => {
    console.log(`fuzz analyze: ${total} cases in total (seed ${SEED})`);
    if (!PATH && SCALE >= 1) expect(total).toBeGreaterThanOrEqual(10_000);
  });
});
