// Image models nnc cannot import or export as they are (docs/errors.md, I15–I23): windows nnc's
// convolutions and poolings do not have (other pads, SAME_LOWER where it differs, ceil_mode
// where it adds a window, count_include_pad with padding, groups, pooling that drops rows),
// layouts nnc cannot hold, a layer applied to a value of the wrong rank, a convolution
// TensorFlow.js cannot run, and what the ONNX export cannot write. Each is one InteropError
// naming the file, the layer or node, and what nnc supports. The files start from good ones: a
// small CNN tfjs-layers saved, and an ONNX graph of the same shape (Conv - Relu - MaxPool -
// Flatten - Gemm - Softmax) that imports.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, copyFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyze } from "../../compiler/compile.js";
import { InteropError } from "../../compiler/interop/errors.js";
import { layoutOf } from "../../compiler/interop/layout.js";
import { exportOnnx } from "../../compiler/interop/onnx/export.js";
import { importOnnx } from "../../compiler/interop/onnx/import.js";
import { DATA_TYPE, encodeModel, type OnnxAttribute, type OnnxNode, type OnnxTensor } from "../../compiler/interop/onnx/proto.js";
import { exportTfjs } from "../../compiler/interop/tfjs/export.js";
import { importTfjs } from "../../compiler/interop/tfjs/import.js";
import { save } from "../interop/tfjs-files.js";
import { tfl, useCpuBackend } from "../oracle/tfjs.js";

let dir = "";
let good = "";
beforeAll(async () => {
  await useCpuBackend();
  dir = mkdtempSync(join(tmpdir(), "nnc-interop-images-"));
  good = join(dir, "good", "model.json");
  const net = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3, padding: "same", activation: "relu", name: "c" }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: "p" }),
      tfl.layers.flatten({ name: "f" }),
      tfl.layers.dense({ units: 3, activation: "softmax", name: "out" }),
    ],
  });
  await save(net, good);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let count = 0;
/** A copy of the good tfjs CNN, its model.json changed by `edit` (the layers' list). */
function tfjsVariant(edit: (layers: Record<string, any>[], json: Record<string, any>) => void): string {
  const folder = join(dir, `t${count++}`);
  mkdirSync(folder);
  for (const f of readdirSync(join(dir, "good"))) copyFileSync(join(dir, "good", f), join(folder, f));
  const json = JSON.parse(readFileSync(join(folder, "model.json"), "utf8"));
  edit(json["modelTopology"].config.layers, json);
  writeFileSync(join(folder, "model.json"), JSON.stringify(json));
  return join(folder, "model.json");
}

const ints = (name: string, v: number[]): OnnxAttribute => ({ name, type: 7, ints: v });
const int = (name: string, i: number): OnnxAttribute => ({ name, type: 2, i });
const text = (name: string, s: string): OnnxAttribute => ({ name, type: 3, s: new TextEncoder().encode(s) });

function tensor(name: string, dims: number[], fill: (i: number) => number = (i) => Math.sin(i + dims.length)): OnnxTensor {
  const n = dims.reduce((a, b) => a * b, 1);
  const raw = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) new DataView(raw.buffer).setFloat32(4 * i, fill(i), true);
  return { name, dims, dataType: DATA_TYPE.FLOAT, raw, external: false };
}

interface Graph {
  size: number;
  nodes: OnnxNode[];
  output: string;
}

/** x[N, 1, size, size] -> Conv 'c' (2 filters, 3 × 3, same pads) -> Relu -> MaxPool 'p' (2) -> Flatten -> Gemm 'fc' -> Softmax, changed by `edit`. */
function onnxVariant(edit: (g: Graph) => void = () => {}): string {
  const node = (name: string, opType: string, inputs: string[], attributes: OnnxAttribute[] = []): OnnxNode => ({ name, opType, domain: "", inputs, outputs: [name], attributes });
  const g: Graph = {
    size: 6,
    nodes: [
      node("c", "Conv", ["x", "W1", "b1"], [ints("kernel_shape", [3, 3]), ints("pads", [1, 1, 1, 1])]),
      node("r", "Relu", ["c"]),
      node("p", "MaxPool", ["r"], [ints("kernel_shape", [2, 2]), ints("strides", [2, 2])]),
      node("f", "Flatten", ["p"], [int("axis", 1)]),
      node("fc", "Gemm", ["f", "W2", "b2"], [int("transB", 1)]),
      node("out", "Softmax", ["fc"], [int("axis", 1)]),
    ],
    output: "out",
  };
  edit(g);
  const file = join(dir, `o${count++}.onnx`);
  const bytes = encodeModel({
    irVersion: 7,
    opsets: [{ domain: "", version: 13 }],
    producerName: "a test",
    producerVersion: "1",
    metadata: [],
    functions: 0,
    graph: {
      name: "cnn",
      sparseInitializers: 0,
      initializers: [tensor("W1", [2, 1, 3, 3]), tensor("b1", [2]), tensor("W2", [3, 18]), tensor("b2", [3])],
      nodes: g.nodes,
      inputs: [{ name: "x", elemType: DATA_TYPE.FLOAT, dims: ["N", 1, g.size, g.size] }],
      outputs: [{ name: g.output, elemType: DATA_TYPE.FLOAT, dims: ["N", 3] }],
    },
  });
  writeFileSync(file, bytes);
  return file;
}

const find = (g: Graph, name: string) => g.nodes.find((n) => n.name === name)!;
const setAttr = (n: OnnxNode, a: OnnxAttribute) => (n.attributes = [...n.attributes.filter((b) => b.name !== a.name), a]);

function importError(run: () => unknown, file: string): string {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(InteropError);
    const message = (e as Error).message;
    expect(message.startsWith(file), message).toBe(true);
    return message.slice(file.length);
  }
  throw new Error(`no error importing ${file}`);
}

const tfjsError = (file: string) => importError(() => importTfjs(file, join(dir, "out.nn")), file);
const onnxError = (file: string) => importError(() => importOnnx(file, join(dir, "out.nn")), file);

describe("image models nnc cannot take as they are (docs/errors.md I15–I23)", () => {
  it("the good files import", () => {
    expect(importTfjs(good, join(dir, "good.nn")).text).toMatch(/^c += conv2d\(x, 2, 3, padding = same, activation = relu/m);
    expect(importOnnx(onnxVariant(), join(dir, "good.nn")).text).toMatch(/^c += conv2d\(x, 2, 3, padding = same, activation = relu\)/m);
  });

  it("[I15] pads other than none or TensorFlow's same; SAME_LOWER where it differs; tfjs' causal padding", () => {
    expect(onnxError(onnxVariant((g) => setAttr(find(g, "c"), ints("pads", [1, 1, 0, 0]))))).toBe(
      ": node 'c' (Conv): pads [1, 1, 0, 0] are not supported: nnc pads nothing (valid) or as TensorFlow's same, which here is [1, 1, 1, 1] (top, left, bottom, right)",
    );
    const lower = (stride: number) => (g: Graph) => {
      const c = find(g, "c");
      c.attributes = [ints("kernel_shape", [3, 3]), ints("strides", [stride, stride]), text("auto_pad", "SAME_LOWER")];
    };
    expect(onnxError(onnxVariant(lower(2)))).toBe(
      ": node 'c' (Conv): auto_pad SAME_LOWER puts the odd row or column of padding first (here [1, 1, 0, 0]); nnc pads as TensorFlow's same (SAME_UPPER, [0, 0, 1, 1]) or not at all",
    );
    // Where SAME_LOWER pads as SAME_UPPER does (an even total), it is the same model.
    expect(importOnnx(onnxVariant(lower(1)), join(dir, "lower.nn")).text).toContain("conv2d(x, 2, 3, padding = same");
    expect(tfjsError(tfjsVariant((l) => (l[0]!["config"].padding = "causal")))).toBe(`: layer 'c' (Conv2D): padding "causal" is not supported (nnc pads "valid" or "same")`);
  });

  it("[I16] ceil_mode where it adds a window", () => {
    expect(onnxError(onnxVariant((g) => {
      g.size = 7;
      setAttr(find(g, "p"), int("ceil_mode", 1));
    }))).toBe(": node 'p' (MaxPool): ceil_mode 1 makes [4, 4] windows where rounding down makes [3, 3]; nnc's pooling rounds down, as TensorFlow's (ceil_mode 0), and imports ceil_mode 1 only where the two agree");
    // Where the windows tile the image, ceil_mode changes nothing.
    expect(importOnnx(onnxVariant((g) => setAttr(find(g, "p"), int("ceil_mode", 1))), join(dir, "ceil.nn")).text).toMatch(/^p += max_pool2d\(c, 2\)/m);
  });

  it("[I17] count_include_pad with padding", () => {
    const average = (include: number, pads: number[]) => (g: Graph) => {
      const p = find(g, "p");
      p.opType = "AveragePool";
      p.attributes = [ints("kernel_shape", [3, 3]), ints("strides", [1, 1]), ints("pads", pads), int("count_include_pad", include)];
      find(g, "f").inputs = ["p"];
    };
    expect(onnxError(onnxVariant(average(1, [1, 1, 1, 1])))).toBe(": node 'p' (AveragePool): count_include_pad 1 counts the padding's zeros in each mean; nnc (as TensorFlow) averages only the taps inside the image");
    // Without padding there is nothing to count: [N, 2, 4, 4] flattens to 32, which the Gemm's weight does not take.
    expect(onnxError(onnxVariant(average(1, [0, 0, 0, 0])))).toMatch(/^: node 'fc' \(Gemm\): the weight has dims \[3, 18\] \(transB\), which takes 18 inputs; the node's input has 32$/);
  });

  it("[I18] grouped convolutions", () => {
    expect(onnxError(onnxVariant((g) => setAttr(find(g, "c"), int("group", 2))))).toBe(": node 'c' (Conv): group 2 is not supported (nnc's conv2d connects every input channel to every filter: group 1)");
    expect(tfjsError(tfjsVariant((l) => (l[0]!["config"].groups = 2)))).toBe(": layer 'c' (Conv2D): groups 2 is not supported (nnc's conv2d connects every input channel to every filter: groups 1)");
  });

  it("[I19] pooling whose windows drop the last rows or columns", () => {
    expect(onnxError(onnxVariant((g) => (g.size = 7)))).toBe(
      ": node 'p' (MaxPool): a window of 2 with stride 2 over the height 7 drops the last 1 (padding valid); nnc's pooling never drops rows or columns, so this model cannot be imported as it is (pool an image whose size the windows tile, or use padding same)",
    );
    expect(tfjsError(tfjsVariant((l) => (l[0]!["config"].batch_input_shape = [null, 7, 7, 1])))).toMatch(/^: layer 'p' \(MaxPooling2D\): a window of 2 with stride 2 over the height 7 drops the last 1 \(padding valid\); nnc's pooling never drops rows/);
  });

  it("[I20] layouts nnc cannot hold: channels first in Keras, a transposed image, a transposed batch, an image's order at the output", () => {
    expect(tfjsError(tfjsVariant((l) => (l[1]!["config"].data_format = "channels_first")))).toBe(`: layer 'p' (MaxPooling2D): data_format "channels_first" is not supported (nnc's images are channels last: [height, width, channels])`);
    const transposeBefore = (perm: number[]) => (g: Graph) => {
      g.nodes.splice(2, 0, { name: "t", opType: "Transpose", domain: "", inputs: ["r"], outputs: ["t"], attributes: [ints("perm", perm)] });
      find(g, "p").inputs = ["t"];
    };
    expect(onnxError(onnxVariant(transposeBefore([0, 2, 3, 1])))).toMatch(/^: node 'p' \(MaxPool\): its input \[N, 6, 6, 2\] is channels first in a layout that nnc holds otherwise/);
    expect(onnxError(onnxVariant(transposeBefore([1, 0, 2, 3])))).toBe(": node 't' (Transpose): perm [1, 0, 2, 3] must keep the batch first and reorder the other 3 axes; nnc transposes no batch");
    expect(onnxError(onnxVariant((g) => {
      g.nodes = g.nodes.slice(0, 4);
      g.output = "f";
    }))).toMatch(/: the graph's output holds an image's elements channels first \(\(C, H, W\) of \[2, 3, 3\]\); nnc would give them channels last, so it is refused rather than reordered$/);
  });

  it("[I21] a convolution both strided and dilated, exported for TensorFlow.js", () => {
    const { model } = analyze("model m\ninput x[9, 9, 1]\ntarget y[4]\nh = conv2d(x, 1, 3, strides = 2, dilation_rate = 2)\nout = dense(flatten(h), 4)\nloss mse(out, y)\n", "m.nn");
    const layout = layoutOf(model);
    expect(() => exportTfjs(model, layout, new Float64Array(layout.paramCount), "m.bin")).toThrow(
      "m.nn:4: 'h = conv2d(x, 1, 3, strides = 2, dilation_rate = 2)': Conv2D of a convolution with both strides and dilation_rate above 1, which TensorFlow.js cannot run; export this model as ONNX instead",
    );
  });

  it("[I23] what nnc's ONNX export cannot write: a convolution of parameters alone, an op without an ONNX row, a matrix computed from the input", () => {
    const refused = (source: string) => {
      const { model } = analyze(source, "m.nn");
      const layout = layoutOf(model);
      return () => exportOnnx(model, layout, new Float64Array(layout.paramCount));
    };
    const head = "model m\ninput x[4]\ntarget y[2]\n";
    expect(refused(`${head}param P[4, 4, 1] ~ ones\nc = conv2d(P, 1, 3)\nout = dense(x * sum(c), 2)\nloss mse(out, y)\n`)).toThrow("m.nn:5: 'c = conv2d(P, 1, 3)': a convolution of parameters alone cannot be written as ONNX by nnc");
    expect(refused(`${head}param A[2, 3] ~ ones\nparam B[3, 4] ~ ones\nout = dense(x * sum(A @ B), 2)\nloss mse(out, y)\n`)).toThrow("m.nn:6: 'out = dense(x * sum(A @ B), 2)': its op 'matmul' has no ONNX form in nnc's exporter");
    expect(refused(`${head}param v[2] ~ ones\nM = reshape(x, [2, 2])\nout = dense(M @ v, 2)\nloss mse(out, y)\n`)).toThrow("m.nn:6: 'out = dense(M @ v, 2)': a matrix computed from the input cannot be written as ONNX by nnc");
  });

  it("[I12] a Pad that pads (a Pad of zeros, as PyTorch writes before AveragePool, is nothing)", () => {
    const padded = (pads: number[]) => (g: Graph) => {
      g.nodes.splice(2, 0, { name: "pad", opType: "Pad", domain: "", inputs: ["r", "pads"], outputs: ["pad"], attributes: [] }, { name: "pads", opType: "Constant", domain: "", inputs: [], outputs: ["pads"], attributes: [{ name: "value", type: 4, t: { name: "", dims: [8], dataType: DATA_TYPE.INT64, int64s: pads, external: false } }] });
      find(g, "p").inputs = ["pad"];
    };
    expect(onnxError(onnxVariant(padded([0, 0, 1, 1, 0, 0, 1, 1])))).toBe(": node 'pad' (Pad): pads [0, 0, 1, 1, 0, 0, 1, 1] are not supported (nnc pads only inside a convolution or pooling, as padding same; a Pad of all zeros is nothing)");
    expect(importOnnx(onnxVariant(padded([0, 0, 0, 0, 0, 0, 0, 0])), join(dir, "pad.nn")).text).toMatch(/^p += max_pool2d\(c, 2\)/m);
  });

  it("[I22] a layer of the wrong rank: Dense or Gemm of an image, a convolution of a vector, softmax over an image, an image output", () => {
    expect(tfjsError(tfjsVariant((l) => l.splice(2, 1)))).toBe(": layer 'out' (Dense): its input has shape [3, 3, 2]; Keras applies Dense to the last axis, nnc's dense() takes a vector: add a Flatten layer before it");
    expect(tfjsError(tfjsVariant((l) => (l[0]!["config"].batch_input_shape = [null, 36])))).toBe(": layer 'c' (Conv2D): its input has shape [36]; it needs an image [height, width, channels]");
    expect(tfjsError(tfjsVariant((l) => (l[0]!["config"].activation = "softmax")))).toBe(": layer 'c' (Conv2D): activation softmax of a value of shape [6, 6, 2] is not supported (Keras applies it along the last axis; nnc's softmax takes a vector: flatten first)");
    expect(tfjsError(tfjsVariant((l) => l.splice(2, 2)))).toBe(": the model's output 'p' has shape [3, 3, 2]; nnc models output a vector (add a Flatten layer)");
    expect(onnxError(onnxVariant((g) => (find(g, "fc").inputs[0] = "p")))).toBe(": node 'fc' (Gemm): its input has dims [N, 2, 3, 3]; nnc applies it to a vector [N, k] (Flatten first)");
    const flatFirst = (g: Graph) => {
      g.nodes.splice(2, 0, { name: "flat", opType: "Flatten", domain: "", inputs: ["r"], outputs: ["flat"], attributes: [] });
      find(g, "p").inputs = ["flat"];
    };
    expect(onnxError(onnxVariant(flatFirst))).toBe(": node 'p' (MaxPool): its input has dims [N, 72]; it needs an image [N, channels, height, width]");
  });
});
