// Saving and loading trained parameters as stable, human-readable JSON, validated strictly on
// load (nothing is partly loaded), plus the layout hash the compiler stamps into each model.
//
//   const json = saveModelParams(core, params);     // the generated module's saveParams(params)
//   // {"format":"nnc-params","version":1,"model":"xor","layoutHash":"1f0c…","params":{
//   // "W1":{"shape":[2,2],"data":[0.5,-1.25,…]},…}}
//   const restored = loadModelParams(core, json);   // a fresh Vec, or an Error saying what is wrong

import { VecArray, type ModelCore, type ParamInfo, type Vec } from "./core.js";
import { fnv1a32 } from "./rng.js";

/**
 * A deterministic hex hash of the parameter layout (names, shapes, offsets, sizes; not the
 * initializers): 32-bit FNV-1a over a canonical text, twice with different bases for 64 bits.
 */
export function layoutHashOf(params: ParamInfo[]): string {
  let text = "";
  for (const p of params) text += `${p.name}:${p.shape.join("x")}@${p.offset}+${p.size};`;
  const hex = (h: number) => h.toString(16).padStart(8, "0");
  return hex(fnv1a32(text)) + hex(fnv1a32(text, 0x9747b28c));
}

/** JSON with the keys in a fixed order and one line per tensor (diff-friendly). */
export function saveModelParams(core: ModelCore, params: Vec): string {
  if (params.length !== core.paramCount) {
    throw new Error(`saveParams: params has length ${params.length}, model '${core.name}' has ${core.paramCount} parameters`);
  }
  const lines: string[] = [];
  for (const p of core.params) {
    const data: number[] = [];
    for (let i = 0; i < p.size; i++) {
      const v = params[p.offset + i];
      if (!Number.isFinite(v)) throw new Error(`saveParams: tensor '${p.name}' data[${i}] is ${v}; only finite numbers can be saved`);
      data.push(v);
    }
    lines.push(`${JSON.stringify(p.name)}:${JSON.stringify({ shape: p.shape, data })}`);
  }
  const head = `{"format":"nnc-params","version":1,"model":${JSON.stringify(core.name)},"layoutHash":${JSON.stringify(core.layoutHash)},"params":{`;
  return `${head}\n${lines.join(",\n")}\n}}\n`;
}

/** A JSON value as shown in error messages: strings quoted, containers named. */
function describeJson(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value);
  if (typeof value === "object" && value !== null) return "an object";
  return String(value);
}

/** Every loadParams error goes through here (a declaration, so TS narrows after calls). */
function failLoad(message: string): never {
  throw new Error(`loadParams: ${message}`);
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Parses and checks saved parameters against `core` (format, version, model name, every tensor
 * present with the exact shape and length, every value a finite number, no extra tensors, layout
 * hash) and returns a fresh Vec. Throws an Error naming the first problem.
 */
export function loadModelParams(core: ModelCore, json: string): Vec {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (e) {
    failLoad(`not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!isJsonObject(doc)) failLoad(`expected a JSON object, got ${describeJson(doc)}`);
  if (doc.format !== "nnc-params") failLoad(`format must be "nnc-params", got ${describeJson(doc.format)}`);
  if (doc.version !== 1) failLoad(`unsupported version ${describeJson(doc.version)} (this runtime reads version 1)`);
  if (doc.model !== core.name) failLoad(`these parameters are for model ${describeJson(doc.model)}, not ${JSON.stringify(core.name)}`);
  const saved = doc.params;
  if (!isJsonObject(saved)) failLoad(`"params" must be an object of tensors, got ${describeJson(saved)}`);

  const out = new VecArray(core.paramCount);
  for (const p of core.params) {
    if (!Object.prototype.hasOwnProperty.call(saved, p.name)) failLoad(`missing tensor '${p.name}'`);
    const t = saved[p.name];
    if (!isJsonObject(t)) failLoad(`tensor '${p.name}' must be an object { shape, data }, got ${describeJson(t)}`);
    const shape = t.shape;
    if (shape === undefined) failLoad(`tensor '${p.name}' has no shape, expected [${p.shape.join(", ")}]`);
    const shapeOk = Array.isArray(shape) && shape.length === p.shape.length && shape.every((d, i) => d === p.shape[i]);
    if (!shapeOk) {
      failLoad(`tensor '${p.name}' has shape ${Array.isArray(shape) ? `[${shape.join(", ")}]` : describeJson(shape)}, expected [${p.shape.join(", ")}]`);
    }
    const data = t.data;
    if (!Array.isArray(data)) failLoad(`tensor '${p.name}' data must be an array, got ${describeJson(data)}`);
    if (data.length !== p.size) failLoad(`tensor '${p.name}' has ${data.length} values, expected ${p.size}`);
    for (let i = 0; i < p.size; i++) {
      const v: unknown = data[i];
      if (typeof v !== "number" || !Number.isFinite(v)) failLoad(`tensor '${p.name}' data[${i}] is ${describeJson(v)}, expected a finite number`);
      out[p.offset + i] = v;
    }
  }
  for (const name of Object.keys(saved)) {
    if (!core.params.some((p) => p.name === name)) failLoad(`unexpected tensor '${name}' (not a parameter of model '${core.name}')`);
  }
  // Checked last: a tensor-level message above is more precise than "the hash differs".
  if (doc.layoutHash !== core.layoutHash) {
    failLoad(`layoutHash ${describeJson(doc.layoutHash)} does not match the model's ${core.layoutHash} (the parameter layout changed since these were saved)`);
  }
  return out;
}
