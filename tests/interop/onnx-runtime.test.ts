// The ONNX Runtime judge: `nnc export --format onnx` of nnc's examples, of a model of every
// layer pattern, of one of every op the exporter writes and of two CNNs (an MNIST-like one, one of
// every image pattern), run in onnxruntime-node (its CPU library), give nnc's predictions (1e-5 relative: the file holds float32 weights, and ORT
// computes in float32). Round trip: the exports whose operators the importer takes come back
// through `nnc import` as the same model (same predictions and gradients), with the loss and
// optimizer nnc keeps in the file's metadata.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyze } from "../../compiler/compile.js";
import { layoutOf } from "../../compiler/interop/layout.js";
import { exportOnnx } from "../../compiler/interop/onnx/export.js";
import { importOnnx } from "../../compiler/interop/onnx/import.js";
import { DATA_TYPE, encodeModel, type OnnxNode, type OnnxTensor } from "../../compiler/interop/onnx/proto.js";
import { EXPORT_MODELS } from "../../scripts/interop/export-models.js";
import { compileAndImport, type GeneratedModule } from "../helpers/generated.js";
import { oneHot, randomMatrix } from "../oracle/tfjs.js";
import { expectAgree, expectSameParams, inLayoutOf, loadImported, meanGradient } from "./helpers.js";

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "nnc-onnx-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Models whose exports use operators outside the importer's table (Erf for gelu, ReduceSum, Pow, Expand). */
const ONE_WAY = new Set(["layers", "math"]);

describe("nnc models exported as ONNX, run by ONNX Runtime (the ORT judge)", () => {
  it.each(EXPORT_MODELS)("$name runs in ONNX Runtime with nnc's outputs; imported back, it is the same model", async ({ name, source }) => {
    const { model } = analyze(source, `${name}.nn`);
    const { mod } = await compileAndImport(source, `${name}.nn`);
    const params = mod.init(2);
    const bytes = exportOnnx(model, layoutOf(model), params);
    const shape = [...model.input.shape];
    const xs = randomMatrix(shape.length > 1 ? 3 : 7, shape.reduce((a, b) => a * b, 1), 31, -1, 1);
    const session = await ort.InferenceSession.create(bytes);
    expect(session.inputNames).toEqual([model.input.name]);
    // An image goes in channels last, as nnc's input is (the file transposes it where a Conv reads it).
    const result = await session.run({ [model.input.name]: new ort.Tensor("float32", Float32Array.from(xs.flat()), [xs.length, ...shape]) });
    const theirs = result[session.outputNames[0]!]!.data as Float32Array;
    const ours = mod.predictBatch(params, xs);
    expectAgree(`onnx runtime ${name}: outputs`, ours, theirs, 1e-5);
    if (ONE_WAY.has(name)) return;

    const file = join(dir, `${name}.onnx`);
    writeFileSync(file, bytes);
    const imported = importOnnx(file, join(dir, `${name}-back.nn`));
    // The loss, optimizer and metrics travel in the metadata.
    for (const line of source.split("\n").filter((l) => /^(loss [a-z]|metrics )/.test(l))) expect(imported.text).toContain(line.replace(/\(\w+, \w+\)/, "("));
    const back = await loadImported(imported);
    // xor's raw `W1 @ x + b1` comes back as a dense layer, with the layer's names for its weights.
    if (name !== "xor") expectSameParams(mod, params, back.mod, back.params, `onnx round trip ${name}`);
    expectAgree(`onnx round trip ${name}: predictions`, back.mod.predictBatch(back.params, xs), ours, 1e-5);
    const outSize = ours.length / xs.length;
    const ys = name === "iris_regularized" ? xs.map((_, i) => [i % 3]) : name === "xor" || name === "parity" ? xs.map((_, i) => [i % 2]) : oneHot(xs.map((_, i) => i % outSize), outSize);
    if (/dropout\(/.test(source)) {
      const loss = (m: GeneratedModule, p: Float64Array) => xs.map((x, i) => m.loss(p, x, ys[i]!));
      expectAgree(`onnx round trip ${name}: inference loss`, loss(back.mod, back.params), loss(mod, params), 1e-5);
    } else if (name !== "xor") {
      const a = meanGradient(mod, params, xs, ys);
      const b = meanGradient(back.mod, back.params, xs, ys);
      expectAgree(`onnx round trip ${name}: gradients`, inLayoutOf(back.mod, b.grad, mod), a.grad, 1e-5, 1e-2);
    }
  });
});

/** A float32 or int64 initializer. */
function tensor(name: string, dims: number[], values: number[], type: number = DATA_TYPE.FLOAT): OnnxTensor {
  if (type === DATA_TYPE.INT64) return { name, dims, dataType: type, int64s: values, external: false };
  const raw = new Uint8Array(values.length * 4);
  values.forEach((v, i) => new DataView(raw.buffer).setFloat32(4 * i, v, true));
  return { name, dims, dataType: type, raw, external: false };
}

const node = (name: string, opType: string, inputs: string[], attributes: OnnxNode["attributes"] = []): OnnxNode => ({ name, opType, domain: "", inputs, outputs: [name], attributes });

describe("ONNX graphs of the other import rows, run by ONNX Runtime and imported by nnc", () => {
  it("Transpose of a weight into MatMul, its bias Add and Relu (one dense layer), Flatten, Reshape, Identity, Dropout, Constant, Sub, Neg", async () => {
    const weights = randomMatrix(1, 5 * 3 + 5 + 5 * 2, 41)[0]!;
    const bytes = encodeModel({
      irVersion: 7,
      opsets: [{ domain: "", version: 13 }],
      producerName: "a test",
      producerVersion: "1",
      metadata: [],
      functions: 0,
      graph: {
        name: "rows",
        sparseInitializers: 0,
        initializers: [
          tensor("W1", [5, 3], weights.slice(0, 15)),
          tensor("b1", [5], weights.slice(15, 20)),
          tensor("W2", [5, 2], weights.slice(20, 30)),
          tensor("shape", [2], [-1, 5], DATA_TYPE.INT64),
          tensor("ratio", [], [0.2]),
        ],
        nodes: [
          node("W1t", "Transpose", ["W1"], [{ name: "perm", type: 7, ints: [1, 0] }]),
          node("l1/MatMul", "MatMul", ["x", "W1t"]),
          node("l1/Add", "Add", ["b1", "l1/MatMul"]),
          node("l1/Relu", "Relu", ["l1/Add"]),
          node("flat", "Flatten", ["l1/Relu"], [{ name: "axis", type: 2, i: 1 }]),
          node("same", "Reshape", ["flat", "shape"]),
          node("id", "Identity", ["same"]),
          node("drop", "Dropout", ["id", "ratio"]),
          node("half", "Constant", [], [{ name: "value_float", type: 1, f: 0.5 }]),
          node("shifted", "Sub", ["drop", "half"]),
          node("neg", "Neg", ["shifted"]),
          node("out", "MatMul", ["neg", "W2"]),
        ],
        inputs: [{ name: "x", elemType: DATA_TYPE.FLOAT, dims: ["N", 3] }],
        outputs: [{ name: "out", elemType: DATA_TYPE.FLOAT, dims: ["N", 2] }],
      },
    });
    const file = join(dir, "rows.onnx");
    writeFileSync(file, bytes);
    const xs = randomMatrix(6, 3, 42);
    const session = await ort.InferenceSession.create(bytes);
    const result = await session.run({ x: new ort.Tensor("float32", Float32Array.from(xs.flat()), [6, 3]) });
    const imported = importOnnx(file, join(dir, "rows.nn"));
    expect(imported.text).toMatch(/^l1 += dense\(x, 5, relu\) +# node 'l1\/MatMul' \(MatMul\) \+ relu$/m);
    expect(imported.text).toMatch(/^drop += dropout\(l1, 0\.2\)/m);
    expect(imported.text).toMatch(/^shifted = drop - 0\.5/m);
    expect(imported.sources.get("W_l1")).toBe("W1, transposed, transposed");
    const { mod, params } = await loadImported(imported);
    expectAgree("onnx runtime: the other import rows", mod.predictBatch(params, xs), result["out"]!.data as Float32Array, 1e-5);
  });
});
