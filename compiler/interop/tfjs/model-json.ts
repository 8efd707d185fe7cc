// Reads a TensorFlow.js layers model from disk: `model.json` (topology, weights manifest,
// training config) and the `.bin` shards its manifest names, as `model.save` and
// `tensorflowjs_converter` write them. Every weight comes out as float64 values by name;
// quantized weights (uint8, uint16, float16 from `tensorflowjs_converter --quantize_*`) are
// expanded. Every problem is one InteropError naming the file and the part.
//
//   const m = readModelJson("iris/model.json");
//   m.topology   // { class_name: "Sequential", config: { layers: [...] } }
//   m.weights.get("dense/kernel")   // { shape: [4, 16], values: Float64Array }

import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { describeFsError, readSource } from "../../data/read-file.js";
import { shown } from "../../data/errors.js";
import { InteropError } from "../errors.js";

export interface TfjsWeight {
  shape: number[];
  values: Float64Array;
}

export interface TfjsModelFile {
  file: string;
  /** `{ class_name, config }` of the model. */
  topology: { class_name?: unknown; config?: unknown };
  weights: Map<string, TfjsWeight>;
  /** `training_config` (Keras) / `trainingConfig` (tfjs), if the file has one. */
  training?: Record<string, unknown>;
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number };
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The spec as the manifest gives it, checked. */
function weightSpec(raw: unknown, where: string): WeightSpec {
  if (!isObject(raw) || typeof raw["name"] !== "string" || !Array.isArray(raw["shape"])) throw new InteropError(`${where}: expected { "name", "shape", "dtype" }`);
  const shape = raw["shape"] as unknown[];
  if (!shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) throw new InteropError(`${where} (${shown(raw["name"])}): shape ${JSON.stringify(shape)} is not a list of sizes`);
  const dtype = typeof raw["dtype"] === "string" ? raw["dtype"] : "float32";
  const q = raw["quantization"];
  if (q !== undefined && !(isObject(q) && typeof q["dtype"] === "string" && BYTES[q["dtype"]] !== undefined && q["dtype"] !== "int32")) {
    throw new InteropError(`${where} (${shown(raw["name"])}): quantization ${JSON.stringify(q)} is not one nnc reads (uint8, uint16 or float16)`);
  }
  if (BYTES[dtype] === undefined) throw new InteropError(`${where} (${shown(raw["name"])}): dtype ${shown(dtype)} is not one nnc reads (float32, int32, bool)`);
  return { name: raw["name"], shape: shape as number[], dtype, ...(q ? { quantization: q as WeightSpec["quantization"] } : {}) };
}

function half(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** The values of one weight from its bytes. */
function decode(spec: WeightSpec, bytes: Uint8Array): Float64Array {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(n);
  const q = spec.quantization;
  if (q) {
    for (let i = 0; i < n; i++) {
      if (q.dtype === "float16") out[i] = half(view.getUint16(2 * i, true));
      else {
        const raw = q.dtype === "uint8" ? view.getUint8(i) : view.getUint16(2 * i, true);
        out[i] = raw * (q.scale ?? 1) + (q.min ?? 0);
      }
    }
  } else if (spec.dtype === "float32") for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
  else if (spec.dtype === "int32") for (let i = 0; i < n; i++) out[i] = view.getInt32(4 * i, true);
  else for (let i = 0; i < n; i++) out[i] = view.getUint8(i);
  return out;
}

function bytesOf(spec: WeightSpec): number {
  return spec.shape.reduce((a, b) => a * b, 1) * BYTES[spec.quantization?.dtype ?? spec.dtype]!;
}

/** One manifest group: its shards read and joined, then cut into its weights. */
function readGroup(file: string, folder: string, group: unknown, g: number, into: Map<string, TfjsWeight>): void {
  const where = `${file}: weights manifest group ${g + 1}`;
  if (!isObject(group) || !Array.isArray(group["paths"]) || !Array.isArray(group["weights"])) throw new InteropError(`${where}: expected { "paths": [...], "weights": [...] }`);
  const specs = group["weights"].map((w, i) => weightSpec(w, `${where}, weight ${i + 1}`));
  const shards: Uint8Array[] = [];
  for (const p of group["paths"]) {
    if (typeof p !== "string" || p === "") throw new InteropError(`${where}: a shard path is ${JSON.stringify(p)}, not a file name`);
    if (isAbsolute(p) || /^[a-z][a-z0-9+.-]*:\/\//i.test(p)) throw new InteropError(`${where}: shard ${shown(p)} is not a path relative to the model.json; nnc reads shards beside it`);
    try {
      shards.push(readFileSync(join(folder, p)));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new InteropError(`${where}: cannot read shard ${shown(p)}: ${code === "ENOENT" ? "no such file" : describeFsError(e)}`);
    }
  }
  const total = shards.reduce((a, s) => a + s.length, 0);
  const needed = specs.reduce((a, s) => a + bytesOf(s), 0);
  if (total !== needed) {
    const names = (group["paths"] as string[]).map((p) => `${shown(p)}`).join(", ");
    throw new InteropError(`${where}: its ${specs.length} weights take ${needed} bytes, but its shards (${names}) hold ${total}; a shard is missing, truncated or from another model`);
  }
  const joined = shards.length === 1 ? shards[0]! : Buffer.concat(shards);
  let at = 0;
  for (const spec of specs) {
    const size = bytesOf(spec);
    if (into.has(spec.name)) throw new InteropError(`${where}: weight ${shown(spec.name)} is listed twice`);
    into.set(spec.name, { shape: spec.shape, values: decode(spec, joined.subarray(at, at + size)) });
    at += size;
  }
}

export function readModelJson(file: string): TfjsModelFile {
  const text = readSource(file);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InteropError(`${file}: not valid JSON (${(e as Error).message}); is the file complete?`);
  }
  if (!isObject(json)) throw new InteropError(`${file}: expected a JSON object with "modelTopology" and "weightsManifest", as model.save writes`);
  if (json["format"] === "graph-model") {
    throw new InteropError(`${file}: this is a TensorFlow.js graph model (converted from a SavedModel or frozen graph); nnc imports layers models (format 'layers-model', from model.save or tensorflowjs_converter --output_format tfjs_layers_model)`);
  }
  const topologyRaw = json["modelTopology"];
  if (!isObject(topologyRaw)) throw new InteropError(`${file}: "modelTopology" is missing or not an object`);
  // Keras' converter wraps the model: { keras_version, model_config, training_config }.
  const topology = (isObject(topologyRaw["model_config"]) ? topologyRaw["model_config"] : topologyRaw) as TfjsModelFile["topology"];
  const manifest = json["weightsManifest"];
  if (!Array.isArray(manifest)) throw new InteropError(`${file}: "weightsManifest" is missing or not a list`);
  const weights = new Map<string, TfjsWeight>();
  manifest.forEach((group, g) => readGroup(file, dirname(file), group, g, weights));
  const training = json["trainingConfig"] ?? topologyRaw["training_config"];
  return { file, topology, weights, ...(isObject(training) ? { training } : {}) };
}
