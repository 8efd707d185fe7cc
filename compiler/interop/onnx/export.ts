// `nnc export --format onnx`: the model's inference graph (no dropout) as an ONNX model, opset
// 13, one node or a few per op (export-ops.ts), the parameters as float32 initializers under
// their nnc names (convolution kernels transposed to ONNX's [out, in, kh, kw]), the input
// [N, k] or [N, H, W, C] (nnc's channels-last image: a Transpose makes it channels first where
// a Conv reads it; export-context.ts) and output [N, m] with a symbolic batch N. The training
// configuration, which ONNX has no place for, goes into metadata "nnc.training", so that
// `nnc import` gets the loss and optimizer back; other tools ignore it.
//
// Why opset 13: it is the oldest opset in which every operator written here has its present
// meaning (Softmax along one axis; ReduceSum's axes as an input), so the file runs on every
// ONNX Runtime since 1.7 and in every converter; nothing newer is needed for dense networks
// (exact gelu is written with Erf, as PyTorch writes it). IR version 7 goes with opset 13.
//
//   const bytes = exportOnnx(model, layout, params);   // Uint8Array of a ModelProto

import type { Model } from "../../elaborate/model.js";
import { type Node, topoOrder } from "../../ir/node.js";
import type { ParamsLayout } from "../../../runtime/params-json.js";
import { InteropError } from "../errors.js";
import { tensorOf } from "../layout.js";
import { modelFacts } from "../model-facts.js";
import { NNC_VERSION } from "../../version.js";
import { kernelToOihw } from "../images.js";
import { intsAttr } from "./export-context.js";
import { EXPORT_OPS, type ExportContext } from "./export-ops.js";
import { TRAINING_KEY } from "./import.js";
import { DATA_TYPE, encodeModel, type OnnxAttribute, type OnnxNode, type OnnxTensor } from "./proto.js";

export const EXPORT_OPSET = 13;
const IR_VERSION = 7;

const ROWS = new Map(EXPORT_OPS.map((r) => [r.op, r]));

function float32Tensor(name: string, dims: number[], values: ArrayLike<number>): OnnxTensor {
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i]!, true);
  return { name, dims, dataType: DATA_TYPE.FLOAT, raw, external: false };
}

export function exportOnnx(model: Model, layout: ParamsLayout, params: Float64Array): Uint8Array {
  const output = model.infer.output;
  const order = topoOrder([output]);
  // Which values depend on the input (they carry the batch dimension).
  const data = new Set<number>();
  for (const n of order) if (n.op === "input" || n.inputs.some((i) => data.has(i.id))) data.add(n.id);
  if (!data.has(output.id)) throw new InteropError(`${model.file}: the output '${model.outputName}' does not depend on the input '${model.input.name}'; there is no model to export`);

  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  const used = new Set<string>([model.input.name, ...layout.params.map((p) => p.name)]);
  /** Each written node's ONNX value, channels last (nhwc) and / or first (nchw). */
  const values = new Map<number, { nhwc?: string; nchw?: string }>();
  const kernels = new Map<number, string>();
  /** Initializer names parameters hold (a kernel may be written in both layouts: the second gets a suffix). */
  const paramInitializers = new Set<string>();
  const paramInitializer = (name: string, suffix: string) => {
    const unique = paramInitializers.has(name) ? fresh(`${name}_${suffix}`) : name;
    paramInitializers.add(unique);
    return unique;
  };
  const constants = new Map<string, string>();
  const fresh = (base: string) => {
    let name = base;
    for (let k = 1; used.has(name); k++) name = `${base}_${k}`;
    used.add(name);
    return name;
  };
  const constant = (key: string, make: (name: string) => OnnxTensor) => {
    let name = constants.get(key);
    if (!name) {
      name = fresh(`const_${key}`);
      constants.set(key, name);
      initializers.push(make(name));
    }
    return name;
  };
  const where = (n: Node) => `${model.file}${n.origin ? `:${n.origin.line}: '${n.origin.text}'` : ""}`;
  const written = (n: Node): { nhwc?: string; nchw?: string } => {
    const known = values.get(n.id);
    if (known) return known;
    let out: { nhwc?: string; nchw?: string };
    if (n.op === "input") out = { nhwc: model.input.name };
    else if (n.op === "param") {
      const name = paramInitializer(String(n.attrs["name"]), "hwio");
      initializers.push(float32Tensor(name, [...n.shape], tensorOf(layout, params, String(n.attrs["name"]))));
      out = { nhwc: name };
    } else if (n.op === "const") {
      const v = Number(n.attrs["value"]);
      out = { nhwc: constant(`${String(v).replace(/[^0-9a-z]/gi, "_")}${n.shape.length ? `_${n.shape.join("x")}` : ""}`, (c) => float32Tensor(c, [...n.shape], new Array(n.shape.reduce((a, b) => a * b, 1)).fill(v))) };
    } else {
      const row = ROWS.get(n.op);
      if (!row) ctx.fail(n, `its op '${n.op}' has no ONNX form in nnc's exporter`);
      const w = row.write(n, ctx);
      out = typeof w === "string" ? { nhwc: w } : { nchw: w.nchw };
    }
    values.set(n.id, out);
    return out;
  };
  const ctx: ExportContext = {
    value: (n) => {
      const v = written(n);
      // [N, C, H, W] -> [N, H, W, C]
      v.nhwc ??= ctx.emit("Transpose", [v.nchw!], [intsAttr("perm", [0, 2, 3, 1])], `${ctx.nameOf(n)}_nhwc`);
      return v.nhwc;
    },
    nchw: (n) => {
      const v = written(n);
      if (!v.nchw) {
        if (n.shape.length !== 3 || !data.has(n.id)) throw new Error(`internal error: ${n.op} [${n.shape}] has no channels-first form`);
        v.nchw = ctx.emit("Transpose", [v.nhwc!], [intsAttr("perm", [0, 3, 1, 2])], `${n.op === "input" ? model.input.name : ctx.nameOf(n)}_nchw`);
      }
      return v.nchw;
    },
    layoutOf: (n) => (written(n).nhwc !== undefined ? "nhwc" : "nchw"),
    convWeight: (K) => {
      let name = kernels.get(K.id);
      if (!name) {
        if (K.op === "param") {
          name = paramInitializer(String(K.attrs["name"]), "oihw");
          const [kh, kw, cin, cout] = K.shape as [number, number, number, number];
          initializers.push(float32Tensor(name, [cout, cin, kh, kw], kernelToOihw(tensorOf(layout, params, String(K.attrs["name"])), K.shape)));
        } else {
          // [kh, kw, in, out] -> [out, in, kh, kw]
          name = ctx.emit("Transpose", [ctx.value(K)], [intsAttr("perm", [3, 2, 0, 1])]);
        }
        kernels.set(K.id, name);
      }
      return name;
    },
    isData: (n) => data.has(n.id),
    scalar: (v) => constant(String(v).replace(/[^0-9a-z]/gi, "_"), (c) => float32Tensor(c, [], [v])),
    ints: (list) => constant(`i64_${list.join("_").replace(/-/g, "m")}`, (c) => ({ name: c, dims: [list.length], dataType: DATA_TYPE.INT64, int64s: list, external: false })),
    emit: (opType, inputs, attributes: OnnxAttribute[] = [], out, nodeName) => {
      const name = out && !used.has(out) ? (used.add(out), out) : fresh(out ?? opType.toLowerCase());
      nodes.push({ name: nodeName ?? name, opType, domain: "", inputs, outputs: [name], attributes });
      return name;
    },
    nameOf: (n) => model.names.get(n.id) ?? `${n.op}_${n.id}`,
    fail: (n, why) => {
      throw new InteropError(`${where(n)}: ${why}`);
    },
  };
  let out = ctx.value(output);
  const outputName = model.outputName;
  if (out !== outputName) {
    if (used.has(outputName)) throw new Error(`internal error: the output name '${outputName}' is taken`);
    used.add(outputName);
    nodes.push({ name: outputName, opType: "Identity", domain: "", inputs: [out], outputs: [outputName], attributes: [] });
    out = outputName;
  }
  const facts = modelFacts(model);
  const t = facts.training;
  const meta = {
    ...(t ? { loss: { class_name: t.loss!.name, config: { from_logits: t.loss!.fromLogits } }, optimizer: { class_name: t.optimizer!.name, config: t.optimizer!.options }, metrics: t.metrics } : {}),
    ...(facts.penalties.size > 0 ? { penalties: Object.fromEntries(facts.penalties) } : {}),
  };
  const metadata = Object.keys(meta).length > 0 ? [{ key: TRAINING_KEY, value: JSON.stringify(meta) }] : [];
  return encodeModel({
    irVersion: IR_VERSION,
    opsets: [{ domain: "", version: EXPORT_OPSET }],
    producerName: "nnc",
    producerVersion: NNC_VERSION,
    graph: {
      name: model.name,
      nodes,
      initializers,
      sparseInitializers: 0,
      inputs: [{ name: model.input.name, elemType: DATA_TYPE.FLOAT, dims: ["N", ...model.input.shape] }],
      outputs: [{ name: out, elemType: DATA_TYPE.FLOAT, dims: ["N", ...output.shape] }],
    },
    metadata,
    functions: 0,
  });
}
