// The iris examples train: dsl-examples/iris.nn (4 → 16 relu → 3 softmax, Adam) reaches at least
// 95% accuracy on the 30 held-out rows of irisSplit(0), and the regularized example (L2 + dropout,
// sparse labels) trains too. A held-out set of 30 rows moves in steps of 3.3%: over split seeds
// 0–7 this model scores 93–100%; seed 0, the one the demo uses, gives 96.7%.

import { describe, expect, it } from "vitest";
import { pathToFileURL } from "node:url";
import { ROOT } from "../scripts/examples.js";
import { irisSplit } from "../scripts/iris-data.js";
import type { GeneratedModule } from "./helpers/generated.js";

const { train, test } = irisSplit(0);

/** The committed module in generated/ (tests/examples.test.ts checks it matches the compiler). */
async function load(name: string): Promise<GeneratedModule> {
  return (await import(/* @vite-ignore */ pathToFileURL(`${ROOT}generated/${name}.ts`).href)) as GeneratedModule;
}

describe("iris", () => {
  it("splits 150 rows into 120 training and 30 held-out rows, deterministically, without overlap", () => {
    expect(train.xs.length).toBe(120);
    expect(test.xs.length).toBe(30);
    expect(irisSplit(0)).toEqual({ train, test });
    const key = (row: number[]) => row.map((v) => v.toFixed(9)).join();
    const trainRows = new Set(train.xs.map(key));
    expect(test.xs.filter((row) => trainRows.has(key(row))).length).toBeLessThanOrEqual(1); // iris has one duplicate row pair
    for (const k of [0, 1, 2]) expect(test.labels.filter((l) => l === k).length).toBeGreaterThan(5);
  });

  it("iris.nn reaches ≥ 95% held-out accuracy from a fixed seed", async () => {
    const mod = await load("iris");
    const params = mod.init(0);
    const history = mod.fit(params, train.xs, train.ys, { epochs: 100, batchSize: 16, seed: 0 });
    expect(history.history.loss.at(-1)!).toBeLessThan(history.history.loss[0]! / 5);
    const { accuracy, loss } = mod.evaluate(params, test.xs, test.ys);
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
    expect(loss).toBeLessThan(0.2);
  });

  it("iris_regularized.nn (L2 + dropout, sparse labels) trains to ≥ 90% held-out accuracy", async () => {
    const mod = await load("iris_regularized");
    const params = mod.init(0);
    const sparse = (labels: number[]) => labels.map((k) => [k]);
    const history = mod.fit(params, train.xs, sparse(train.labels), { epochs: 100, batchSize: 16, seed: 0 });
    expect(history.history.loss.at(-1)!).toBeLessThan(history.history.loss[0]! / 4);
    expect(mod.evaluate(params, test.xs, sparse(test.labels)).accuracy).toBeGreaterThanOrEqual(0.9);
  });
});
