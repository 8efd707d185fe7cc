// The elementwise losses (mse, mae, binary_crossentropy) take a prediction and a target of any one
// shape, images included, as Keras' do; the categorical ones a vector of class scores. (Once every
// built-in loss wanted a vector, so an autoencoder had to spell out mean((out - y) ^ 2).)

import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/compile.js";
import { NncError } from "../../compiler/diagnostics.js";
import { STRATEGIES, agreement } from "../helpers/agree.js";
import { importCode } from "../helpers/generated.js";
import { testRandom } from "../helpers/fd.js";

const autoencoder = (output: string, loss: string) => `model ae
input x[4, 4, 2]
target y[4, 4, 2]
a = conv2d(x, 3, 3, padding = "same", activation = tanh)
out = conv2d(a, 2, 3, padding = "same"${output})
loss ${loss}
`;

/** Each loss by its definition, on a prediction and a target as flat arrays. */
const BY_HAND: Record<string, (p: number[], y: number[]) => number> = {
  "mse(out, y)": (p, y) => p.reduce((s, v, i) => s + (v - y[i]!) ** 2, 0) / p.length,
  "mae(out, y)": (p, y) => p.reduce((s, v, i) => s + Math.abs(v - y[i]!), 0) / p.length,
  "binary_crossentropy(out, y)": (p, y) => -p.reduce((s, v, i) => s + y[i]! * Math.log(v) + (1 - y[i]!) * Math.log(1 - v), 0) / p.length,
};
const OUTPUT: Record<string, string> = { "mse(out, y)": "", "mae(out, y)": "", "binary_crossentropy(out, y)": ", activation = sigmoid" };

describe("elementwise losses on images", () => {
  for (const loss of Object.keys(BY_HAND)) {
    it(`${loss} computes the mean over every pixel and channel, and its gradient, in every strategy`, async () => {
      const source = autoencoder(OUTPUT[loss]!, loss);
      for (const [strategy, options] of STRATEGIES) {
        const { errors } = await agreement(source, "ae.nn", options);
        expect(Math.max(errors.predict, errors.loss, errors.grad), strategy).toBeLessThan(1e-12);
      }
      const mod = await importCode((await compile(source, "ae.nn")).code);
      const random = testRandom(5);
      const params = mod.init(2);
      const x = Array.from({ length: 32 }, () => random() * 2 - 1);
      const y = Array.from({ length: 32 }, () => random());
      const prediction = Array.from(mod.predict(params, x));
      expect(prediction).toHaveLength(32);
      expect(mod.loss(params, x, y)).toBeCloseTo(BY_HAND[loss]!(prediction, y), 12);
    });
  }
});

describe("class losses", () => {
  const fails = async (source: string): Promise<string> => {
    try {
      await compile(source, "ae.nn");
    } catch (e) {
      if (e instanceof NncError) return e.message;
      throw e;
    }
    throw new Error("compiled");
  };

  it("still want a vector of class scores", async () => {
    expect(await fails(autoencoder("", "categorical_crossentropy(out, y)"))).toMatch(/categorical_crossentropy\(\) needs a prediction vector \(one score per class\), got shape \[4, 4, 2\]/);
    expect(await fails(autoencoder("", "sparse_categorical_crossentropy(out, y)"))).toMatch(/needs a prediction vector \(one score per class\), got shape \[4, 4, 2\]/);
  });
});
