// The messages of schedules, early stopping, the hvp API and nnc train's gradient warnings
// (docs/errors.md R13, R14, R15, C11, C12, and the C4 patterns of the new flags), each checked
// word for word.

import { afterEach, describe, expect, it, vi } from "vitest";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { main } from "../../compiler/cli/main.js";
import { healthWarnings } from "../../compiler/cli/health-warnings.js";
import type { HealthHistory } from "../../runtime/health.js";
import { checkSchedule, type LearningRateSchedule } from "../../runtime/schedules.js";
import { createSgd } from "../../runtime/optimizers.js";
import { compileAndImport } from "../helpers/generated.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PARITY = join(ROOT, "dsl-examples", "parity.nn");
const exponential: LearningRateSchedule = { schedule: "exponential_decay", initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, staircase: false };

afterEach(() => vi.restoreAllMocks());

/** main() in this process, with what it prints. */
async function nnc(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  try {
    const code = await main(args);
    return { code, stdout: out.mock.calls.map((c) => String(c[0])).join(""), stderr: err.mock.calls.map((c) => String(c[0])).join("") };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe("learning-rate schedules in the runtime", () => {
  it("[R13] a schedule with bad fields is refused when the optimizer is made; a scheduled rate cannot be set", () => {
    const bad = (s: unknown) => () => createSgd(4, { learningRate: s as LearningRateSchedule });
    expect(bad({ schedule: "linear_decay" })).toThrow(/^sgd learningRate must be a finite number ≥ 0 or a schedule \{ schedule: "exponential_decay" \| "cosine_decay" \| "piecewise_constant", … \}$/);
    expect(bad({ ...exponential, decaySteps: 0 })).toThrow(/^sgd learningRate: exponential_decay decaySteps must be a finite number > 0, got 0$/);
    expect(bad({ ...exponential, decay: 1 })).toThrow(/^sgd learningRate: exponential_decay has no field 'decay' \(it has initialLearningRate, decaySteps, decayRate, staircase\)$/);
    expect(bad({ schedule: "piecewise_constant", boundaries: [10, 5], values: [1, 2, 3] })).toThrow(/boundaries must be an increasing list of step counts ≥ 0, got \[10,5\]$/);
    expect(bad({ schedule: "piecewise_constant", boundaries: [10], values: [1] })).toThrow(/values must be a list of 2 learning rates ≥ 0 \(one more than the boundaries\), got \[1\]$/);
    expect(bad({ schedule: "cosine_decay", initialLearningRate: 0.1, decaySteps: 10, alpha: 2, warmupSteps: 0 })).toThrow(/alpha must be a number in \[0, 1\], got 2$/);
    expect(() => checkSchedule({ ...exponential, staircase: "yes" }, "adam learningRate")).toThrow(/^adam learningRate: exponential_decay staircase must be true or false, got "yes"$/);
    const opt = createSgd(4, { learningRate: exponential });
    expect(() => (opt.learningRate = 0.5)).toThrow(/^sgd: the learning rate follows its schedule \(exponential_decay\) and cannot be set$/);
  });
});

describe("fit's earlyStopping and reduceLrOnPlateau", () => {
  it("[R14] bad options are refused before training, naming the option", async () => {
    const { mod } = await compileAndImport("model r\ninput x[1]\ntarget y[1]\nout = dense(x, 1)\nloss mse(out, y)\noptimizer sgd(learning_rate = exponential_decay(0.1, 10, 0.5))\n", "r.nn");
    const fit = (opts: Record<string, unknown>) => () => mod.fit(mod.init(1), [[1]], [[1]], opts);
    expect(fit({ earlyStopping: { patience: 3 } })).toThrow(/^fit: earlyStopping monitors 'val_loss', which fit does not log without validationData \(it logs: loss\)$/);
    expect(fit({ earlyStopping: { monitor: "accuracy" } })).toThrow(/^fit: earlyStopping monitors 'accuracy', which fit does not log \(it logs: loss\)$/);
    expect(fit({ earlyStopping: { patiance: 3 } })).toThrow(/^fit: earlyStopping: unknown option 'patiance' \(known: monitor, minDelta, patience, mode, baseline, restoreBestWeights, startFromEpoch\)$/);
    expect(fit({ earlyStopping: { monitor: "loss", patience: -1 } })).toThrow(/^fit: earlyStopping: patience must be a non-negative integer, got -1$/);
    expect(fit({ earlyStopping: 3 })).toThrow(/^fit: earlyStopping must be an object of options, got 3$/);
    expect(fit({ reduceLrOnPlateau: { monitor: "loss", factor: 2 } })).toThrow(/^fit: reduceLrOnPlateau: factor must be a number in \(0, 1\), got 2$/);
    expect(fit({ reduceLrOnPlateau: { monitor: "loss" } })).toThrow(/^fit: reduceLrOnPlateau sets the learning rate, but this optimizer follows a schedule; use one or the other$/);
    expect(fit({ health: "yes" })).toThrow(/^fit: health must be true or false, got "yes"$/);
  });
});

describe("the hvp API", () => {
  it("[R15] a direction or output of the wrong size, and foreign parameters, are refused", async () => {
    const { mod } = await compileAndImport("model r\ninput x[1]\ntarget y[1]\nout = dense(x, 1)\nloss mse(out, y)\n", "r.nn", { hvp: true });
    const m = mod as unknown as {
      hvp(p: Float64Array, x: number[], y: number[], v: Float64Array, out: Float64Array): number;
      hvpBatch(p: Float64Array, xs: number[][], ys: number[][], v: Float64Array, out: Float64Array): number;
    };
    const p = mod.init(1);
    expect(() => m.hvp(p, [1], [1], new Float64Array(3), new Float64Array(2))).toThrow(/^hvp: v has length 3, model 'r' has 2 parameters$/);
    expect(() => m.hvpBatch(p, [[1]], [[1]], new Float64Array(2), new Float64Array(5))).toThrow(/^hvpBatch: out has length 5, model 'r' has 2 parameters$/);
    expect(() => m.hvp(new Float64Array(7), [1], [1], new Float64Array(2), new Float64Array(2))).toThrow(/^hvp: params has length 7, model 'r' has 2 parameters$/);
    expect(() => m.hvpBatch(p, [[1], [2]], [[1]], new Float64Array(2), new Float64Array(2))).toThrow(/^xs has 2 rows but ys has 1$/);
  });
});

/** A health history with these gradient norms per epoch for weight tensors W1, W2, W3. */
function health(norms: number[][]): HealthHistory {
  return { params: norms.map((gradNorm, i) => ({ name: `W${i + 1}`, shape: [2, 2], gradNorm, updateRatio: gradNorm.map(() => NaN) })), activations: [], probeRows: 0 };
}

describe("nnc train's warnings about the gradients", () => {
  it("[C11] a layer's gradient 1,000× smaller than the last layer's: vanishing, once per layer", () => {
    expect(healthWarnings(health([[1e-3, 1e-4, 1e-4], [0.5, 0.5, 0.5], [1, 1, 1]]))).toEqual([
      "vanishing gradient: W1's gradient is 10,000× smaller than the last layer's (W3) in epoch 2 (1.00e-4 against 1): the early layers barely learn. What usually helps: an initializer that keeps the signal's scale through depth (he_normal for relu, glorot_uniform for tanh), an activation that does not saturate (relu instead of sigmoid), or fewer layers",
    ]);
    // 999× is not a warning.
    expect(healthWarnings(health([[1e-3], [1e-3], [0.999]]))).toEqual([]);
  });

  it("[C12] a gradient norm that grows 10× from one epoch to the next: exploding", () => {
    expect(healthWarnings(health([[1, 1.5, 2], [1, 1, 12], [1, 1, 1]]))).toEqual([
      "exploding gradient: W2's gradient norm grew 12× from epoch 2 to epoch 3 (1 to 12). What usually helps: clipping the gradient (clipnorm = 1 in the optimizer), a lower learning rate, or a smaller initializer",
    ]);
    expect(healthWarnings(health([[1, 9.9], [1, 1], [1, 1]]))).toEqual([]);
  });
});

describe("the new flags", () => {
  it("[C4] --early-stopping, --order, --iterations and --emit take what they document", async () => {
    const bad = async (args: string[], message: RegExp) => {
      const r = await nnc(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    };
    await bad(["train", PARITY, "--data", "iris", "--early-stopping", "soon"], /^nnc: error: --early-stopping must be an integer ≥ 0, got 'soon'\. See 'nnc help train'\.\n$/);
    await bad(["grad", PARITY, "--order", "3"], /^nnc: error: --order must be 1 or 2, got '3'\. See 'nnc help grad'\.\n$/);
    await bad(["curvature", PARITY, "--data", "iris", "--iterations", "0"], /^nnc: error: --iterations must be an integer ≥ 1, got '0'\. See 'nnc help curvature'\.\n$/);
    await bad(["curvature", PARITY], /^nnc: error: missing --data FILE \(a \.csv, \.tsv or \.jsonl file, or iris \/ mnist\)\. See 'nnc help curvature'\.\n$/);
    await bad([PARITY, "--emit", "hessian"], /^nnc: error: --emit must be one of ts, ir, program, wat, hvp, got 'hessian'\. See 'nnc help compile'\.\n$/);
  });
});
