// The PyTorch judge: small MLPs that PyTorch built and exported with torch.onnx.export (opsets 9
// to 17; scripts/interop/pytorch_fixtures.py, run once with Debian's python3-torch 1.13.1 and
// python3-onnx 1.12.0), imported by `nnc import`, give PyTorch's recorded outputs, loss and
// parameter gradients: to 1e-9 against PyTorch in float64 from the same float32 weights (how
// nnc computes; measured: 1.3e-13 at worst), and against PyTorch in float32 to 1e-5 (outputs,
// loss) and 1e-4 (gradients, an element below 1% of its tensor's largest compared at that 1%:
// float32's sum over the batch leaves classifier's ∂b_fc1[3] = -6.33e-5 off by 8e-9, in a
// tensor whose largest element is 0.048). The gradients are nnc's symbolic ones (the generated
// grad()). CI needs no Python: the fixtures are committed.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { importOnnx } from "../../compiler/interop/onnx/import.js";
import { expectAgree, loadImported, meanGradient, slice, transposed } from "./helpers.js";

interface Record {
  output: number[][];
  loss: number;
  gradients: { [initializer: string]: { dims: number[]; data: number[] } };
}

interface Fixture {
  made_by: { torch: string; onnx: string };
  opset: number;
  ops: string[];
  loss: string;
  input: number[][];
  target: number[][];
  float32: Record;
  float64: Record;
  checker: string;
}

const FIXTURES = ["classifier", "binary", "regression", "rawmath"];
const path = (name: string, ext: string) => new URL(`./fixtures/pytorch/${name}.${ext}`, import.meta.url).pathname;

describe("PyTorch's ONNX exports imported by nnc (the PyTorch judge)", () => {
  it.each(FIXTURES)("%s: PyTorch's outputs, loss and gradients", async (name) => {
    const fx = JSON.parse(readFileSync(path(name, "json"), "utf8")) as Fixture;
    expect(fx.checker).toBe("passed");
    const imported = importOnnx(path(name, "onnx"), `${name}.nn`);
    // Without a training configuration, the importer chooses the loss the fixture was recorded with.
    expect(imported.text).toContain(`loss ${fx.loss}(`);
    const { mod, params } = await loadImported(imported);
    const { loss, grad } = meanGradient(mod, params, fx.input, fx.target);
    const outputs = mod.predictBatch(params, fx.input);
    for (const [precision, tol] of [["float64", 1e-9], ["float32", 1e-5]] as const) {
      const ref = fx[precision];
      expectAgree(`pytorch ${name} (${precision}): outputs`, outputs, ref.output.flat(), tol);
      expectAgree(`pytorch ${name} (${precision}): loss`, [loss], [ref.loss], tol);
      let compared = 0;
      for (const [param, from] of imported.sources) {
        const [initializer, how] = from.split(", ");
        const g = ref.gradients[initializer!];
        if (!g) throw new Error(`no PyTorch gradient for ${initializer} (${param})`);
        // nnc's W is the initializer transposed where the import says so (MatMul's [in, out] weights).
        const theirs = how === "transposed" ? transposed(g.data, g.dims[0]!, g.dims[1]!) : g.data;
        expectAgree(`pytorch ${name} (${precision}): ∂loss/∂${param}`, slice(mod, grad, param), theirs, precision === "float64" ? tol : 1e-4, precision === "float64" ? 1e-3 : 1e-2);
        compared++;
      }
      expect(compared).toBe(Object.keys(ref.gradients).length);
    }
  });
});
