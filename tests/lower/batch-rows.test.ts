// Batched kernels of a model with large values per row (images) hold fewer rows, so that their
// buffers stay within lower.ts's BUFFER_BYTES; the kernels themselves index rows by the runtime
// row count. The Program with fewer rows is the one lowered for that many rows from the start
// (lower.ts no longer lowers everything a second time to get it).

import { describe, expect, it } from "vitest";
import { analyze } from "../../compiler/compile.js";
import { moduleNames } from "../../compiler/emit/module.js";
import { lower } from "../../compiler/lower/lower.js";
import { batch } from "../../compiler/passes/batch.js";

const IMAGES = `model big\ninput x[64, 64, 3]\ntarget y[4]\nc = conv2d(x, 16, 3, activation = relu)\np = max_pool2d(c, 2)\nout = dense(flatten(p), 4, softmax)\nloss categorical_crossentropy(out, y)\n`;
// No product of row vectors to fuse: the fused training step would take every row the buffers hold.
const CONV_ONLY = `model conv\ninput x[64, 64, 3]\ntarget y[16]\nc = conv2d(x, 16, 3, activation = relu)\nout = global_average_pool2d(c)\nloss mse(out, y)\noptimizer sgd(lr = 0.01)\n`;

describe("batched kernels of large images", () => {
  it.each([
    ["a CNN", IMAGES],
    ["a convolution alone, whose fused step takes as many rows as the buffers hold", CONV_ONLY],
  ])("hold fewer rows, in exactly the Program lowered for that many rows: %s", (_name, source) => {
    const { derived } = analyze(source, "big.nn");
    const reserved = moduleNames();
    const auto = lower(batch(derived), { batch: "always", reserved });
    expect(auto.maxBatch).toBeLessThan(256);
    expect(auto.buffers.reduce((n, b) => n + b.length, 0) * 8).toBeLessThanOrEqual(48 * 2 ** 20);
    const direct = lower(batch(derived), { batch: "always", maxBatch: auto.maxBatch, reserved });
    expect(auto).toEqual(direct);
    if (auto.kernels.trainRows !== undefined) expect(auto.kernels.trainRows).toBeLessThanOrEqual(auto.maxBatch);
  });
});
