// `nnc export --format tfjs`: the model's inference graph (no dropout) as a TensorFlow.js
// layers model that tf.loadLayersModel reads: `model.json` (a functional model, one layer per
// pattern of export-layers.ts, and the training config when tfjs can hold it) and one `.bin`
// shard of float32 weights (Dense kernels transposed to Keras' [in, out]; Conv2D kernels as
// they are, [kh, kw, in, out] in both).
//
//   const { json, bin, notes } = exportTfjs(model, layout, params, "iris.weights.bin");

import type { Model } from "../../elaborate/model.js";
import { type Node, topoOrder } from "../../ir/node.js";
import type { ParamsLayout } from "../../../runtime/params-json.js";
import { InteropError } from "../errors.js";
import { tensorOf } from "../layout.js";
import { modelFacts } from "../model-facts.js";
import type { Training } from "../training.js";
import { NNC_VERSION } from "../../version.js";
import { EXPORT_LAYERS, type LayerSpec } from "./export-layers.js";

const KERAS_INITIALIZERS: Record<string, string> = {
  zeros: "Zeros",
  ones: "Ones",
  glorot_uniform: "GlorotUniform",
  glorot_normal: "GlorotNormal",
  he_uniform: "HeUniform",
  he_normal: "HeNormal",
  lecun_uniform: "LeCunUniform",
  lecun_normal: "LeCunNormal",
};

function initializer(init: { name: string; value?: number }): unknown {
  if (init.name === "constant") return { class_name: "Constant", config: { value: init.value ?? 0 } };
  return { class_name: KERAS_INITIALIZERS[init.name] ?? "GlorotUniform", config: init.name === "zeros" || init.name === "ones" ? {} : { seed: null } };
}

const TFJS_LOSSES: Record<string, string> = { mse: "mean_squared_error", mae: "mean_absolute_error" };

/** tfjs' training config for nnc's, or why tfjs cannot hold it. */
function trainingConfig(t: Training | undefined): { config?: unknown; note?: string } {
  if (!t?.loss || !t.optimizer) return { note: "the loss is written by hand, so model.json has no training config" };
  if (t.loss.fromLogits) return { note: "tfjs' losses take no from_logits, so model.json has no training config" };
  const o = t.optimizer.options;
  if (o["clipnorm"] !== undefined || o["clipvalue"] !== undefined || o["global_clipnorm"] !== undefined) return { note: "tfjs' optimizers do not clip gradients, so model.json has no training config" };
  const lr = o["learning_rate"];
  let optimizer: { class_name: string; config: Record<string, unknown> };
  switch (t.optimizer.name) {
    case "sgd":
      optimizer = o["momentum"] ? { class_name: "Momentum", config: { learningRate: lr, momentum: o["momentum"], useNesterov: o["nesterov"] === true } } : { class_name: "SGD", config: { learningRate: lr } };
      break;
    case "adam":
      optimizer = { class_name: "Adam", config: { learningRate: lr, beta1: o["beta_1"], beta2: o["beta_2"], epsilon: o["epsilon"] } };
      break;
    case "rmsprop":
      optimizer = { class_name: "RMSProp", config: { learningRate: lr, decay: o["rho"], momentum: o["momentum"], epsilon: o["epsilon"], centered: o["centered"] } };
      break;
    case "adagrad":
      if (o["epsilon"] !== 1e-7) return { note: "tfjs' Adagrad has no epsilon option, so model.json has no training config" };
      optimizer = { class_name: "Adagrad", config: { learningRate: lr, initialAccumulatorValue: o["initial_accumulator_value"] } };
      break;
  }
  return { config: { loss: TFJS_LOSSES[t.loss.name] ?? t.loss.name, metrics: t.metrics, optimizer_config: optimizer } };
}

export function exportTfjs(model: Model, layout: ParamsLayout, params: Float64Array, binName: string): { json: string; bin: Uint8Array; notes: string[] } {
  const output = model.infer.output;
  const data = new Set<number>();
  for (const n of topoOrder([output])) if (n.op === "input" || n.inputs.some((i) => data.has(i.id))) data.add(n.id);
  const isData = (n: Node) => data.has(n.id);
  if (!isData(output)) throw new InteropError(`${model.file}: the output '${model.outputName}' does not depend on the input '${model.input.name}'; there is no model to export`);
  const facts = modelFacts(model);
  const declared = new Map(model.params.map((p) => [p.name, p]));
  const layers: unknown[] = [];
  const specs: { name: string; shape: number[]; dtype: "float32" }[] = [];
  const chunks: Float32Array[] = [];
  const layerOf = new Map<number, string>();
  const taken = new Set<string>();
  const unique = (base: string) => {
    let name = base;
    for (let k = 1; taken.has(name); k++) name = `${base}_${k}`;
    taken.add(name);
    return name;
  };
  const inputName = unique(model.input.name);
  layers.push({ class_name: "InputLayer", config: { batch_input_shape: [null, ...model.input.shape], dtype: "float32", sparse: false, name: inputName }, name: inputName, inbound_nodes: [] });

  // Layers in dependency order; an explicit stack, so a deep model cannot overflow the call stack.
  const spec = new Map<number, LayerSpec>();
  const stack: { node: Node; expanded: boolean }[] = [{ node: output, expanded: false }];
  while (stack.length > 0) {
    const top = stack.pop()!;
    const node = top.node;
    if (node.op === "input") layerOf.set(node.id, inputName);
    if (layerOf.has(node.id)) continue;
    if (!top.expanded) {
      let found: LayerSpec | undefined;
      for (const row of EXPORT_LAYERS) if ((found = row.match(node, isData))) break;
      const at = node.origin ? `${model.file}:${node.origin.line}: '${node.origin.text}'` : model.file;
      if (!found) throw new InteropError(`${at}: computes ${node.op}, which no TensorFlow.js layer nnc writes can express (it writes ${EXPORT_LAYERS.map((r) => r.className).join(", ")}); export this model as ONNX instead`);
      if (found.problem) throw new InteropError(`${at}: ${found.className} of ${found.problem}; export this model as ONNX instead`);
      spec.set(node.id, found);
      stack.push({ node, expanded: true }, ...found.inputs.map((i) => ({ node: i, expanded: false })));
      continue;
    }
    const s = spec.get(node.id)!;
    const raw = model.names.get(node.id) ?? `${s.className.toLowerCase()}_${node.id}`;
    // A layer with weights W_h / K_h (and b_h) is `h`, so that importing it gives the same parameters back; another layer is named as its value.
    const owner = s.kernel ? /^[WK]_(.+)$/.exec(String(s.kernel.attrs["name"]))?.[1] : undefined;
    const ownsBias = owner !== undefined && (!s.bias || String(s.bias.attrs["name"]) === `b_${owner}`);
    const name = unique(ownsBias ? owner : raw.replace(/^(z|Kx)_/, ""));
    layerOf.set(node.id, name);
    const config: Record<string, unknown> = { ...s.config, name, trainable: true };
    if (s.kernel) {
      const W = s.kernel;
      const w = tensorOf(layout, params, String(W.attrs["name"]));
      if (W.shape.length === 2) {
        // nnc's W [out, in] is Keras' kernel [in, out] transposed.
        const [units, inn] = W.shape as [number, number];
        const kernel = new Float32Array(units * inn);
        for (let o = 0; o < units; o++) for (let i = 0; i < inn; i++) kernel[i * units + o] = w[o * inn + i]!;
        specs.push({ name: `${name}/kernel`, shape: [inn, units], dtype: "float32" });
        chunks.push(kernel);
      } else {
        specs.push({ name: `${name}/kernel`, shape: [...W.shape], dtype: "float32" });
        chunks.push(Float32Array.from(w));
      }
      const decl = declared.get(String(W.attrs["name"]));
      const penalty = facts.penalties.get(String(W.attrs["name"]));
      Object.assign(config, {
        kernel_initializer: initializer(decl?.init ?? { name: "glorot_uniform" }),
        bias_initializer: initializer(s.bias ? (declared.get(String(s.bias.attrs["name"]))?.init ?? { name: "zeros" }) : { name: "zeros" }),
        kernel_regularizer: penalty ? { class_name: "L1L2", config: { l1: penalty.l1, l2: penalty.l2 } } : null,
        bias_regularizer: null,
        activity_regularizer: null,
        kernel_constraint: null,
        bias_constraint: null,
      });
      if (s.bias) {
        specs.push({ name: `${name}/bias`, shape: [...s.bias.shape], dtype: "float32" });
        chunks.push(Float32Array.from(tensorOf(layout, params, String(s.bias.attrs["name"]))));
      }
    }
    layers.push({ class_name: s.className, config, name, inbound_nodes: [s.inputs.map((i) => [layerOf.get(i.id)!, 0, 0, {}])] });
  }
  const outputLayer = layerOf.get(output.id)!;
  const { config: training, note } = trainingConfig(facts.training);
  const topology = {
    class_name: "Model",
    config: { name: model.name, layers, input_layers: [[inputName, 0, 0]], output_layers: [[outputLayer, 0, 0]] },
    backend: "tensor_flow.js",
  };
  const json = {
    format: "layers-model",
    generatedBy: `nnc ${NNC_VERSION}`,
    convertedBy: null,
    modelTopology: topology,
    weightsManifest: [{ paths: [binName], weights: specs }],
    ...(training ? { trainingConfig: training } : {}),
  };
  const bin = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0) * 4);
  const view = new DataView(bin.buffer);
  let at = 0;
  for (const c of chunks) for (const v of c) view.setFloat32((at++) * 4, v, true);
  return { json: `${JSON.stringify(json, null, 1)}\n`, bin, notes: note ? [note] : [] };
}
