// The commands of docs/pathologies.md as a user runs them: `nnc train --early-stopping P` (stops
// where the printed val_loss says it should, keeps and saves the best epoch's weights),
// `nnc curvature` (its λ_max against the largest eigenvalue of the dense Hessian built from the
// module's own hvpBatch columns, and what it says about the learning rate) and
// `nnc grad --order 2` (the derivation the page shows, the kernel, the graph).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { learningRateAdvice } from "../../compiler/cli/curvature-command.js";
import { compileAndImport } from "../helpers/generated.js";
import { symmetricEigenvalues } from "../curvature/jacobi.js";
import { HERE, ROOT, runNnc, tempDir } from "./helpers.js";

const PARITY = join(ROOT, "dsl-examples/parity.nn");
const PARITY_CSV = join(ROOT, "dsl-examples/parity.csv");

describe("nnc train --early-stopping", () => {
  it("stops P epochs after the best val_loss, and evaluates and saves that epoch's weights", async () => {
    const dir = tempDir("early");
    const model = join(HERE, "iris.nn");
    const run = await runNnc(["train", model, "--data", "iris", "--split", "0.2", "--epochs", "300", "--early-stopping", "3", "--save", "w.json"], dir);
    expect(run.code, run.stderr).toBe(0);
    const note = /^nnc: early stopping after epoch (\d+): val_loss did not improve for 3 epochs; the best val_loss \(([\d.]+)\) was epoch (\d+); kept its weights$/m.exec(run.stderr);
    expect(note, run.stderr).not.toBeNull();
    const [stopped, best, bestEpoch] = [Number(note![1]), note![2]!, Number(note![3])];
    expect(stopped).toBeLessThan(300);
    expect(stopped - bestEpoch).toBe(3);
    // The epochs' printed val_loss: none after the best beats it, and training ended at `stopped`.
    const valLoss = [...run.stdout.matchAll(/^Epoch (\d+)\/300 .* val_loss: ([\d.]+)/gm)].map((m) => Number(m[2]));
    expect(valLoss).toHaveLength(stopped);
    expect(valLoss[bestEpoch - 1]!.toFixed(4)).toBe(best);
    expect(Math.min(...valLoss)).toBe(valLoss[bestEpoch - 1]);
    expect(run.stderr).toContain(`nnc: saved the weights of epoch ${bestEpoch} to w.json`);
    // The final evaluation is of the kept weights: its held-out loss is the best epoch's.
    const evaluation = (part: string) => Number(new RegExp(`^Evaluate on (\\d+) rows of iris \\(${part}, --split 0.2\\): loss: ([\\d.]+)`, "m").exec(run.stdout)![2]);
    expect(evaluation("held out").toFixed(4)).toBe(best);
    // The saved file holds those weights: on all 150 rows their loss is the two parts' mean.
    const all = await runNnc(["evaluate", model, "--weights", "w.json", "--data", "iris"], dir);
    expect(all.code, all.stderr).toBe(0);
    const loss = Number(/loss: ([\d.]+)/.exec(all.stdout)![1]);
    expect(Math.abs(loss - (120 * evaluation("training part") + 30 * evaluation("held out")) / 150)).toBeLessThan(2e-4);
  });
});

describe("nnc curvature", () => {
  it("finds the dense Hessian's largest eigenvalue at the given weights, and says what it means for adam", async () => {
    const dir = tempDir("curvature");
    const trained = await runNnc(["train", PARITY, "--data", PARITY_CSV, "--epochs", "50", "--save", "w.json"], dir);
    expect(trained.code, trained.stderr).toBe(0);
    const run = await runNnc(["curvature", PARITY, "--data", PARITY_CSV, "--weights", "w.json"], dir);
    expect(run.code, run.stderr).toBe(0);
    const shown = /^largest eigenvalue λ_max = ([\d.e+-]+) \(\d+ products\)$/m.exec(run.stdout);
    expect(shown, run.stdout).not.toBeNull();

    // The reference: the module's own hvpBatch, one column per unit vector, and Jacobi's eigenvalues.
    const { mod } = await compileAndImport(readFileSync(PARITY, "utf8"), "parity.nn", { hvp: true });
    const hvpBatch = (mod as unknown as { hvpBatch(p: Float64Array, xs: number[][], ys: number[][], v: Float64Array, out: Float64Array): number }).hvpBatch;
    const params = mod.loadParams(readFileSync(join(dir, "w.json"), "utf8"));
    const rows = readFileSync(PARITY_CSV, "utf8").trim().split("\n").slice(1).map((line) => line.split(",").map(Number));
    const [xs, ys] = [rows.map((r) => [r[0]!]), rows.map((r) => [r[1]!])];
    const n = mod.model.paramCount;
    const H = Array.from({ length: n }, (_, j) => {
      const [e, col] = [new Float64Array(n), new Float64Array(n)];
      e[j] = 1;
      hvpBatch(params, xs, ys, e, col);
      return Array.from(col);
    });
    const lambdaMax = Math.max(...symmetricEigenvalues(H));
    expect(Math.abs(Number(shown![1]) - lambdaMax) / lambdaMax).toBeLessThan(5e-4);
    expect(run.stdout).toContain(`below 2/λ_max = ${Number((2 / Number(shown![1])).toPrecision(4))}.`);
    expect(run.stdout).toContain("The model file's optimizer is adam with learning rate 0.001; adam divides each parameter's step by its own gradient history");
  });

  it("judges plain SGD's learning rate against 2/λ_max, and heavy-ball momentum's against 2(1 + β)/λ_max", () => {
    const sgd = (options: { [option: string]: unknown }) => learningRateAdvice(100, { name: "sgd", options })[1]!;
    expect(sgd({ learningRate: 0.01, momentum: 0 })).toBe("The model file's optimizer is sgd with learning rate 0.01: below the bound: steps shrink along that direction.");
    expect(sgd({ learningRate: 0.03, momentum: 0 })).toMatch(/^The model file's optimizer is sgd with learning rate 0\.03: above the bound: .*lower the learning rate below 0\.02\.$/);
    expect(sgd({ learningRate: 0.03, momentum: 0.9 })).toBe(
      "The model file's optimizer is sgd with learning rate 0.03; with momentum 0.9 the bound is 2(1 + 0.9)/λ_max = 0.038: below the bound: steps shrink along that direction.",
    );
    const schedule = { schedule: "exponential_decay", initialLearningRate: 0.05, decaySteps: 10, decayRate: 0.5, staircase: false };
    expect(sgd({ learningRate: schedule, momentum: 0 })).toMatch(/^The model file's optimizer is sgd with learning rate 0\.05 \(its schedule's first\): above the bound/);
    expect(learningRateAdvice(100, { name: "sgd", options: {} })[0]).toBe("Plain gradient descent is stable along the sharpest direction only for learning rates below 2/λ_max = 0.02.");
  });
});

describe("nnc grad --order 2", () => {
  it("prints H v as math (as docs/pathologies.md shows), as the hvpSample kernel, and as a graph", async () => {
    const math = await runNnc(["grad", PARITY, "--order", "2", "--wrt", "W_out"], ROOT);
    expect(math.code, math.stderr).toBe(0);
    const lines = math.stdout.split("\n").map((l) => l.replace(/\s+/g, " ").trim());
    for (const line of [
      "second derivative (∂s/∂u: how s = ⟨∂L/∂θ, v⟩ changes with u)",
      "∂s/∂δz_out = v_W_out h [1] parity.nn:10",
      "∂s/∂z_out = ∂s/∂δz_out ⊙ out ⊙ (1 − out) [1] parity.nn:10",
      "(H v)_W_out = ∂s/∂z_out ⊗ h [1, 2] parity.nn:10",
    ])
      expect(lines).toContain(line);
    const ts = await runNnc(["grad", PARITY, "--order", "2", "--format", "ts"], ROOT);
    expect(ts.code, ts.stderr).toBe(0);
    expect(ts.stdout).toContain("function hvpSample(p: Vec, x: Vec, xo: number, y: Vec, yo: number, g: Vec): number {");
    const ir = await runNnc(["grad", PARITY, "--order", "2", "--format", "ir"], ROOT);
    expect(ir.code, ir.stderr).toBe(0);
    expect(ir.stdout).toMatch(/^v_W_out:\[1, 2\] = param$/m);
  });
});
