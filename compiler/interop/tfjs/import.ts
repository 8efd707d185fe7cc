// `nnc import model.json`: a TensorFlow.js layers model (Sequential or functional) as a model
// file and its weights. Reads the files (model-json.ts), orders the layers (topology.ts), writes
// each through its row (layers.ts), then the loss, optimizer and metrics of the training config;
// without one, the loss is chosen from the output's activation and said so in the file.
//
//   const { text, layout, params } = importTfjs("iris/model.json", "iris.nn");

import { basename } from "node:path";
import { shown } from "../../data/errors.js";
import { DraftBuilder, type Value } from "../builder.js";
import type { Draft } from "../draft.js";
import { InteropError, kind } from "../errors.js";
import { finishImport, type Imported } from "../import-model.js";
import { defaultLoss, lossFromKeras, metricFromKeras, optimizerFromKeras, type Training } from "../training.js";
import { readModelJson, type TfjsModelFile } from "./model-json.js";
import { TFJS_LAYERS, type LayerContext } from "./layers.js";
import { readTopology } from "./topology.js";

const ROWS = new Map(TFJS_LAYERS.map((r) => [r.className, r]));

/** The model's name in the model file: the output file's name, as a name. */
export function modelNameFor(nnFile: string): string {
  const base = basename(nnFile).replace(/\.nn$/, "").replace(/[^A-Za-z0-9_]+/g, "_").replace(/^_+|_+$/g, "");
  return base === "" ? "imported" : /^[0-9]/.test(base) ? `m_${base}` : base;
}

function findWeight(m: TfjsModelFile, layer: string, kind: string, where: string) {
  const exact = `${layer}/${kind}`;
  const found = m.weights.get(exact);
  if (found) return { ...found, name: exact };
  // Keras 3 and nested models prefix the model's name: "sequential/dense/kernel".
  const suffixed = [...m.weights.keys()].filter((n) => n.endsWith(`/${exact}`));
  if (suffixed.length === 1) return { ...m.weights.get(suffixed[0]!)!, name: suffixed[0]! };
  const known = [...m.weights.keys()].slice(0, 8).map((n) => `${shown(n)}`).join(", ");
  throw new InteropError(`${where}: the weights manifest has no weight ${shown(exact)} (it has ${known || "none"}${m.weights.size > 8 ? ", …" : ""})`);
}

function trainingOf(m: TfjsModelFile, output: Value): { training: Training; notes: string[] } {
  const t = m.training;
  if (!t) {
    const loss = defaultLoss(output.activation);
    return {
      training: { loss: { name: loss, fromLogits: false }, optimizer: { name: "rmsprop", options: {} }, metrics: [] },
      notes: [`${basename(m.file)} has no training configuration: nnc chose ${loss} for the ${output.activation ?? "linear"} output, and Keras' default optimizer; change them to fit your data`],
    };
  }
  const where = `${m.file}: training config`;
  const rawLoss = t["loss"];
  if (Array.isArray(rawLoss) || (rawLoss && typeof rawLoss === "object" && !("class_name" in rawLoss))) throw new InteropError(`${where}: one loss per output is supported, got ${JSON.stringify(rawLoss)}`);
  // A list, or (tfjs) a dict by output name: nnc models have one output.
  const m0 = t["metrics"] ?? [];
  const rawMetrics = Array.isArray(m0) ? m0 : m0 && typeof m0 === "object" ? Object.values(m0).flat() : undefined;
  if (!rawMetrics) throw new InteropError(`${where}: metrics ${JSON.stringify(m0)} must be a list`);
  for (const k of ["loss_weights", "weighted_metrics", "sample_weight_mode"]) {
    if (t[k] !== undefined && t[k] !== null) throw new InteropError(`${where}: ${k} is not supported`);
  }
  return {
    training: {
      loss: lossFromKeras(rawLoss, where),
      ...(t["optimizer_config"] ? { optimizer: optimizerFromKeras(t["optimizer_config"], where) } : {}),
      metrics: rawMetrics.map((x) => metricFromKeras(x, where)),
    },
    notes: [],
  };
}

export function importTfjs(file: string, nnFile: string): Imported {
  const m = readModelJson(file);
  const topo = readTopology(file, m.topology);
  const raw = topo.input.shape;
  if (raw.length === 0 || !raw.every((d) => typeof d === "number" && Number.isSafeInteger(d) && d >= 1)) {
    throw new InteropError(`${file}: the input ${shown(topo.input.name)} has shape [${raw.map((d) => d ?? "None").join(", ")}]; nnc imports models whose input has a known size in every dimension (a vector [n] or an image [height, width, channels])`);
  }
  const shape = raw as number[];
  const b = new DraftBuilder([topo.input.name, ...topo.layers.map((l) => l.name)]);
  const values = new Map<string, Value>([[topo.input.name, b.input(topo.input.name, shape)]]);
  for (const layer of topo.layers) {
    const where = `${file}: layer ${shown(layer.name)} (${kind(layer.className)})`;
    const row = ROWS.get(layer.className);
    if (!row) throw new InteropError(`${where} is not supported; nnc imports ${TFJS_LAYERS.map((r) => r.className).join(", ")} and InputLayer`);
    const inputs = layer.inputs.map((name) => values.get(name)!);
    const ctx: LayerContext = { where, call: layer, inputs, b, weight: (kind) => findWeight(m, layer.name, kind, where) };
    values.set(layer.name, row.run(ctx));
  }
  const output = values.get(topo.output)!;
  if (b.statements.length === 0) throw new InteropError(`${file}: the model computes nothing (its output is its input)`);
  const { training, notes } = trainingOf(m, output);
  if (output.shape.length !== 1) throw new InteropError(`${file}: the model's output ${shown(topo.output)} has shape [${output.shape.join(", ")}]; nnc models output a vector (add a Flatten layer)`);
  const targetSize = training.loss?.name === "sparse_categorical_crossentropy" ? 1 : output.size;
  const draft: Draft = {
    modelName: modelNameFor(nnFile),
    header: [`imported from ${basename(file)} (TensorFlow.js layers model '${topo.modelName}') by nnc import`, ...notes],
    input: { name: values.get(topo.input.name)!.name, shape },
    target: { name: b.names.claim("y", "y"), size: targetSize },
    params: b.params,
    statements: b.statements,
    output: output.name,
    training,
    weights: b.weights,
  };
  return finishImport(draft, nnFile);
}
