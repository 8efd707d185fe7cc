// Saving and loading trained parameters as stable, human-readable JSON, validated strictly on
// load (nothing is partly loaded), plus the layout hash the compiler stamps into each model.
//
//   const json = saveModelParams(core, params);     // the generated module's saveParams(params)
//   // {"format":"nnc-params","version":1,"model":"xor","layoutHash":"1f0c…","params":{
//   // "W1":{"shape":[2,2],"data":[0.5,-1.25,…]},…}}
//   const restored = loadModelParams(core, json);   // a fresh Vec, or an Error saying what is wrong
//   writeModelParams(core, params, (piece) => file.write(piece));   // the same text, in pieces

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

/** What saving and loading need of a model: its name and parameter layout. */
export type ParamsLayout = Pick<ModelCore, "name" | "paramCount" | "params" | "layoutHash">;

/** Values per piece of a tensor's "data" array in writeModelParams (a piece stays well under 1 MB). */
const VALUES_PER_PIECE = 16384;

/**
 * Writes the parameters as JSON through `write`, in pieces of at most ~400 KB, so a model of any
 * size can be written to a file (nnc's CLI) without the whole text ever being one string. The
 * text is saveModelParams's exactly. Every value is checked before anything is written.
 */
export function writeModelParams(core: ParamsLayout, params: Vec, write: (text: string) => void): void {
  if (params.length !== core.paramCount) {
    const has = `model '${core.name}' has ${core.paramCount} parameters`;
    throw new Error(`saveParams: params has length ${params.length}, ${has}`);
  }
  for (const p of core.params) {
    for (let i = 0; i < p.size; i++) {
      const v = params[p.offset + i];
      if (!Number.isFinite(v)) {
        throw new Error(`saveParams: tensor '${p.name}' data[${i}] is ${v}; only finite numbers can be saved`);
      }
    }
  }
  const name = JSON.stringify(core.name);
  const hash = JSON.stringify(core.layoutHash);
  write(`{"format":"nnc-params","version":1,"model":${name},"layoutHash":${hash},"params":{\n`);
  core.params.forEach((p, t) => {
    write(`${t > 0 ? ",\n" : ""}${JSON.stringify(p.name)}:{"shape":${JSON.stringify(p.shape)},"data":[`);
    // A finite number's JSON is its String(): a typed array's join writes exactly that.
    for (let i = 0; i < p.size; i += VALUES_PER_PIECE) {
      const end = p.offset + Math.min(p.size, i + VALUES_PER_PIECE);
      const piece = params.subarray(p.offset + i, end).join(",");
      write(i > 0 ? `,${piece}` : piece);
    }
    write("]}");
  });
  write("\n}}\n");
}

/**
 * JSON with the keys in a fixed order and one line per tensor (diff-friendly). A model too large
 * for one JavaScript string (about 25 million parameters and more) gets an error saying so.
 */
export function saveModelParams(core: ParamsLayout, params: Vec): string {
  const pieces: string[] = [];
  let length = 0;
  writeModelParams(core, params, (text) => {
    pieces.push(text);
    length += text.length;
  });
  try {
    return pieces.join("");
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new Error(
      `saveParams: the JSON of model '${core.name}' (${core.paramCount} parameters) has ${length} characters, ` +
        "more than a JavaScript string can hold; keep the parameter vector itself (its bytes), " +
        "or let nnc train --save write the weights, which it does in pieces",
    );
  }
}

/** `text` with control, invisible and direction-changing characters written as \uXXXX (for messages). */
function visible(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const hidden =
      c < 0x20 ||
      (c >= 0x7f && c <= 0x9f) ||
      (c >= 0x200b && c <= 0x200f) ||
      (c >= 0x2028 && c <= 0x202e) ||
      (c >= 0x2060 && c <= 0x2069) ||
      c === 0xfeff;
    out += hidden ? `\\u${c.toString(16).padStart(4, "0")}` : text[i]!;
  }
  return out;
}

/** A JSON value as shown in error messages: strings quoted (cut and made visible), containers named. */
function describeJson(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") {
    return visible(JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value));
  }
  if (typeof value === "object" && value !== null) return "an object";
  return String(value);
}

/** Every loadParams error goes through here (a declaration, so TS narrows after calls). */
function failLoad(message: string): never {
  throw new Error(`loadParams: ${message}`);
}

/** A JSON object: its keys are whatever the file holds. */
type JsonObject = { [key: string]: unknown };

/** The fields of a parameters document that are read (each checked before use). */
interface ParamsDocument {
  format?: unknown;
  version?: unknown;
  model?: unknown;
  layoutHash?: unknown;
  params?: unknown;
}

/** The fields of one saved tensor. */
interface TensorDocument {
  shape?: unknown;
  data?: unknown;
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Parses and checks saved parameters against `core` (see paramsFromDocument) and returns a fresh
 * Vec. A leading byte-order mark (as some editors write) is skipped. Throws naming the first problem.
 */
export function loadModelParams(core: ParamsLayout, json: string): Vec {
  let doc: unknown;
  try {
    doc = JSON.parse(typeof json === "string" && json.charCodeAt(0) === 0xfeff ? json.slice(1) : json);
  } catch (e) {
    failLoad(`not valid JSON (${visible(e instanceof Error ? e.message : String(e))})`);
  }
  return paramsFromDocument(core, doc);
}

/**
 * Checks a parsed parameters document against `core` (format, version, model name, every tensor
 * present with the exact shape and length, every value a finite number in the module's
 * precision, no extra tensors, layout hash) and returns a fresh Vec. A tensor's data may be a
 * JSON array or a typed array (nnc's streaming reader parses large files into those).
 */
export function paramsFromDocument(core: ParamsLayout, doc: unknown): Vec {
  if (!isJsonObject(doc)) failLoad(`expected a JSON object, got ${describeJson(doc)}`);
  const fields: ParamsDocument = doc;
  if (fields.format !== "nnc-params") failLoad(`format must be "nnc-params", got ${describeJson(fields.format)}`);
  if (fields.version !== 1) {
    failLoad(`unsupported version ${describeJson(fields.version)} (this runtime reads version 1)`);
  }
  if (fields.model !== core.name) {
    failLoad(`these parameters are for model ${describeJson(fields.model)}, not ${JSON.stringify(core.name)}`);
  }
  const saved = fields.params;
  if (!isJsonObject(saved)) failLoad(`"params" must be an object of tensors, got ${describeJson(saved)}`);

  const out = new VecArray(core.paramCount);
  for (const p of core.params) {
    if (!Object.prototype.hasOwnProperty.call(saved, p.name)) failLoad(`missing tensor '${p.name}'`);
    const t = saved[p.name];
    if (!isJsonObject(t)) failLoad(`tensor '${p.name}' must be an object { shape, data }, got ${describeJson(t)}`);
    const tensor: TensorDocument = t;
    const shape = tensor.shape;
    if (shape === undefined) failLoad(`tensor '${p.name}' has no shape, expected [${p.shape.join(", ")}]`);
    const shapeOk = Array.isArray(shape) && shape.length === p.shape.length && shape.every((d, i) => d === p.shape[i]);
    if (!shapeOk) {
      // Entries shown as JSON, so ["8", "2"] is not mistaken for the expected [8, 2].
      const got = Array.isArray(shape) ? `[${shape.map(describeJson).join(", ")}]` : describeJson(shape);
      failLoad(`tensor '${p.name}' has shape ${got}, expected [${p.shape.join(", ")}]`);
    }
    const data: unknown = tensor.data;
    if (!Array.isArray(data) && !ArrayBuffer.isView(data)) {
      failLoad(`tensor '${p.name}' data must be an array, got ${describeJson(data)}`);
    }
    const values = data as ArrayLike<unknown>;
    if (values.length !== p.size) failLoad(`tensor '${p.name}' has ${values.length} values, expected ${p.size}`);
    for (let i = 0; i < p.size; i++) {
      const v = values[i];
      out[p.offset + i] = v as number;
      // Checked as stored: a float32 module turns 1e300 into Infinity.
      if (typeof v !== "number" || !Number.isFinite(out[p.offset + i]!)) {
        if (typeof v === "number" && Number.isFinite(v)) {
          const range = "beyond the range of float32 (±3.4028234663852886e+38) in which this module stores numbers";
          failLoad(`tensor '${p.name}' data[${i}] is ${v}, ${range}`);
        }
        failLoad(`tensor '${p.name}' data[${i}] is ${describeJson(v)}, expected a finite number`);
      }
    }
  }
  for (const name of Object.keys(saved)) {
    if (!core.params.some((p) => p.name === name)) {
      // The name comes from the file: cut and made visible like any value shown.
      const shown = visible(name.length > 40 ? name.slice(0, 40) + "…" : name);
      failLoad(`unexpected tensor '${shown}' (not a parameter of model '${core.name}')`);
    }
  }
  // Checked last: a tensor-level message above is more precise than "the hash differs".
  if (fields.layoutHash !== core.layoutHash) {
    const why = "the parameter layout changed since these were saved";
    failLoad(`layoutHash ${describeJson(fields.layoutHash)} does not match the model's ${core.layoutHash} (${why})`);
  }
  return out;
}
