// Bad files for `nnc import` and models `nnc export` cannot write (docs/errors.md, the I rows):
// each gets one InteropError naming the file and the part (the layer, node, weight, shard,
// byte), never a stack trace; through the real `nnc`, exit code 1 and nothing written. The
// damaged files start from good ones: a model tfjs-layers saved, PyTorch's classifier.onnx.

import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InteropError } from "../../compiler/interop/errors.js";
import { importOnnx } from "../../compiler/interop/onnx/import.js";
import { decodeModel, encodeModel, type OnnxModel } from "../../compiler/interop/onnx/proto.js";
import { importTfjs } from "../../compiler/interop/tfjs/import.js";
import { tfl, useCpuBackend } from "../oracle/tfjs.js";
import { save } from "../interop/tfjs-files.js";
import { saveModelParams } from "../../runtime/params-json.js";

const NNC = fileURLToPath(new URL("../../bin/nnc.js", import.meta.url));
const CLASSIFIER = fileURLToPath(new URL("../interop/fixtures/pytorch/classifier.onnx", import.meta.url));

let dir = "";
let good = "";
beforeAll(async () => {
  await useCpuBackend();
  dir = mkdtempSync(join(tmpdir(), "nnc-interop-files-"));
  good = join(dir, "good", "model.json");
  const net = tfl.sequential({ layers: [tfl.layers.dense({ units: 3, inputShape: [2], activation: "relu", name: "h" }), tfl.layers.dense({ units: 1, activation: "sigmoid", name: "out" })] });
  await save(net, good, { shards: 2 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let count = 0;
/** A copy of the good tfjs model, changed by `edit` (its model.json as an object, its folder). */
function tfjsVariant(edit: (json: Record<string, any>, folder: string) => void): string {
  const folder = join(dir, `t${count++}`);
  mkdirSync(folder);
  for (const f of readdirSync(join(dir, "good"))) copyFileSync(join(dir, "good", f), join(folder, f));
  const json = JSON.parse(readFileSync(join(folder, "model.json"), "utf8"));
  edit(json, folder);
  writeFileSync(join(folder, "model.json"), JSON.stringify(json));
  return join(folder, "model.json");
}

/** classifier.onnx decoded, changed by `edit`, encoded again. */
function onnxVariant(edit: (m: OnnxModel) => void): string {
  const model = decodeModel(readFileSync(CLASSIFIER));
  edit(model);
  const file = join(dir, `o${count++}.onnx`);
  writeFileSync(file, encodeModel(model));
  return file;
}

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

describe("bad TensorFlow.js files (docs/errors.md I1–I6)", () => {
  it("[I1] truncated JSON; a graph model", () => {
    const cut = tfjsVariant(() => {});
    writeFileSync(cut, readFileSync(good, "utf8").slice(0, 300));
    expect(tfjsError(cut)).toMatch(/^: not valid JSON \(.*\); is the file complete\?$/);
    expect(tfjsError(tfjsVariant((j) => (j["format"] = "graph-model")))).toMatch(/^: this is a TensorFlow\.js graph model .* nnc imports layers models/);
  });

  it("[I2] a missing shard; a shard of the wrong size", () => {
    expect(tfjsError(tfjsVariant((_, f) => unlinkSync(join(f, "group1-shard2of2.bin"))))).toBe(": weights manifest group 1: cannot read shard 'group1-shard2of2.bin': no such file");
    expect(tfjsError(tfjsVariant((_, f) => truncateSync(join(f, "group1-shard1of2.bin"), 8)))).toMatch(
      /^: weights manifest group 1: its 4 weights take 52 bytes, but its shards \('group1-shard1of2\.bin', 'group1-shard2of2\.bin'\) hold \d+; a shard is missing, truncated or from another model$/,
    );
  });

  it("[I3] an unknown layer; a setting nnc cannot carry over; an activation nnc lacks", () => {
    expect(tfjsError(tfjsVariant((j) => (j["modelTopology"].config.layers[1].class_name = "LSTM")))).toMatch(/^: layer 'out' \(LSTM\) is not supported; nnc imports Dense, Activation, Dropout, .*, Conv2D, .* and InputLayer$/);
    expect(tfjsError(tfjsVariant((j) => (j["modelTopology"].config.layers[0].config.bias_regularizer = { class_name: "L2", config: { l2: 1 } })))).toMatch(/^: layer 'h' \(Dense\): bias_regularizer .* is not supported \(nnc has no counterpart\)$/);
    expect(tfjsError(tfjsVariant((j) => (j["modelTopology"].config.layers[0].config.activation = "hardSigmoid")))).toMatch(/^: layer 'h' \(Dense\): activation "hardSigmoid" is not supported \(nnc imports linear, relu, /);
  });

  it("[I4] a weight missing from the manifest; a kernel of the wrong shape", () => {
    expect(tfjsError(tfjsVariant((j) => (j["weightsManifest"][0].weights[2].name = "other/kernel")))).toMatch(/^: layer 'out' \(Dense\): the weights manifest has no weight 'out\/kernel' \(it has 'h\/kernel', 'h\/bias', 'other\/kernel', 'out\/bias'\)$/);
    expect(tfjsError(tfjsVariant((j) => (j["modelTopology"].config.layers[0].config.units = 4)))).toBe(": layer 'h' (Dense): weight 'h/kernel' has shape [2, 3]; the layer needs [2, 4] (inputs × units)");
  });

  it("[I5] a layer graph nnc cannot take: a cycle, two outputs, an input of unknown size", () => {
    const functional = (layers: unknown[], outputs = [["b", 0, 0]]) => (j: Record<string, any>) => {
      j["modelTopology"] = { class_name: "Model", config: { name: "m", layers, input_layers: [["in", 0, 0]], output_layers: outputs } };
    };
    const input = { name: "in", class_name: "InputLayer", config: { batch_input_shape: [null, 2], name: "in" }, inbound_nodes: [] };
    const act = (name: string, from: string) => ({ name, class_name: "Activation", config: { activation: "relu", name }, inbound_nodes: [[[from, 0, 0, {}]]] });
    expect(tfjsError(tfjsVariant(functional([input, act("a", "b"), act("b", "a")])))).toBe(": layer 'b' depends on itself (a cycle through 'a'); a model is a graph without cycles");
    expect(tfjsError(tfjsVariant(functional([input, act("a", "in"), act("b", "in")], [["a", 0, 0], ["b", 0, 0]])))).toBe(": the model has 2 outputs ('a', 'b'); nnc models have one output");
    expect(tfjsError(tfjsVariant((j) => (j["modelTopology"].config.layers[0].config.batch_input_shape = [null, null, null, 1])))).toBe(
      ": the input 'x' has shape [None, None, 1]; nnc imports models whose input has a known size in every dimension (a vector [n] or an image [height, width, channels])",
    );
  });

  it("[I6] a training config nnc has no counterpart for", () => {
    const training = (t: unknown) => tfjsVariant((j) => (j["trainingConfig"] = t));
    expect(tfjsError(training({ loss: "hinge", optimizer_config: { class_name: "SGD", config: { learningRate: 0.1 } } }))).toMatch(/^: training config: the loss "hinge" is not one nnc has \(it has mse, mae, /);
    expect(tfjsError(training({ loss: "mse", optimizer_config: { class_name: "Adamax", config: {} } }))).toMatch(/^: training config: the optimizer "Adamax" is not one nnc has/);
  });
});

describe("bad ONNX files (docs/errors.md I7–I12)", () => {
  it("[I7] a truncated file; bytes that are not protobuf", () => {
    const bytes = readFileSync(CLASSIFIER);
    const cut = join(dir, "cut.onnx");
    writeFileSync(cut, bytes.subarray(0, bytes.length - 100));
    expect(onnxError(cut)).toMatch(/^: not a valid ONNX file: the data ends inside a field of \d+ bytes at byte \d+ of \d+, in graph(, .*)? \(is the file truncated\?\)$/);
    const text = join(dir, "text.onnx");
    writeFileSync(text, "this is not an ONNX file at all\n");
    expect(onnxError(text)).toMatch(/^: not (a valid ONNX file|an ONNX model)/);
  });

  it("[I8] an opset too new or too old", () => {
    expect(onnxError(onnxVariant((m) => (m.opsets = [{ domain: "", version: 23 }])))).toBe(": opset 23 of the default domain (ai.onnx) is newer than nnc reads (7 to 22); convert the model to an opset in that range (onnx.version_converter)");
    expect(onnxError(onnxVariant((m) => (m.opsets = [{ domain: "", version: 6 }])))).toMatch(/^: opset 6 of the default domain \(ai\.onnx\) is older than nnc reads/);
  });

  it("[I9] an unsupported operator; an operator of another domain", () => {
    expect(onnxError(onnxVariant((m) => (m.graph.nodes[1]!.opType = "LSTM")))).toMatch(/^: node '\/Relu' \(LSTM\) is not supported; nnc imports Gemm, MatMul, Add, .*, Conv, .*, Constant$/);
    expect(onnxError(onnxVariant((m) => (m.graph.nodes[1]!.domain = "com.microsoft")))).toBe(": node '/Relu' (Relu) is in domain 'com.microsoft'; nnc imports operators of the default domain (ai.onnx)");
  });

  it("[I10] a graph with a cycle; a value nothing produces; two inputs; an input nnc cannot hold", () => {
    expect(onnxError(onnxVariant((m) => (m.graph.nodes[0]!.inputs[0] = m.graph.nodes[1]!.outputs[0]!)))).toBe(": the graph has a cycle through nodes '/fc1/Gemm', '/Relu', '/fc2/Gemm', '/Softmax'; a model is a graph without cycles");
    expect(onnxError(onnxVariant((m) => (m.graph.nodes[2]!.inputs[0] = "nowhere")))).toBe(": node '/fc2/Gemm' (Gemm): it reads 'nowhere', which no node, initializer or graph input produces");
    expect(onnxError(onnxVariant((m) => m.graph.inputs.push({ name: "x2", elemType: 1, dims: ["batch", 4] })))).toBe(": the graph has 2 inputs ('x', 'x2'); nnc models have one input");
    expect(onnxError(onnxVariant((m) => (m.graph.inputs[0]!.dims = ["batch", 3, 28])))).toBe(
      ": the input 'x' has shape [batch, 3, 28]; nnc imports graphs whose input is [batch, features] or an image [batch, channels, height, width] of known sizes",
    );
  });

  it("[I11] initializers of the wrong shape, or stored elsewhere", () => {
    expect(onnxError(onnxVariant((m) => (m.graph.initializers[0]!.dims = [8, 5])))).toBe(": initializer 'fc1.weight': it holds 32 values, but its dims [8, 5] need 40");
    const narrow = onnxVariant((m) => {
      const w = m.graph.initializers[0]!;
      w.dims = [8, 3];
      w.raw = w.raw!.subarray(0, 8 * 3 * 4);
    });
    expect(onnxError(narrow)).toBe(": node '/fc1/Gemm' (Gemm): the weight has dims [8, 3] (transB), which takes 3 inputs; the node's input has 4");
    expect(onnxError(onnxVariant((m) => (m.graph.initializers[0]!.external = true)))).toMatch(/^: initializer 'fc1\.weight': its values are stored in an external file/);
  });

  it("[I12] nodes nnc cannot express: softmax across the batch, a transposed input, a weight computed from the input", () => {
    const softmax = onnxVariant((m) => (m.graph.nodes[3]!.attributes[0]!.i = 0));
    expect(onnxError(softmax)).toBe(": node '/Softmax' (Softmax): axis 0 is not supported (nnc applies it along each sample's vector: axis 1 or -1)");
    expect(onnxError(onnxVariant((m) => m.graph.nodes[0]!.attributes.push({ name: "transA", type: 2, i: 1 })))).toMatch(/^: node '\/fc1\/Gemm' \(Gemm\): transA = 1 is not supported/);
    expect(onnxError(onnxVariant((m) => (m.graph.nodes[2]!.inputs[1] = m.graph.nodes[1]!.outputs[0]!)))).toMatch(/^: node '\/fc2\/Gemm' \(Gemm\): input 2 \('\/Relu_output_0'\) must be a weight \(an initializer or Constant\)/);
    const reshaped = onnxVariant((m) => {
      m.graph.initializers.push({ name: "shape", dims: [2], dataType: 7, int64s: [2, -1], external: false });
      m.graph.nodes.splice(2, 0, { name: "r", opType: "Reshape", domain: "", inputs: [m.graph.nodes[1]!.outputs[0]!, "shape"], outputs: ["r"], attributes: [] });
      m.graph.nodes[3]!.inputs[0] = "r";
    });
    expect(onnxError(reshaped)).toBe(": node 'r' (Reshape): reshaping [N, 8] to [2, -1] is not supported (nnc keeps the batch first, 0 or -1, and each sample's 8 values: [-1, 8] or [0, 8] are)");
  });
});

function nnc(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [NNC, ...args], { cwd: dir, env: { ...process.env, NNC_DEBUG: "" } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe("nnc import and nnc export with bad files (I13, I14)", () => {
  it("[I13] a bad file is one line, exit code 1, and nothing is written", async () => {
    const out = join(dir, "cli");
    mkdirSync(out);
    const cut = join(dir, "cli-cut.onnx");
    writeFileSync(cut, readFileSync(CLASSIFIER).subarray(0, 200));
    for (const file of [cut, tfjsVariant((j) => (j["modelTopology"].config.layers[1].class_name = "LSTM"))]) {
      const r = await nnc(["import", file, "-o", join(out, "m.nn")]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^nnc: error: .*\n$/);
      expect(r.stderr).not.toMatch(/ at .*\.ts:\d+/);
      expect(readdirSync(out)).toEqual([]);
    }
    // A model TensorFlow.js layers cannot express is refused at its line; ONNX takes it.
    writeFileSync(join(out, "raw.nn"), "model raw\ninput x[2]\ntarget y[2]\nh = dense(x, 2)\nout = exp(h) - h\nloss mse(out, y)\n");
    writeFileSync(join(out, "w.json"), `{"format":"nnc-params","version":1,"model":"raw","layoutHash":"x","params":{}}`);
    const r = await nnc(["export", join(out, "raw.nn"), "--weights", join(out, "w.json"), "-o", join(out, "raw.json")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^nnc: error: .*w\.json: loadParams: /);
    const { analyze } = await import("../../compiler/compile.js");
    const { layoutOf } = await import("../../compiler/interop/layout.js");
    const layout = layoutOf(analyze(readFileSync(join(out, "raw.nn"), "utf8"), "raw.nn").model);
    writeFileSync(join(out, "w.json"), saveModelParams(layout, new Float64Array(layout.paramCount).fill(0.5)));
    const refused = await nnc(["export", join(out, "raw.nn"), "--weights", join(out, "w.json"), "-o", join(out, "raw.json")]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^nnc: error: .*raw\.nn:5: 'out = exp\(h\) - h': computes sub, which no TensorFlow\.js layer nnc writes can express \(it writes Dense, .*\); export this model as ONNX instead\n$/);
    expect(readdirSync(out).sort()).toEqual(["raw.nn", "w.json"]);
    const onnx = await nnc(["export", join(out, "raw.nn"), "--weights", join(out, "w.json"), "-o", join(out, "raw.onnx")]);
    expect(onnx.code).toBe(0);
  });

  it("[I14] the format cannot be told from the name (exit code 2)", async () => {
    const r = await nnc(["import", "model.pb", "-o", "m.nn"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("nnc: error: cannot tell the format of 'model.pb' from its name; add --format tfjs or --format onnx. See 'nnc help import'.\n");
    const e = await nnc(["export", "m.nn", "--weights", "w.json", "-o", "m.bin"]);
    expect(e.code).toBe(2);
    expect(e.stderr).toBe("nnc: error: cannot tell the format from 'm.bin'; add --format tfjs or --format onnx. See 'nnc help export'.\n");
  });
});
