// A Keras / TensorFlow.js model config as a list of layer calls in computation order, each
// with the layers it reads: Sequential models chain their layers; functional models
// ("Model", "Functional") name each layer's inbound layers, in the tfjs / Keras 2 form
// (`inbound_nodes: [[["dense", 0, 0, {}]]]`) or Keras 3's (`keras_history`).
//
//   { class_name: "Sequential", config: { layers: [Dense{batch_input_shape: [null, 4]}, Dense] } }
//   -> { input: { name: "input", shape: [4] }, layers: [{ name: "dense", inputs: ["input"] }, …], output: "dense_1" }

import { shown } from "../../data/errors.js";
import { InteropError, kind } from "../errors.js";
import { snakeCase } from "../training.js";

export interface LayerCall {
  name: string;
  className: string;
  /** The layer's config with snake_case keys (tfjs writes them so; camelCase is accepted). */
  config: Record<string, unknown>;
  inputs: string[];
}

export interface Topology {
  modelName: string;
  input: { name: string; shape: (number | null)[] };
  layers: LayerCall[];
  output: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function snakeKeys(config: unknown): Record<string, unknown> {
  if (!isObject(config)) return {};
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [snakeCase(k), v]));
}

/** The per-sample shape a layer config declares for its input, if any. */
function declaredInput(config: Record<string, unknown>): (number | null)[] | undefined {
  const batch = config["batch_input_shape"] ?? config["batch_shape"];
  if (Array.isArray(batch)) return batch.slice(1) as (number | null)[];
  const shape = config["input_shape"];
  if (Array.isArray(shape)) return shape as (number | null)[];
  return undefined;
}

function layerName(raw: unknown, where: string): string {
  if (typeof raw !== "string" || raw === "") throw new InteropError(`${where}: a layer has no name`);
  return raw;
}

function sequential(file: string, modelName: string, rawLayers: unknown[]): Topology {
  if (rawLayers.length === 0) throw new InteropError(`${file}: the Sequential model has no layers`);
  const layers: LayerCall[] = [];
  let input: Topology["input"] | undefined;
  let previous = "";
  rawLayers.forEach((raw, i) => {
    const l = isObject(raw) ? raw : {};
    const config = snakeKeys(l["config"]);
    const className = String(l["class_name"] ?? "");
    const name = layerName(config["name"] ?? l["name"], `${file}: layer ${i + 1}`);
    if (i === 0) {
      const shape = declaredInput(config);
      if (!shape) throw new InteropError(`${file}: the first layer ${shown(name)} (${kind(className)}) declares no input shape (batch_input_shape)`);
      input = { name: className === "InputLayer" ? name : "x", shape };
      previous = input.name;
      if (className === "InputLayer") return;
    }
    layers.push({ name, className, config, inputs: [previous] });
    previous = name;
  });
  return { modelName, input: input!, layers, output: previous };
}

/** Names of the layers one inbound node reads, in either Keras form. */
function inboundNames(node: unknown, where: string): string[] {
  if (Array.isArray(node)) return node.map((entry) => layerName(Array.isArray(entry) ? entry[0] : undefined, where));
  if (isObject(node) && Array.isArray(node["args"])) {
    const names: string[] = [];
    const visit = (arg: unknown) => {
      if (Array.isArray(arg)) arg.forEach(visit);
      else if (isObject(arg) && isObject(arg["config"]) && Array.isArray(arg["config"]["keras_history"])) names.push(layerName(arg["config"]["keras_history"][0], where));
    };
    visit(node["args"]);
    return names;
  }
  throw new InteropError(`${where}: inbound_nodes entry ${JSON.stringify(node)?.slice(0, 80)} is in no form nnc knows`);
}

function functional(file: string, modelName: string, config: Record<string, unknown>): Topology {
  const rawLayers = Array.isArray(config["layers"]) ? config["layers"] : [];
  const ends = (key: string) => (Array.isArray(config[key]) ? (config[key] as unknown[]) : []).map((e) => layerName(Array.isArray(e) ? e[0] : undefined, `${file}: ${key}`));
  const inputs = ends("input_layers");
  const outputs = ends("output_layers");
  if (inputs.length !== 1) throw new InteropError(`${file}: the model has ${inputs.length} inputs (${inputs.map(shown).join(", ")}); nnc models have one input`);
  if (outputs.length !== 1) throw new InteropError(`${file}: the model has ${outputs.length} outputs (${outputs.map(shown).join(", ")}); nnc models have one output`);
  const byName = new Map<string, LayerCall>();
  let input: Topology["input"] | undefined;
  for (const [i, raw] of rawLayers.entries()) {
    const l = isObject(raw) ? raw : {};
    const cfg = snakeKeys(l["config"]);
    const className = String(l["class_name"] ?? "");
    const name = layerName(l["name"] ?? cfg["name"], `${file}: layer ${i + 1}`);
    const where = `${file}: layer ${shown(name)} (${kind(className)})`;
    const nodes = Array.isArray(l["inbound_nodes"]) ? l["inbound_nodes"] : [];
    if (nodes.length > 1) throw new InteropError(`${where} is called ${nodes.length} times (a shared layer); nnc imports layers used once`);
    if (name === inputs[0]) {
      const shape = declaredInput(cfg);
      if (className !== "InputLayer" || !shape) throw new InteropError(`${where}: the model's input must be an InputLayer with a batch_input_shape`);
      input = { name, shape };
      continue;
    }
    byName.set(name, { name, className, config: cfg, inputs: nodes.length ? inboundNames(nodes[0], where) : [] });
  }
  if (!input) throw new InteropError(`${file}: the input layer ${shown(inputs[0]!)} is not among the layers`);
  // Computation order: depth-first from the output; a layer met again while open is a cycle.
  const order: LayerCall[] = [];
  const state = new Map<string, "open" | "done">();
  const visit = (name: string, from: string) => {
    if (name === input!.name || state.get(name) === "done") return;
    if (state.get(name) === "open") throw new InteropError(`${file}: layer ${shown(name)} depends on itself (a cycle through ${shown(from)}); a model is a graph without cycles`);
    const layer = byName.get(name);
    if (!layer) throw new InteropError(`${file}: layer ${shown(from)} reads layer ${shown(name)}, which the model does not have`);
    state.set(name, "open");
    for (const i of layer.inputs) visit(i, name);
    state.set(name, "done");
    order.push(layer);
  };
  visit(outputs[0]!, outputs[0]!);
  return { modelName, input, layers: order, output: outputs[0]! };
}

export function readTopology(file: string, topology: { class_name?: unknown; config?: unknown }): Topology {
  const className = String(topology.class_name ?? "");
  const config = topology.config;
  const modelName = isObject(config) && typeof config["name"] === "string" ? config["name"] : "imported";
  if (className === "Sequential") return sequential(file, modelName, Array.isArray(config) ? config : isObject(config) && Array.isArray(config["layers"]) ? config["layers"] : []);
  if (className === "Model" || className === "Functional") return functional(file, modelName, snakeKeys(config));
  throw new InteropError(`${file}: the model is a ${shown(className)}; nnc imports Sequential and functional (Model, Functional) models`);
}
