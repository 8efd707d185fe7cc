// `metrics mae, mse` (Keras' error metrics) against tfjs-layers: evaluate() and fit()'s
// per-epoch training and validation values, each scored on the batch's own forward pass before
// its update, as Keras and tfjs do. Plus: accuracy as chosen by the loss, and located errors for
// metrics that cannot apply.

import { beforeAll, describe, expect, it } from "vitest";
import { compileAndImport } from "../helpers/generated.js";
import { type LayerParams, copyWeights, expectClose, randomMatrix, tf, tfl, useCpuBackend } from "./tfjs.js";

const source = `model regress
input x[4]
target y[2]
h = dense(x, 8, tanh)
out = dense(h, 2)
loss mse(out, y)
optimizer sgd(lr = 0.1)
metrics mae, mean_squared_error
`;

const MAP: LayerParams = [
  ["W_h", "b_h"],
  ["W_out", "b_out"],
];
const xs = randomMatrix(20, 4, 71, -2, 2);
const ys = randomMatrix(20, 2, 72);
const valXs = randomMatrix(6, 4, 73, -2, 2);
const valYs = randomMatrix(6, 2, 74);

beforeAll(useCpuBackend);

describe("metrics mae, mse vs tfjs-layers", () => {
  it("evaluate and fit history (training and validation) agree", async () => {
    const { mod } = await compileAndImport(source, "regress.nn", { format: false });
    const initial = Float64Array.from(randomMatrix(1, mod.model.paramCount, 75, -0.9, 0.9)[0]!);
    const net = tfl.sequential({
      layers: [tfl.layers.dense({ units: 8, inputShape: [4], activation: "tanh" }), tfl.layers.dense({ units: 2 })],
    });
    net.compile({ optimizer: tf.train.sgd(0.1), loss: "meanSquaredError", metrics: ["mae", "mse"] });
    copyWeights(mod, initial, net, MAP);
    const [x, y, vx, vy] = [tf.tensor2d(xs), tf.tensor2d(ys), tf.tensor2d(valXs), tf.tensor2d(valYs)];

    const before = mod.evaluate(initial, xs, ys) as { loss: number; accuracy: number; mae?: number; mse?: number };
    const [tfLoss, tfMae, tfMse] = (net.evaluate(x, y) as tf.Scalar[]).map((t) => t.dataSync()[0]!);
    expectClose([before.loss, before.mae!, before.mse!], [tfLoss!, tfMae!, tfMse!], "evaluate: loss, mae, mse");
    expect(before.mse).toBeCloseTo(before.loss, 12); // the loss is mse itself
    expect(before.accuracy).toBeNaN();

    const params = initial.slice();
    const history = mod.fit(params, xs, ys, { epochs: 4, batchSize: 8, shuffle: false, validationData: [valXs, valYs] }) as unknown as {
      history: Record<string, number[]>;
    };
    const tfHistory = await net.fit(x, y, { epochs: 4, batchSize: 8, shuffle: false, verbose: 0, validationData: [vx, vy] });
    for (const key of ["loss", "mae", "mse", "val_loss", "val_mae", "val_mse"]) {
      expectClose(history.history[key]!, tfHistory.history[key] as number[], `history.${key}`);
    }
    tf.dispose([x, y, vx, vy]);
    net.dispose();
  });

  it("refuses mae/mse against sparse labels and unknown metrics, at the metric", async () => {
    const sparse = `model s
input x[4]
target k[1]
out = dense(x, 3, softmax)
loss sparse_categorical_crossentropy(out, k)
metrics accuracy, mae
`;
    await expect(compileAndImport(sparse, "s.nn")).rejects.toThrow(/s\.nn:6:19: error: metric 'mae' compares the output 'out' \[3\] with the target 'k' \[1\]/);
    await expect(compileAndImport(sparse.replace("mae", "f1"), "s.nn")).rejects.toThrow(/s\.nn:6:19: error: unknown metric 'f1'/);
  });
});
