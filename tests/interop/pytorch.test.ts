// The PyTorch judge: small MLPs and CNNs that PyTorch built and exported with torch.onnx.export
// (opsets 9 to 17; scripts/interop/pytorch_fixtures.py, run once with Debian's python3-torch
// 1.13.1 and python3-onnx 1.12.0), imported by `nnc import`, give PyTorch's recorded outputs, loss and
// parameter gradients: to 1e-9 against PyTorch in float64 from the same float32 weights (how
// nnc computes; measured: 1.3e-13 at worst), and against PyTorch in float32 to 1e-5 (outputs,
// loss) and 1e-4 (gradients, an element below 1% of its tensor's largest compared at that 1%:
// float32's sum over the batch leaves classifier's ∂b_fc1[3] = -6.33e-5 off by 8e-9, in a
// tensor whose largest element is 0.048). The gradients are nnc's symbolic ones (the generated
// grad()). CI needs no Python: the fixtures are committed.
//
// PyTorch's images are channels first and nnc's channels last: the test lays out the inputs, the
// convolution kernels' gradients ([out, in, kh, kw] against [kh, kw, in, out]) and the columns of
// a dense layer after a flattened image ((C, H, W) against (H, W, C)) itself, from the shapes,
// where the import says it reordered them.

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
  input_shape: number[];
  input: number[][];
  target: number[][];
  float32: Record;
  float64: Record;
  checker: string;
}

const FIXTURES = ["classifier", "binary", "regression", "rawmath", "mnist_cnn", "channels_cnn"];
const path = (name: string, ext: string) => new URL(`./fixtures/pytorch/${name}.${ext}`, import.meta.url).pathname;

/** A sample [C, H, W] (flat, channels first) as [H, W, C]. */
function channelsLast(x: number[], [C, H, W]: number[]): number[] {
  const out: number[] = [];
  for (let h = 0; h < H!; h++) for (let w = 0; w < W!; w++) for (let c = 0; c < C!; c++) out.push(x[(c * H! + h) * W! + w]!);
  return out;
}

/** A convolution weight [out, in, kh, kw] as [kh, kw, in, out]. */
function hwio(k: number[], [O, I, KH, KW]: number[]): number[] {
  const out: number[] = [];
  for (let y = 0; y < KH!; y++) for (let x = 0; x < KW!; x++) for (let i = 0; i < I!; i++) for (let o = 0; o < O!; o++) out.push(k[((o * I! + i) * KH! + y) * KW! + x]!);
  return out;
}

/** A matrix [rows, C·H·W] whose columns follow (C, H, W), with its columns in (H, W, C) order. */
function columnsChannelsLast(m: number[], rows: number, [C, H, W]: number[]): number[] {
  const cols = C! * H! * W!;
  const out: number[] = [];
  for (let r = 0; r < rows; r++) for (let h = 0; h < H!; h++) for (let w = 0; w < W!; w++) for (let c = 0; c < C!; c++) out.push(m[r * cols + (c * H! + h) * W! + w]!);
  return out;
}

/** PyTorch's gradient of an initializer in the layout of nnc's parameter, as the import's note on where it came from says. */
function inNncLayout(g: { dims: number[]; data: number[] }, how: string): ArrayLike<number> {
  let data: ArrayLike<number> = g.data;
  let dims = g.dims;
  if (how.startsWith("[out, in, kh, kw] as [kh, kw, in, out]")) return hwio(g.data, g.dims);
  const columns = /(^|, )columns in nnc's order of \(C, H, W\) of \[(\d+), (\d+), (\d+)\]$/.exec(how);
  if (how.startsWith("transposed")) {
    data = transposed(data, dims[0]!, dims[1]!);
    dims = [dims[1]!, dims[0]!];
  }
  if (columns) return columnsChannelsLast(Array.from(data), dims[0]!, columns.slice(2).map(Number));
  if (how !== "" && how !== "transposed" && !/^\[[\d, ]+\] as \[\d+\]$/.test(how)) throw new Error(`the test does not know the layout '${how}'`);
  return data;
}

describe("PyTorch's ONNX exports imported by nnc (the PyTorch judge)", () => {
  it.each(FIXTURES)("%s: PyTorch's outputs, loss and gradients", async (name) => {
    const fx = JSON.parse(readFileSync(path(name, "json"), "utf8")) as Fixture;
    expect(fx.checker).toBe("passed");
    const imported = importOnnx(path(name, "onnx"), `${name}.nn`);
    // Without a training configuration, the importer chooses the loss the fixture was recorded with.
    expect(imported.text).toContain(`loss ${fx.loss}(`);
    const { mod, params } = await loadImported(imported);
    const xs = fx.input_shape.length === 3 ? fx.input.map((x) => channelsLast(x, fx.input_shape)) : fx.input;
    const { loss, grad } = meanGradient(mod, params, xs, fx.target);
    const outputs = mod.predictBatch(params, xs);
    for (const [precision, tol] of [["float64", 1e-9], ["float32", 1e-5]] as const) {
      const ref = fx[precision];
      expectAgree(`pytorch ${name} (${precision}): outputs`, outputs, ref.output.flat(), tol);
      expectAgree(`pytorch ${name} (${precision}): loss`, [loss], [ref.loss], tol);
      let compared = 0;
      for (const [param, from] of imported.sources) {
        const initializer = from.split(", ")[0]!;
        const g = ref.gradients[initializer];
        if (!g) throw new Error(`no PyTorch gradient for ${initializer} (${param})`);
        // nnc's W is the initializer transposed where the import says so (MatMul's [in, out] weights), a kernel in nnc's layout, columns reordered.
        const theirs = inNncLayout(g, from.slice(initializer.length + 2));
        expectAgree(`pytorch ${name} (${precision}): ∂loss/∂${param}`, slice(mod, grad, param), theirs, precision === "float64" ? tol : 1e-4, precision === "float64" ? 1e-3 : 1e-2);
        compared++;
      }
      expect(compared).toBe(Object.keys(ref.gradients).length);
    }
  });
});
