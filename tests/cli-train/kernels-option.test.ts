// `--kernels js|wasm|auto` on the commands that compile a model to run it (train, predict,
// evaluate): with `wasm` the matrix products run as WebAssembly SIMD (train says so), and the
// saved weights, predictions and evaluation agree with the JavaScript kernels' to rounding (the
// SIMD products sum in another order; docs/wasm.md). A wrong value is a usage error.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { HERE, runNnc, tempDir } from "./helpers.js";

const IRIS = join(HERE, "iris.nn");
type Run = Awaited<ReturnType<typeof runNnc>>;

/** Every number of a weights file (tensors in file order). */
const weightsOf = (file: string): number[] =>
  Object.values((JSON.parse(readFileSync(file, "utf8")) as { params: Record<string, { data: number[] }> }).params).flatMap((t) => t.data);
const csvNumbers = (csv: string): number[] =>
  csv
    .trim()
    .split("\n")
    .slice(1)
    .flatMap((line) => line.split(",").map(Number));

/** The worst difference of two equally long lists, relative to the largest magnitude in them. */
function relativeGap(a: readonly number[], b: readonly number[]): number {
  expect(a.length).toBe(b.length);
  const scale = Math.max(...a.map(Math.abs), ...b.map(Math.abs));
  return Math.max(...a.map((x, i) => Math.abs(x - b[i]!))) / scale;
}

describe("--kernels on nnc train, predict and evaluate", () => {
  const dir = tempDir("kernels");
  const runs: Record<string, Run> = {};

  beforeAll(async () => {
    for (const kernels of ["js", "wasm"]) {
      const common = [IRIS, "--data", "iris", "--kernels", kernels];
      runs[`train ${kernels}`] = await runNnc(["train", ...common, "--epochs", "3", "--seed", "1", "--save", `w-${kernels}.json`], dir);
      runs[`predict ${kernels}`] = await runNnc(["predict", ...common, "--weights", "w-js.json", "--limit", "20"], dir);
      runs[`evaluate ${kernels}`] = await runNnc(["evaluate", ...common, "--weights", "w-js.json"], dir);
    }
  });

  it("runs every command with either kernels, and train says which", () => {
    for (const [name, run] of Object.entries(runs)) expect(run.code, `${name}: ${run.stderr}`).toBe(0);
    expect(runs["train wasm"]!.stdout.split("\n")[0]).toBe("Model iris: 131 parameters, loss categorical_crossentropy; matrix products in WebAssembly SIMD");
    expect(runs["train js"]!.stdout.split("\n")[0]).toBe("Model iris: 131 parameters, loss categorical_crossentropy");
  });

  it("trains to the same weights, predicts and evaluates the same, to rounding", () => {
    const [js, wasm] = [weightsOf(join(dir, "w-js.json")), weightsOf(join(dir, "w-wasm.json"))];
    expect(relativeGap(js, wasm)).toBeLessThan(1e-12);
    expect(runs["train js"]!.stdout).toMatch(/Epoch 3\/3/);
    expect(relativeGap(csvNumbers(runs["predict js"]!.stdout), csvNumbers(runs["predict wasm"]!.stdout))).toBeLessThan(1e-12);
    const evaluation = (run: Run) => run.stdout.split("\n").find((l) => l.startsWith("Evaluate on "));
    expect(evaluation(runs["evaluate wasm"]!)).toBe(evaluation(runs["evaluate js"]!));
  });

  it("refuses a value it does not know, naming the ones it does", async () => {
    const run = await runNnc(["evaluate", IRIS, "--data", "iris", "--weights", "w-js.json", "--kernels", "gpu"], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe("nnc: error: --kernels must be one of js, wasm, auto, got 'gpu'. See 'nnc help evaluate'.\n");
  });
});
