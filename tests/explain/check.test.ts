// `nnc check`: passes on every example (and on models with dropout, kinks and penalties),
// and fails when a derivative rule in the op table is wrong.

import { afterEach, describe, expect, it, vi } from "vitest";
import { checkGradients, checkText } from "../../compiler/explain/gradient-check.js";
import { main } from "../../compiler/cli/main.js";
import { opDef } from "../../compiler/ops/registry.js";
import type { Vjp } from "../../compiler/ops/op-def.js";
import { ALL_MODELS, model } from "./helpers.js";

/** Replaces an op's derivative rule until the test ends. */
function injectWrongRule(op: string, wrong: Vjp): void {
  const def = opDef(op);
  const original = def.vjp;
  def.vjp = wrong;
  restore.push(() => (def.vjp = original));
}
const restore: (() => void)[] = [];
afterEach(() => {
  while (restore.length > 0) restore.pop()!();
  vi.restoreAllMocks();
});

describe("nnc check", () => {
  it.each(ALL_MODELS)("passes on $file", async (m) => {
    const r = await checkGradients(m.source, m.file, { points: 2, seed: 1 });
    expect(r.pass, checkText(m.file, r)).toBe(true);
    for (const p of r.params) expect(p.compared).toBeGreaterThan(0);
  });

  it("takes inputs and targets of any rank: an image in, an image out (once an internal error: the input size read as shape[0])", async () => {
    const source = `model seg\ninput img[6, 5, 2]\ntarget y[6, 5, 3]\nh = conv2d(img, 3, [3, 2], padding = "same", activation = sigmoid)\nloss = mean((h - y) ^ 2)\n`;
    for (const unroll of ["auto", "never"] as const) {
      const r = await checkGradients(source, "seg.nn", { points: 2, seed: 2, unroll });
      expect(r.pass, checkText("seg.nn", r)).toBe(true);
      expect(r.params.map((p) => p.compared)).toEqual([72, 6]); // every element of K_h [3, 2, 2, 3] and b_h [3], at both points
    }
  });

  it("passes on the MNIST CNN at seed 0, where a relu crossing zero within the step once failed it", async () => {
    // One of the 784 relu units K_c1[125] feeds changes sign within ±1e-5 at point 1: too small a jump
    // for the one-sided slopes to show, it moved the central difference by 5e-4 (relative). The
    // check now confirms a failure with a 16 times smaller step before reporting it.
    const m = model("mnist_cnn");
    const r = await checkGradients(m.source, m.file, { points: 2, seed: 0 });
    expect(r.pass, checkText(m.file, r)).toBe(true);
    expect(r.params.find((p) => p.name === "K_c1")!.kinks).toBeGreaterThan(0);
  }, 60_000);

  it("checks the loop lowering too", async () => {
    const m = model("xor");
    const r = await checkGradients(m.source, m.file, { points: 2, unroll: "never" });
    expect(r.pass, checkText(m.file, r)).toBe(true);
  });

  // Inputs, targets and outputs of any rank: an image in, an image out (an autoencoder's
  // shape), and an image in with a vector out. (Once check read only their first dimension.)
  const IMAGES: Record<string, string> = {
    autoencoder: `model ae\ninput x[4, 4, 2]\ntarget y[4, 4, 2]\na = conv2d(x, 3, 3, padding = "same", activation = tanh)\nout = conv2d(a, 2, 3, padding = "same")\nloss = mean((out - y) ^ 2)\n`,
    classifier: `model c\ninput x[7, 7, 2]\ntarget y[3]\nh = conv2d(x, 3, [3, 2], strides = 2, padding = "same", activation = tanh)\np = max_pool2d(h, 2, padding = "same")\nout = dense(flatten(p), 3, softmax)\nloss categorical_crossentropy(out, y)\n`,
  };
  it.each(
    Object.keys(IMAGES).flatMap((name) =>
      [
        [name, { batch: "always" }, "batched"],
        [name, { batch: "never", unroll: "always" }, "unrolled"],
        [name, { batch: "never", unroll: "never" }, "loops"],
      ] as const,
    ),
  )("passes on a model with images (%s), checking the kernels of %o", async (name, options, strategy) => {
    const r = await checkGradients(IMAGES[name]!, `${name}.nn`, { points: 1, ...options });
    expect(r.strategy).toBe(strategy);
    expect(r.pass, checkText(`${name}.nn`, r)).toBe(true);
    for (const p of r.params) expect(p.compared).toBeGreaterThan(0);
  });

  it("checks the kernels --batch and --unroll ask for, from the command line", async () => {
    const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    expect(await main(["check", model("parity").file, "--points", "1", "--batch", "always"])).toBe(0);
    expect(await main(["check", model("parity").file, "--points", "1", "--batch", "never", "--unroll", "never"])).toBe(0);
    const text = out.mock.calls.map((c) => String(c[0])).join("");
    expect(text).toMatch(/, batched kernels\n[\s\S]*, per-sample kernels \(loops\)\n/);
  });

  it("differences the training loss with replayed masks when the model has dropout", async () => {
    const m = model("classifier");
    const r = await checkGradients(m.source, m.file, { points: 1 });
    expect(r.against).toBe("training loss");
  });

  it("fails when tanh's derivative is off by 0.1%, on exactly the parameters upstream of the tanh", async () => {
    // tanh' = 1 − y², scaled by 1.001
    injectWrongRule("tanh", (g, node, graph) => [graph.mul(g, graph.mul(graph.const(1.001), graph.sub(graph.const(1), graph.mul(node, node))))]);
    const m = model("xor");
    const r = await checkGradients(m.source, m.file, { points: 2 });
    const verdict = Object.fromEntries(r.params.map((p) => [p.name, p.pass]));
    expect(verdict).toEqual({ W1: false, b1: false, W2: true, b2: true });
    expect(r.pass).toBe(false);
    expect(checkText(m.file, r)).toMatch(/W1 .* FAIL .*at element/);
  });

  it("fails when the matrix product's input gradient has the wrong sign, only below that layer", async () => {
    injectWrongRule("matvec", (g, node, graph) => {
      const [w, x] = node.inputs as [typeof node, typeof node];
      return [graph.outer(g, x), graph.mul(graph.matvecT(w, g), graph.const(-1, x.shape))];
    });
    const m = model("parity");
    const r = await checkGradients(m.source, m.file, { points: 2 });
    expect(r.params.find((p) => p.name === "W_h")!.pass).toBe(false);
    expect(r.params.find((p) => p.name === "W_out")!.pass).toBe(true);
  });

  it("exits 1 from the command line on failure and 0 on success", async () => {
    const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    expect(await main(["check", model("parity").file, "--points", "1"])).toBe(0);
    // σ' taken as σ instead of σ(1 − σ)
    injectWrongRule("sigmoid", (g, node, graph) => [graph.mul(g, node)]);
    expect(await main(["check", model("parity").file, "--points", "1"])).toBe(1);
    expect(out.mock.calls.map((c) => String(c[0])).join("")).toMatch(/FAIL: \d of 4 parameters/);
  });

  it("rejects bad options with a message, not a stack trace", async () => {
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    expect(await main(["check", model("parity").file, "--points", "0"])).toBe(2); // a usage error
    expect(String(err.mock.calls[0]![0])).toMatch(/--points must be an integer from 1 to 1000, got '0'/);
  });
});
