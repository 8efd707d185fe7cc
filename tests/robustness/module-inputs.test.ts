// What a generated module accepts from its caller, by class rather than by case: every public
// function that takes an options object refuses unknown keys and values of the wrong kind (a
// NaN or fractional batch size would give wrong numbers silently); every number it takes in
// (data, one sample, saved weights) must be finite in the module's own precision, so a float32
// module refuses 1e300 instead of storing Infinity; saved weights are read whatever an editor
// added (a byte-order mark) and described exactly when wrong.

import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import * as xor from "../../generated/xor.js";
import * as iris from "../../generated/iris.js";
import { compileAndImport, type GeneratedModule } from "../helpers/generated.js";

const X2 = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];
const Y1 = [[0], [1], [1], [0]];

/** The exported functions that take an options object, and how to call each with `opts`. */
const p = xor.init(1);
const WITH_OPTIONS: Record<string, (opts: unknown) => unknown> = {
  fit: (opts) => xor.fit(Float64Array.from(p), X2, Y1, opts as never),
  evaluate: (opts) => xor.evaluate(p, X2, Y1, opts as never),
  createTrainer: (opts) => xor.createTrainer(Float64Array.from(p), opts as never),
  createOptimizer: (opts) => xor.createOptimizer(opts as never),
};
const WITHOUT_OPTIONS = ["grad", "init", "loadParams", "loss", "predict", "predictBatch", "saveParams"];

/** Values of the wrong kind for each option: each must be refused with the function's and option's name. */
const BAD_VALUES: Record<string, Record<string, unknown[]>> = {
  fit: {
    epochs: [NaN, 1.5, -1, Infinity, "8", null, true],
    batchSize: [NaN, 1.5, 0, -3, Infinity, "8", "all", null],
    seed: [NaN, 1.5, Infinity, "1", null, 2 ** 53],
    shuffle: ["no", 0, 1, null],
    verbose: [2, -1, "1", true, NaN],
    nanPolicy: ["ignore", "", 0, null],
    onEpochEnd: [1, "f", {}],
    onBatchEnd: [1, "f", null],
    validationData: ["x", [X2], {}, null],
    optimizer: [{}, 1, "adam"],
  },
  evaluate: { batchSize: [NaN, 1.5, 0, -1, Infinity, "8", null, true] },
  createTrainer: { seed: [NaN, 1.5, Infinity, "0", null], optimizer: [{}, 1, null] },
  createOptimizer: { learningRate: [NaN, -1, Infinity, -Infinity, "0.1", null], momentum: [NaN, -0.5, 1.5, "0.9"] },
};

describe("options of the generated module's functions", () => {
  it("[R5] the functions with options are exactly these (a new one must be added here and checked)", () => {
    const functions = Object.entries(xor)
      .filter(([, v]) => typeof v === "function")
      .map(([k]) => k)
      .sort();
    expect(functions).toEqual([...Object.keys(WITH_OPTIONS), ...WITHOUT_OPTIONS].sort());
  });

  it("[R5] every function with options refuses an unknown key, naming it and the known ones", () => {
    for (const [name, call] of Object.entries(WITH_OPTIONS)) {
      const who = name === "createOptimizer" ? "sgd" : name;
      expect(() => call({ bogus: 1 }), name).toThrow(new RegExp(`^${who}: unknown option 'bogus' \\(known: `));
      expect(() => call({}), name).not.toThrow();
    }
    for (const name of ["fit", "evaluate", "createTrainer"]) {
      expect(() => WITH_OPTIONS[name]!(5), name).toThrow(new RegExp(`^${name}: options must be an object, got 5$`));
    }
  });

  it("[R5] every option refuses values of the wrong kind (NaN, fractions, strings, null, …)", () => {
    for (const [name, options] of Object.entries(BAD_VALUES)) {
      for (const [option, values] of Object.entries(options)) {
        for (const value of values) {
          const what = `${name}({ ${option}: ${typeof value === "string" ? JSON.stringify(value) : String(value)} })`;
          expect(() => WITH_OPTIONS[name]!({ [option]: value }), what).toThrow(new RegExp(`^(${name}: |sgd )${option} must be `));
        }
      }
    }
  });

  it("[R5] evaluate's batch size: refused when not a positive integer, and any valid one gives the same result", () => {
    expect(() => xor.evaluate(p, X2, Y1, { batchSize: NaN })).toThrow(/^evaluate: batchSize must be a positive integer, got NaN$/);
    expect(() => xor.evaluate(p, X2, Y1, { batchSize: 1.5 })).toThrow(/^evaluate: batchSize must be a positive integer, got 1\.5$/);
    const whole = xor.evaluate(p, X2, Y1);
    for (const batchSize of [1, 2, 3, 4, 100]) {
      const r = xor.evaluate(p, X2, Y1, { batchSize });
      expect(r.loss).toBeCloseTo(whole.loss, 12);
      expect(r.accuracy).toBe(whole.accuracy);
    }
  });

  it("[R5] init's seed", () => {
    expect(() => xor.init(1.5)).toThrow(/^init: seed must be a safe integer, got 1\.5$/);
    expect(() => xor.init("1" as never)).toThrow(/^init: seed must be a safe integer, got "1"$/);
    expect(Array.from(xor.init(-7))).toHaveLength(xor.model.paramCount);
  });

  it("[R7] an unbounded option's range is stated as it is checked (Infinity is refused)", () => {
    expect(() => xor.createOptimizer({ learningRate: Infinity })).toThrow(/^sgd learningRate must be a finite number ≥ 0, got Infinity$/);
    expect(() => iris.createOptimizer({ beta1: 1 })).toThrow(/^adam beta1 must be a number in \[0, 1\), got 1$/);
    expect(() => iris.createOptimizer({ epsilon: "1e-7" as never })).toThrow(/^adam epsilon must be a finite number ≥ 0, got "1e-7"$/);
  });
});

describe("numbers must be finite in the module's precision", () => {
  let f32: GeneratedModule & typeof xor;
  const F32_MAX = 3.4028234663852886e38;
  beforeAll(async () => {
    const source = readFileSync(new URL("../../dsl-examples/xor.nn", import.meta.url), "utf8");
    f32 = (await compileAndImport(source, "xor.nn", { precision: "f32", format: false })).mod as GeneratedModule & typeof xor;
  });

  it("[R8] loadParams of a float32 module refuses a value float32 cannot hold; float64 takes it", () => {
    const doc = JSON.parse(f32.saveParams(f32.init(1))) as { params: Record<string, { data: number[] }> };
    for (const big of [1e300, -1e300, 3.5e38, -3.5e38]) {
      doc.params["W1"]!.data[2] = big;
      expect(() => f32.loadParams(JSON.stringify(doc)), String(big)).toThrow(
        new RegExp(`^loadParams: tensor 'W1' data\\[2\\] is ${String(big).replace("+", "\\+")}, beyond the range of float32 \\(±3\\.4028234663852886e\\+38\\) in which this module stores numbers$`),
      );
      expect(xor.loadParams(JSON.stringify(doc))[2]).toBe(big);
    }
    // Up to float32's largest value (and what rounds to it) is fine.
    doc.params["W1"]!.data[2] = F32_MAX;
    expect(f32.loadParams(JSON.stringify(doc))[2]).toBe(F32_MAX);
    doc.params["W1"]!.data[2] = 3.40282356e38;
    expect(f32.loadParams(JSON.stringify(doc))[2]).toBe(F32_MAX);
  });

  it("[R2] [R9] data and single samples beyond float32 are refused by fit, evaluate, predictBatch, predict, loss and grad", () => {
    const params = f32.init(1);
    const beyond = /is 1e\+300, beyond the range of float32/;
    expect(() => f32.fit(params, [[1e300, 0]], [[1]])).toThrow(/^xs: row 0, column 0 is 1e\+300, beyond the range of float32/);
    expect(() => f32.evaluate(params, [[0, 0]], [[1e300]])).toThrow(/^ys: row 0, column 0 is 1e\+300, beyond/);
    expect(() => f32.predictBatch(params, [0, 1e300])).toThrow(/^xs: row 0, column 1 /);
    expect(() => f32.predict(params, [0, 1e300])).toThrow(/^xor: x\[1\] is 1e\+300, beyond the range of float32/);
    expect(() => f32.loss(params, [0, 0], [1e300])).toThrow(beyond);
    expect(() => f32.grad(params, [1e300, 0], [1], new Float32Array(f32.model.paramCount) as never)).toThrow(beyond);
    // float64 modules take them (they are finite doubles).
    expect(() => xor.predict(xor.init(1), [0, 1e300])).not.toThrow();
  });

  it("[R9] a sample value that is not a finite number is refused, not turned into NaN", () => {
    const params = xor.init(1);
    expect(() => xor.predict(params, [0, "1" as never])).toThrow(/^xor: x\[1\] is the string "1"; expected a finite number$/);
    expect(() => xor.predict(params, [NaN, 0])).toThrow(/^xor: x\[0\] is NaN; expected a finite number$/);
    expect(() => xor.loss(params, [0, 0], [undefined as never])).toThrow(/^xor: y\[0\] is undefined; expected a finite number$/);
    expect(() => xor.predict(params, null as never)).toThrow(/^xor: x must be an array of 2 numbers, got null$/);
  });
});

describe("loadParams reads what editors and other tools write, and says exactly what is wrong", () => {
  const params = xor.init(3);
  const json = xor.saveParams(params);

  it("[R8] a byte-order mark is skipped; shape sizes given as strings are shown as strings", () => {
    expect(Array.from(xor.loadParams(`\ufeff${json}`))).toEqual(Array.from(params));
    const doc = JSON.parse(json) as { params: Record<string, { shape: unknown[] }> };
    doc.params["W1"]!.shape = ["8", "2"];
    expect(() => xor.loadParams(JSON.stringify(doc))).toThrow(/^loadParams: tensor 'W1' has shape \["8", "2"\], expected \[8, 2\]$/);
  });

  it("[R8] invisible and control characters in a message are shown as escapes", () => {
    let message = "";
    try {
      xor.loadParams(`\u200b${json}`);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^loadParams: not valid JSON \(/);
    expect(message).toContain("\\u200b");
    expect(message).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]/);
    const doc = JSON.parse(json) as { model: string };
    doc.model = "\u001b[2Jevil";
    expect(() => xor.loadParams(JSON.stringify(doc))).toThrow('loadParams: these parameters are for model "\\u001b[2Jevil", not "xor"');
    const extra = JSON.parse(json) as { params: Record<string, unknown> };
    extra.params[`\u001b]52;c;${"A".repeat(100)}\u0007`] = { shape: [1], data: [0] };
    expect(() => xor.loadParams(JSON.stringify(extra))).toThrow(`loadParams: unexpected tensor '\\u001b]52;c;${"A".repeat(33)}…' (not a parameter of model 'xor')`);
  });
});
