// Errors thrown by generated modules (docs/errors.md, the R rows), through the committed
// modules in generated/: bad data names the row and column, labels out of range for the
// model's built-in loss are refused, bad options and foreign parameter vectors are refused,
// and loadParams validates everything and loads nothing partly.

import { describe, expect, it } from "vitest";
import * as iris from "../../generated/iris.js";
import * as sparseIris from "../../generated/iris_regularized.js";
import * as parity from "../../generated/parity.js";
import * as xor from "../../generated/xor.js";

const X2 = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];
const Y1 = [[0], [1], [1], [0]];
const X4 = [
  [5.1, 3.5, 1.4, 0.2],
  [6.2, 2.9, 4.3, 1.3],
  [6.3, 3.3, 6.0, 2.5],
];

describe("data errors name the row (and column)", () => {
  it("[R1] rows of the wrong width", () => {
    const p = xor.init(1);
    expect(() => xor.fit(p, [[0, 0], [1]], [[0], [1]])).toThrow(/^xs: row 1 has 1 value, expected 2$/);
    expect(() => xor.evaluate(p, X2, [[0], [1, 0], [1], [0]])).toThrow(/^ys: row 1 has 2 values, expected 1$/);
    expect(() => xor.predictBatch(p, [0, 1, 2])).toThrow(/^xs: flat data has 3 values, not a multiple of the row width 2$/);
    expect(() => xor.fit(p, [[0, 0], null as unknown as number[]], [[0], [1]])).toThrow(/^xs: row 1 is null, expected an array of 2 numbers$/);
  });

  it("[R2] cells that are not finite numbers", () => {
    const p = xor.init(1);
    expect(() => xor.fit(p, [[0, "1" as unknown as number]], [[1]])).toThrow(/^xs: row 0, column 1 is the string "1"; expected a finite number$/);
    expect(() => xor.fit(p, X2, [[0], [1], [1], [NaN]])).toThrow(/^ys: row 3, column 0 is NaN; expected a finite number$/);
    expect(() => xor.evaluate(p, [[0, Infinity]], [[1]])).toThrow(/^xs: row 0, column 1 is Infinity; expected a finite number$/);
    expect(() => xor.fit(p, [[0, undefined as unknown as number]], [[1]])).toThrow(/^xs: row 0, column 1 is undefined; expected a finite number$/);
    expect(() => xor.fit(p, { validationData: 1 } as unknown as number[][], Y1)).toThrow(/^xs: /);
  });

  it("[R3] inputs and targets that do not pair up", () => {
    const p = xor.init(1);
    expect(() => xor.fit(p, X2, Y1.slice(0, 3))).toThrow(/^xs has 4 rows but ys has 3$/);
    expect(() => xor.fit(p, [], [])).toThrow(/^xs has no rows$/);
    expect(() => xor.fit(p, null as unknown as number[][], Y1)).toThrow(/^xs: expected an array of rows or a flat numeric array, got null$/);
    expect(() => xor.fit(p, X2, Y1, { validationData: [X2, Y1.slice(1)] })).toThrow(/^validation xs has 4 rows but validation ys has 3$/);
  });

  it("[R4] labels out of range for the model's built-in loss", () => {
    // sparse_categorical_crossentropy: integer class indices below the number of outputs.
    const s = sparseIris.init(1);
    expect(() => sparseIris.fit(s, X4, [[0], [3], [1]])).toThrow(/^ys: row 1 is class 3, but the model has 3 classes \(expected an integer from 0 to 2\)$/);
    expect(() => sparseIris.evaluate(s, X4, [[0], [1], [1.5]])).toThrow(/^ys: row 2 is class 1\.5, but the model has 3 classes/);
    expect(() => sparseIris.fit(s, X4, [[-1], [1], [2]])).toThrow(/^ys: row 0 is class -1, /);
    expect(() => sparseIris.fit(s, X4, [[0], [1], [2]], { validationData: [X4, [[0], [7], [2]]] })).toThrow(/^validation ys: row 1 is class 7/);
    expect(sparseIris.fit(s, X4, [[0], [1], [2]]).history.loss).toHaveLength(1);
    // binary_crossentropy: targets in [0, 1].
    const b = parity.init(1);
    expect(() => parity.fit(b, [[0], [2]], [[0], [2]])).toThrow(/^ys: row 1, column 0 is 2; binary_crossentropy needs targets from 0 to 1$/);
    expect(() => parity.evaluate(b, [[0]], [[-0.5]])).toThrow(/^ys: row 0, column 0 is -0\.5; binary_crossentropy/);
    expect(Number.isFinite(parity.evaluate(b, [[0], [2]], [[0.25], [1]]).loss)).toBe(true);
    // categorical_crossentropy: one-hot rows or probabilities summing to 1.
    const c = iris.init(1);
    expect(() => iris.fit(c, X4, [[1, 0, 0], [0, 1, 1], [0, 0, 1]])).toThrow(/^ys: row 1 sums to 2; categorical_crossentropy needs one-hot rows or probabilities that sum to 1$/);
    expect(() => iris.fit(c, X4, [[1, 0, 0], [0, 0, 0], [0, 0, 1]])).toThrow(/^ys: row 1 sums to 0; /);
    expect(() => iris.fit(c, X4, [[2, -1, 0], [0, 1, 0], [0, 0, 1]])).toThrow(/^ys: row 0, column 0 is 2; categorical_crossentropy needs targets from 0 to 1$/);
    expect(iris.fit(c, X4, [[0.9, 0.05, 0.05], [0, 1, 0], [0, 0, 1]]).history.loss).toHaveLength(1); // soft labels are fine
    // A hand-written loss accepts any finite targets.
    expect(xor.fit(xor.init(1), X2, [[2], [-1], [0.5], [7]]).history.loss).toHaveLength(1);
  });

  it("[R5] bad fit options, including misspelt ones", () => {
    const p = xor.init(1);
    const fit = (opts: Record<string, unknown>) => () => xor.fit(p, X2, Y1, opts as never);
    expect(fit({ epochs: 1.5 })).toThrow(/^fit: epochs must be a non-negative integer, got 1\.5$/);
    expect(fit({ batchSize: 0 })).toThrow(/^fit: batchSize must be a positive integer or "full", got 0$/);
    expect(fit({ nanPolicy: "ignore" })).toThrow(/^fit: nanPolicy must be "stop", "skip" or "throw", got "ignore"$/);
    expect(fit({ epoch: 3 })).toThrow(/^fit: unknown option 'epoch' \(known: epochs, batchSize, /);
    const before = Array.from(p);
    expect(fit({ batch_size: 8 })).toThrow(/^fit: unknown option 'batch_size'/);
    expect(Array.from(p)).toEqual(before); // refused before any training
  });

  it("[R7] bad optimizer options at run time", () => {
    const create = (o: Record<string, unknown>) => () => xor.createOptimizer(o as never);
    expect(create({ learningRate: -1 })).toThrow(/^sgd learningRate must be a finite number ≥ 0, got -1$/);
    expect(create({ clipnorm: 1, clipvalue: 1 })).toThrow(/^only one of clipnorm, clipvalue and globalClipnorm can be set$/);
    expect(create({ lr: 0.1 })).toThrow(/^sgd: unknown option 'lr' \(known: /);
  });

  it("[R9] one sample of the wrong size", () => {
    const p = xor.init(1);
    expect(() => xor.predict(p, [0, 1, 2])).toThrow(/^xor: x must have 2 values, got 3$/);
    expect(() => xor.loss(p, [0, 1], [1, 0])).toThrow(/^xor: y must have 1 values, got 2$/);
  });

  it("[R10] a parameter vector that is not this model's", () => {
    const wrong = new Float64Array(3);
    const n = xor.model.paramCount;
    expect(() => xor.predict(wrong, [0, 1])).toThrow(new RegExp(`^predict: params has length 3, model 'xor' has ${n} parameters$`));
    expect(() => xor.loss(wrong, [0, 1], [1])).toThrow(/^loss: params has length 3, /);
    expect(() => xor.grad(wrong, [0, 1], [1], new Float64Array(n))).toThrow(/^grad: params has length 3, /);
    expect(() => xor.grad(xor.init(), [0, 1], [1], new Float64Array(2))).toThrow(new RegExp(`^grad: g has length 2, model 'xor' has ${n} parameters$`));
    expect(() => xor.evaluate(wrong, X2, Y1)).toThrow(/^evaluate: params has length 3, /);
    expect(() => xor.predictBatch(wrong, X2)).toThrow(/^predictBatch: params has length 3, /);
    expect(() => xor.fit(wrong, X2, Y1)).toThrow(/^fit: params has length 3, /);
    expect(() => xor.saveParams(wrong)).toThrow(/^saveParams: params has length 3, /);
    expect(() => xor.fit(parity.init(), X2, Y1)).toThrow(/^fit: params has length \d+, model 'xor'/);
  });
});

describe("loadParams through a generated module", () => {
  const params = xor.init(3);
  const json = xor.saveParams(params);
  const doc = () => JSON.parse(json) as { model: string; layoutHash: string; params: Record<string, { shape: number[]; data: unknown[] }> };
  const load = (d: unknown) => () => xor.loadParams(typeof d === "string" ? d : JSON.stringify(d));

  it("round-trips exactly", () => {
    expect(Array.from(xor.loadParams(json))).toEqual(Array.from(params));
  });

  it("[R8] says exactly what is wrong, and loads nothing", () => {
    const bad: [unknown, RegExp][] = [];
    bad.push([json.slice(0, 40), /^loadParams: not valid JSON \(/]);
    bad.push([parity.saveParams(parity.init()), /^loadParams: these parameters are for model "parity", not "xor"$/]);
    bad.push([{ ...doc(), layoutHash: "0000000000000000" }, /^loadParams: layoutHash "0000000000000000" does not match the model's [0-9a-f]{16} \(the parameter layout changed since these were saved\)$/]);
    const missing = doc();
    delete missing.params["W1"];
    bad.push([missing, /^loadParams: missing tensor 'W1'$/]);
    const shape = doc();
    shape.params["W1"]!.shape = [...shape.params["W1"]!.shape].reverse();
    bad.push([shape, /^loadParams: tensor 'W1' has shape \[2, 8\], expected \[8, 2\]$/]);
    const short = doc();
    short.params["b1"]!.data.pop();
    bad.push([short, /^loadParams: tensor 'b1' has 7 values, expected 8$/]);
    for (const value of [null, "0.5", true, {}]) {
      const d = doc();
      d.params["W1"]!.data[3] = value;
      bad.push([d, /^loadParams: tensor 'W1' data\[3\] is .*, expected a finite number$/]);
    }
    // JSON has no NaN/Infinity; 1e999 parses to Infinity and must be refused too.
    bad.push([json.replace(/("W2":\{"shape":\[1,8\],"data":\[)[^,\]]+/, "$11e999"), /^loadParams: tensor 'W2' data\[0\] is Infinity, expected a finite number$/]);
    const extra = doc();
    extra.params["W9"] = { shape: [1], data: [0] };
    bad.push([extra, /^loadParams: unexpected tensor 'W9' \(not a parameter of model 'xor'\)$/]);
    bad.push([{ ...doc(), params: { ...doc().params, ["__proto__"]: { shape: [1], data: [0] } } }, /^loadParams: /]);
    for (const [input, message] of bad) expect(load(input)).toThrow(message);
    // Nothing partly loaded: a failure returns nothing and leaves existing vectors alone.
    const kept = Array.from(params);
    expect(load(short)).toThrow();
    expect(Array.from(params)).toEqual(kept);
  });
});
