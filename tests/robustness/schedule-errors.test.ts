// Learning-rate schedules in the model file (`optimizer adam(learning_rate = exponential_decay(…))`):
// what is accepted becomes the optimizer's schedule, with Keras' argument names and defaults;
// every mistake gets a located message (docs/errors.md M40).

import { describe, expect, it } from "vitest";
import { analyze } from "../../compiler/compile.js";
import { NncError } from "../../compiler/diagnostics.js";

const H = "model m\ninput x[2]\ntarget y[1]\nout = dense(x, 1)\nloss mse(out, y)\n";

function diagnose(source: string): NncError {
  try {
    analyze(source, "m.nn");
  } catch (e) {
    if (e instanceof NncError) return e;
    throw e;
  }
  throw new Error("no error");
}

describe("schedules in the model file", () => {
  it("become the optimizer's schedule, Keras' defaults filled in; the first step's rate is the learning rate", () => {
    const exp = analyze(H + "optimizer adam(learning_rate = exponential_decay(0.01, decay_steps = 1000, decay_rate = 0.9))\n", "m.nn").model.optimizer;
    expect(exp.schedule).toEqual({ schedule: "exponential_decay", initialLearningRate: 0.01, decaySteps: 1000, decayRate: 0.9, staircase: false });
    expect(exp.options["learningRate"]).toBe(0.01);
    const cos = analyze(H + "optimizer sgd(cosine_decay(0.1, 500, alpha = 0.01))\n", "m.nn").model.optimizer;
    expect(cos.schedule).toEqual({ schedule: "cosine_decay", initialLearningRate: 0.1, decaySteps: 500, alpha: 0.01, warmupSteps: 0 });
    const warm = analyze(H + "optimizer sgd(lr = cosine_decay(0, 500, warmup_target = 0.1, warmup_steps = 50))\n", "m.nn").model.optimizer;
    expect(warm.schedule).toMatchObject({ warmupTarget: 0.1, warmupSteps: 50 });
    expect(warm.options["learningRate"]).toBe(0);
    const pc = analyze(H + "optimizer sgd(learning_rate = piecewise_constant(boundaries = [100, 200], values = [0.1, 0.01, 0.001]))\n", "m.nn").model.optimizer;
    expect(pc.schedule).toEqual({ schedule: "piecewise_constant", boundaries: [100, 200], values: [0.1, 0.01, 0.001] });
    expect(pc.written).toBe("sgd(learning_rate = piecewise_constant(boundaries = [100, 200], values = [0.1, 0.01, 0.001]))");
  });

  const cases: [string, string, RegExp, string][] = [
    ["an unknown schedule, with a suggestion", "optimizer adam(learning_rate = exponential_decy(0.01, 10, 0.9))", /^unknown learning-rate schedule 'exponential_decy'; did you mean 'exponential_decay'\? \(known: exponential_decay, cosine_decay, piecewise_constant\); or write a number$/, "6:32"],
    ["a schedule argument out of range", "optimizer adam(learning_rate = exponential_decay(0.01, decay_steps = 0, decay_rate = 0.9))", /^'decay_steps' of exponential_decay\(\) must be > 0, got 0$/, "6:70"],
    ["a missing schedule argument", "optimizer sgd(learning_rate = cosine_decay(0.1))", /^cosine_decay\(\) is missing its argument 'decay_steps'$/, "6:31"],
    ["piecewise values that do not fit the boundaries", "optimizer sgd(learning_rate = piecewise_constant([10, 20], [0.1, 0.01]))", /^piecewise_constant\(\) needs one more value than boundaries: 2 boundaries, so 3 values, got 2$/, "6:60"],
    ["piecewise boundaries that do not increase", "optimizer sgd(learning_rate = piecewise_constant([20, 10], [0.1, 0.01, 0.001]))", /^the boundaries of piecewise_constant\(\) must increase, got 20 then 10$/, "6:55"],
    ["piecewise boundaries that are not a list", "optimizer sgd(learning_rate = piecewise_constant(10, [0.1, 0.01]))", /^'boundaries' of piecewise_constant\(\) must be a list of step counts, such as \[1000, 2000\]$/, "6:50"],
  ];
  it.each(cases)("[M40] %s", (_what, line, message, at) => {
    const d = diagnose(`${H}${line}\n`).diagnostic;
    expect(d.message).toMatch(message);
    expect(`${d.line}:${d.column}`).toBe(at);
  });
});
