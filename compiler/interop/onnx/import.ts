// `nnc import model.onnx`: an ONNX graph of the operators in import-ops.ts as a model file and
// its weights. Checks the graph's shape (one input [N, k] or [N, C, H, W], one output [N, m],
// every value produced once, no cycle), walks the nodes in dependency order through their rows, and takes the loss
// and optimizer from the metadata nnc's own export writes ("nnc.training"); without it, the
// loss is chosen from the output's activation and said so in the file.
//
//   const { text, layout, params } = importOnnx("mlp.onnx", "mlp.nn");

import { basename } from "node:path";
import { shown } from "../../data/errors.js";
import { DraftBuilder } from "../builder.js";
import { num, type Draft, type NnExpr } from "../draft.js";
import { InteropError, kind } from "../errors.js";
import { finishImport, type Imported } from "../import-model.js";
import { defaultLoss, lossFromKeras, metricFromKeras, optimizerFromKeras, type Training } from "../training.js";
import { modelNameFor } from "../tfjs/import.js";
import { ONNX_OPS, type NodeContext, type OnnxValue } from "./import-ops.js";
import { asVector, channelsFirst, channelsFirstOrder, outputVector } from "./import-layout.js";
import { data } from "./node-context.js";
import type { OnnxNode, OnnxTensor } from "./proto.js";
import { readOnnx, tensorValues, type OnnxFile } from "./read.js";

/** The metadata key under which nnc's export keeps the training configuration. */
export const TRAINING_KEY = "nnc.training";

const ROWS = new Map(ONNX_OPS.map((r) => [r.opType, r]));

/** A node's name for the model file: PyTorch's "/fc1/Gemm" is the layer "fc1". */
function rawName(node: OnnxNode): string {
  const parts = (node.name || node.outputs[0] || node.opType).split("/").filter((p) => p !== "");
  if (parts.length > 1 && /^[A-Z][A-Za-z]*(_\d+)?$/.test(parts[parts.length - 1]!)) parts.pop();
  return parts.join("_");
}

/** The nodes in an order where each comes after the nodes it reads (Kahn's algorithm, ties in the file's order); a cycle is named. */
function dependencyOrder(f: OnnxFile, known: Set<string>): OnnxNode[] {
  const producer = new Map<string, OnnxNode>();
  const where = (n: OnnxNode) => `${f.file}: node ${shown(n.name)} (${kind(n.opType)})`;
  for (const n of f.graph.nodes) {
    for (const o of n.outputs) {
      if (o === "") continue;
      if (producer.has(o) || known.has(o)) throw new InteropError(`${where(n)}: its output ${shown(o)} is produced twice in the graph`);
      producer.set(o, n);
    }
  }
  const waiting = new Map<OnnxNode, number>();
  const readers = new Map<OnnxNode, OnnxNode[]>();
  for (const n of f.graph.nodes) {
    let count = 0;
    for (const i of n.inputs) {
      if (i === "" || known.has(i)) continue;
      const p = producer.get(i);
      if (!p) throw new InteropError(`${where(n)}: it reads ${shown(i)}, which no node, initializer or graph input produces`);
      count++;
      readers.set(p, [...(readers.get(p) ?? []), n]);
    }
    waiting.set(n, count);
  }
  // The first ready node in the file's order: a file whose nodes are in order (as ONNX requires) keeps it, and the model file reads as the exporter wrote it.
  const index = new Map(f.graph.nodes.map((n, i) => [n, i]));
  const ready = f.graph.nodes.filter((n) => waiting.get(n) === 0);
  const order: OnnxNode[] = [];
  while (ready.length > 0) {
    const n = ready.shift()!;
    order.push(n);
    for (const r of readers.get(n) ?? []) {
      const left = waiting.get(r)! - 1;
      waiting.set(r, left);
      if (left === 0) {
        const at = ready.findIndex((q) => index.get(q)! > index.get(r)!);
        ready.splice(at === -1 ? ready.length : at, 0, r);
      }
    }
  }
  if (order.length < f.graph.nodes.length) {
    const stuck = f.graph.nodes.filter((n) => !order.includes(n)).map((n) => `${shown(n.name)}`);
    throw new InteropError(`${f.file}: the graph has a cycle through nodes ${stuck.slice(0, 5).join(", ")}${stuck.length > 5 ? ", …" : ""}; a model is a graph without cycles`);
  }
  return order;
}

/** What nnc's export keeps in the metadata: the training configuration and the dense layers' l1 / l2 by weight. */
interface NncMetadata {
  loss?: unknown;
  optimizer?: unknown;
  metrics?: unknown;
  penalties?: Record<string, { l1?: number; l2?: number }>;
}

function nncMetadata(f: OnnxFile): NncMetadata | undefined {
  const entry = f.model.metadata.find((m) => m.key === TRAINING_KEY);
  if (!entry) return undefined;
  try {
    const meta = JSON.parse(entry.value) as unknown;
    if (meta && typeof meta === "object" && !Array.isArray(meta)) return meta as NncMetadata;
  } catch (e) {
    throw new InteropError(`${f.file}: metadata '${TRAINING_KEY}': not valid JSON (${(e as Error).message})`);
  }
  throw new InteropError(`${f.file}: metadata '${TRAINING_KEY}': expected a JSON object`);
}

function trainingOf(f: OnnxFile, meta: NncMetadata | undefined, activation: string | undefined): { training: Training; notes: string[] } {
  const where = `${f.file}: metadata '${TRAINING_KEY}'`;
  if (!meta?.loss) {
    const loss = defaultLoss(activation);
    const why = meta ? "the model's loss was written by hand, which the file does not hold" : "ONNX files carry no training configuration";
    return {
      training: { loss: { name: loss, fromLogits: false }, optimizer: { name: "rmsprop", options: {} }, metrics: [] },
      notes: [`${why}: nnc chose ${loss} for the ${activation ?? "linear"} output, and Keras' default optimizer; change them to fit your data`],
    };
  }
  const metrics = Array.isArray(meta.metrics) ? meta.metrics : [];
  return {
    training: {
      loss: lossFromKeras(meta.loss, where),
      ...(meta.optimizer ? { optimizer: optimizerFromKeras(meta.optimizer, where) } : {}),
      metrics: metrics.map((m) => metricFromKeras(m, where)),
    },
    notes: [],
  };
}

/** l1 / l2 of a weight, as dense() arguments. */
function penaltyArgs(meta: NncMetadata | undefined, weight: string): [string, NnExpr][] {
  const p = meta?.penalties?.[weight];
  if (!p) return [];
  return (["l1", "l2"] as const).filter((k) => typeof p[k] === "number" && p[k]! > 0).map((k) => [k, num(p[k]!)]);
}

export function importOnnx(file: string, nnFile: string): Imported {
  const f = readOnnx(file);
  const g = f.graph;
  const inputs = g.inputs.filter((i) => !f.tensors.has(i.name));
  if (inputs.length !== 1) throw new InteropError(`${file}: the graph has ${inputs.length} inputs (${inputs.map((i) => `${shown(i.name)}`).join(", ")}); nnc models have one input`);
  const input = inputs[0]!;
  const dims = input.dims ?? [];
  const sample = dims.slice(1);
  if ((sample.length !== 1 && sample.length !== 3) || !sample.every((d) => typeof d === "number" && Number.isSafeInteger(d) && d >= 1)) {
    throw new InteropError(`${file}: the input ${shown(input.name)} has shape [${dims.map((d) => d ?? "?").join(", ")}]; nnc imports graphs whose input is [batch, features] or an image [batch, channels, height, width] of known sizes`);
  }
  if (g.outputs.length !== 1) throw new InteropError(`${file}: the graph has ${g.outputs.length} outputs; nnc models have one output`);
  const values = new Map<string, OnnxValue>();
  for (const [name, t] of f.tensors) values.set(name, { kind: "const", source: name, ...t });
  const order = dependencyOrder(f, new Set([input.name, ...f.tensors.keys()]));
  const consumers = new Map<string, OnnxNode[]>();
  for (const n of order) for (const i of n.inputs) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const outputName = g.outputs[0]!.name;

  const meta = nncMetadata(f);
  const b = new DraftBuilder([input.name, ...order.map(rawName)]);
  // An image input is channels first, as ONNX's Conv reads it, unless the graph only reads it
  // through Transpose(perm [0, 3, 1, 2]), as nnc's own export writes its channels-last input.
  const inputDims = sample as number[];
  const readers = consumers.get(input.name) ?? [];
  const channelsLast = inputDims.length === 3 && readers.length > 0 && readers.every((n) => n.opType === "Transpose" && n.attributes.find((a) => a.name === "perm")?.ints?.join() === "0,3,1,2");
  const [C, H, W] = inputDims as [number, number, number];
  const inputShape = inputDims.length === 1 || channelsLast ? inputDims : [H, W, C];
  const inputValue = b.input(input.name, inputShape);
  const perm = inputDims.length === 3 && !channelsLast ? channelsFirst(C, H, W) : undefined;
  values.set(input.name, data(inputValue, inputDims, perm, channelsFirstOrder(inputDims)));
  const params = new Map<string, string>();
  const absorbed = new Set<OnnxNode>();
  // Every node is checked before any is translated: a node a dense layer absorbs must be one nnc knows too.
  for (const node of order) {
    const where = `${file}: node ${shown(node.name)} (${kind(node.opType)})`;
    if (node.domain !== "" && node.domain !== "ai.onnx") throw new InteropError(`${where} is in domain ${shown(node.domain)}; nnc imports operators of the default domain (ai.onnx)`);
    if (!ROWS.has(node.opType)) throw new InteropError(`${where} is not supported; nnc imports ${ONNX_OPS.map((r) => r.opType).join(", ")}`);
  }
  const whereOf = (node: OnnxNode) => `${file}: node ${shown(node.name)} (${kind(node.opType)})`;
  for (const node of order) {
    if (absorbed.has(node)) continue;
    const where = whereOf(node);
    const row = ROWS.get(node.opType)!;
    const joined: OnnxNode[] = [];
    const ctx: NodeContext = {
      where,
      whereOf,
      node,
      opset: f.opset,
      b,
      rawName: rawName(node),
      input: (i) => (node.inputs[i] ? values.get(node.inputs[i]!) : undefined),
      attr: (name) => node.attributes.find((a) => a.name === name),
      valueOf: (name) => values.get(name),
      soleConsumerOf: (n) => {
        const out = n.outputs[0]!;
        const readers = consumers.get(out) ?? [];
        return out !== outputName && readers.length === 1 ? readers[0] : undefined;
      },
      absorb: (n) => {
        absorbed.add(n);
        joined.push(n);
      },
      paramOf: (c, shape, values, how) => {
        const key = `${c.source}|${how ?? ""}`;
        let name = params.get(key);
        if (!name) {
          name = b.param(c.source, shape, values ?? c.data, how ? `${c.source}, ${how}` : c.source);
          params.set(key, name);
        }
        return name;
      },
      tensor: (t) => tensorValues(t as OnnxTensor, `${where}: its value`),
      penalties: (weight) => penaltyArgs(meta, weight),
    };
    const result = row.run(ctx);
    for (const n of [node, ...joined]) for (const o of n.outputs.slice(0, 1)) values.set(o, result);
  }
  const result = values.get(outputName);
  if (!result || result.kind !== "data") throw new InteropError(`${file}: the graph's output ${shown(outputName)} is ${result ? "a constant" : "not computed by any node"}; nnc models compute their output from the input`);
  const out = outputVector(file, result, (v) => asVector({ where: `${file}: the graph's output`, b, node: { name: outputName } }, v));
  if (b.statements.length === 0) throw new InteropError(`${file}: the graph computes nothing (its output is its input)`);
  const { training, notes } = trainingOf(f, meta, out.activation);
  const draft: Draft = {
    modelName: modelNameFor(nnFile),
    header: [`imported from ${basename(file)} (ONNX, opset ${f.opset}, made by ${f.model.producerName || "an unnamed producer"} ${f.model.producerVersion}) by nnc import`, ...notes],
    input: { name: inputValue.name, shape: inputShape },
    target: { name: b.names.claim("y", "y"), size: training.loss?.name === "sparse_categorical_crossentropy" ? 1 : out.size },
    params: b.params,
    statements: b.statements,
    output: out.name,
    training,
    weights: b.weights,
  };
  return finishImport(draft, nnFile);
}
