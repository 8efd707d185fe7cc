// The ONNX Runtime judge: `nnc export --format onnx` of nnc's examples, of a model of every
// layer pattern and of one of every op the exporter writes, run in onnxruntime-node (its CPU
// library), give nnc's predictions (1e-5 relative: the file holds float32 weights, and ORT
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
import { EXPORT_MODELS } from "../../scripts/interop/export-models.js";
import { compileAndImport, type GeneratedModule } from "../helpers/generated.js";
import { oneHot, randomMatrix } from "../oracle/tfjs.js";
import { expectAgree, loadImported, meanGradient } from "./helpers.js";

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
    const n = model.input.shape[0]!;
    const xs = randomMatrix(7, n, 31, -1, 1);
    const session = await ort.InferenceSession.create(bytes);
    expect(session.inputNames).toEqual([model.input.name]);
    const result = await session.run({ [model.input.name]: new ort.Tensor("float32", Float32Array.from(xs.flat()), [xs.length, n]) });
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
    expectAgree(`onnx round trip ${name}: predictions`, back.mod.predictBatch(back.params, xs), ours, 1e-5);
    const outSize = ours.length / xs.length;
    const ys = name === "iris_regularized" ? xs.map((_, i) => [i % 3]) : name === "xor" || name === "parity" ? xs.map((_, i) => [i % 2]) : oneHot(xs.map((_, i) => i % outSize), outSize);
    if (/dropout\(/.test(source)) {
      const loss = (m: GeneratedModule, p: Float64Array) => xs.map((x, i) => m.loss(p, x, ys[i]!));
      expectAgree(`onnx round trip ${name}: inference loss`, loss(back.mod, back.params), loss(mod, params), 1e-5);
    } else if (name !== "xor") {
      const a = meanGradient(mod, params, xs, ys);
      const b = meanGradient(back.mod, back.params, xs, ys);
      expectAgree(`onnx round trip ${name}: gradients`, b.grad, a.grad, 1e-5, 1e-2);
    }
  });
});
