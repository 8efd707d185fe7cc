// The examples end to end: generated modules are self-contained, type-check under the strictest settings,
// match what is committed in generated/, are deterministic, and compute the same
// gradients as the reference interpreter and as finite differences.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { analyze } from "../compiler/compile.js";
import { evaluate as interpret } from "../compiler/interpret.js";
import { EXAMPLES, ROOT, compileExample } from "../scripts/examples.js";
import { finiteDifferences, relError, testRandom } from "./helpers/fd.js";
import { importCode, typeErrors } from "./helpers/generated.js";
import { typeErrorsOfEach } from "./helpers/typecheck.js";
import { compile } from "../compiler/compile.js";

describe.each(EXAMPLES)("example $name", (example) => {
  let code = "";

  it("compiles to what generated/ holds (run `npm run regen` after changing the compiler)", async () => {
    code = await compileExample(example);
    const committed = readFileSync(`${ROOT}${example.generated}`, "utf8");
    expect(code === committed, `${example.generated} is stale: run npm run regen`).toBe(true);
  });

  it("compiles to byte-identical code twice", async () => {
    expect(await compileExample(example)).toBe(code);
  });

  it("has no imports, eval or Function constructor, timestamps or absolute paths", () => {
    expect(code).not.toMatch(/^\s*import\s/m);
    expect(code).not.toMatch(/\brequire\s*\(/);
    expect(code).not.toMatch(/\beval\s*\(|new\s+Function\b/);
    expect(code).not.toContain(ROOT);
    expect(code).not.toMatch(/\b20\d\d-\d\d-\d\d/);
  });

  it("type-checks under the strictest tsconfig (tests/helpers/typecheck.ts) with erasable syntax only", async () => {
    expect(await typeErrors(code)).toEqual([]);
  });

  it("computes the gradients of the reference interpreter and of finite differences", async () => {
    const mod = await importCode(code);
    const source = readFileSync(`${ROOT}${example.source}`, "utf8");
    const { model, derived } = analyze(source, example.source);
    const random = testRandom(99);
    // Sizes as flat rows (an image input img[28, 28, 1] takes 784 numbers).
    const inSize = model.input.shape.reduce((a, b) => a * b, 1);
    const tSize = model.target.shape.reduce((a, b) => a * b, 1);
    for (let trial = 0; trial < 3; trial++) {
      const params = mod.init(trial + 1);
      const x = Array.from({ length: inSize }, () => random() * 4 - 2);
      const y = Array.from({ length: tSize }, () => (random() < 0.5 ? 0 : 1));
      const g = new Float64Array(params.length);
      // Dropout: the generated code and the interpreter draw the same uniforms in the same order
      // (one mask per sample, element order), so both apply the same mask.
      const draws = 1000 + trial;
      const lossValue = mod.grad(params, x, y, g, { uniform: testRandom(draws), normal: () => 0, int: () => 0 });

      // The reference interpreter on the same simplified graphs.
      const values = new Map<string, Float64Array>([
        [model.input.name, Float64Array.from(x)],
        [model.target.name, Float64Array.from(y)],
      ]);
      for (const p of mod.model.params) values.set(p.name, params.subarray(p.offset, p.offset + p.size));
      const roots = [derived.trainLoss, ...derived.grads.values()];
      const masks = new Map<number, Float64Array>();
      const ref = interpret(roots, { values, masks, random: testRandom(draws) });
      expect(relError(lossValue, ref.get(derived.trainLoss.id)![0]!)).toBeLessThan(1e-12);
      for (const p of mod.model.params) {
        const expected = ref.get(derived.grads.get(p.name)!.id)!;
        let worst = 0;
        for (let i = 0; i < p.size; i++) worst = Math.max(worst, relError(g[p.offset + i]!, expected[i]!));
        expect(worst, p.name).toBeLessThan(1e-12);
      }

      // Central finite differences of the generated loss (inference mode); with dropout, of the
      // training loss with those masks: the loss the generated grad() returns when it replays the
      // same uniforms (its forward pass; the interpreter, equal to it above, takes ~100 ms per loss of the CNN).
      const scratch = new Float64Array(params.length);
      const trainingLoss = () => mod.grad(params, x, y, scratch, { uniform: testRandom(draws), normal: () => 0, int: () => 0 });
      // Large models (MNIST: 101,770 parameters) on an evenly spread sample of 300 of them.
      const at = params.length <= 2000 ? [...params.keys()] : Array.from({ length: 300 }, (_, k) => Math.floor(((k + 0.5) * params.length) / 300));
      const fd = finiteDifferences(masks.size > 0 ? trainingLoss : () => mod.loss(params, x, y), params, 1e-6, at);
      for (const i of at) expect(relError(g[i]!, fd[i]!)).toBeLessThan(1e-6);
    }
  });
});

describe("every example under other lowerings and precisions", () => {
  it("type-checks under the strictest tsconfig: per-sample loops, forced batching, float32", async () => {
    const variants = [{ batch: "never", unroll: "never" }, { batch: "always" }, { precision: "f32" }] as const;
    const codes = await Promise.all(EXAMPLES.flatMap((e) => variants.map(async (options) => (await compile(readFileSync(`${ROOT}${e.source}`, "utf8"), e.source, options)).code)));
    const errors = await typeErrorsOfEach(codes);
    expect(errors.map((e, i) => (e.length > 0 ? `${i}: ${e[0]}` : "")).filter((e) => e !== "")).toEqual([]);
  });
});

describe("xor trains", () => {
  it("reaches 100% accuracy with loss below 0.05 from a fixed seed", async () => {
    const mod = await importCode(await compileExample(EXAMPLES.find((e) => e.name === "xor")!));
    const xs = [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ];
    const ys = [[0], [1], [1], [0]];
    const params = mod.init(7);
    mod.fit(params, xs, ys, { epochs: 500, batchSize: 4, seed: 7 });
    const { loss, accuracy } = mod.evaluate(params, xs, ys);
    expect(accuracy).toBe(1);
    expect(loss).toBeLessThan(0.05);
  });
});
