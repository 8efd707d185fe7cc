// Reads an ONNX file for import: decodes it (proto.ts), checks what nnc relies on (an opset of
// the default domain it knows, a graph, tensors stored in the file) and turns every initializer
// into float64 values with its dims. Every problem is one InteropError naming the file and the
// part: the byte where damaged data ends, the initializer, the opset.
//
//   const { graph, opset, tensors } = readOnnx("mlp.onnx");   // tensors.get("fc1.weight") -> { dims: [8, 4], data }

import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { describeFsError } from "../../data/read-file.js";
import { shown } from "../../data/errors.js";
import { InteropError } from "../errors.js";
import { DATA_TYPE, decodeModel, type OnnxGraph, type OnnxModel, type OnnxTensor } from "./proto.js";
import { WireError } from "./wire.js";

/** The opsets of the default domain (ai.onnx) whose semantics of the imported operators nnc knows. */
export const OPSETS = { min: 7, max: 22 } as const;

/** Largest ONNX file read: protobuf's own limit for one message. */
const MAX_BYTES = 2 ** 31 - 1;

export interface Constant {
  dims: number[];
  data: Float64Array;
  /** Stored as float32: a number written in the model file is then the shortest that is this float32 (0.1, not 0.100000001…). */
  float32?: boolean;
}

export interface OnnxFile {
  file: string;
  model: OnnxModel;
  graph: OnnxGraph;
  /** Version of the default domain's opset. */
  opset: number;
  /** Initializers by name. */
  tensors: Map<string, Constant>;
}

const TYPE_NAMES: Record<number, string> = { 1: "float32", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32", 7: "int64", 8: "string", 9: "bool", 10: "float16", 11: "float64", 12: "uint32", 13: "uint64", 16: "bfloat16" };

/** A tensor's values as float64 (float32, float64, int32, int64; stored raw or as typed lists). */
export function tensorValues(t: OnnxTensor, where: string): Constant {
  if (t.external) throw new InteropError(`${where}: its values are stored in an external file; nnc reads ONNX files that hold their tensors (save with all tensors inside the file)`);
  if (!t.dims.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new InteropError(`${where}: dims [${t.dims.join(", ")}] are not sizes`);
  const n = t.dims.reduce((a, b) => a * b, 1);
  const type = t.dataType;
  const width = type === DATA_TYPE.FLOAT || type === DATA_TYPE.INT32 ? 4 : type === DATA_TYPE.DOUBLE || type === DATA_TYPE.INT64 ? 8 : 0;
  if (width === 0) throw new InteropError(`${where}: element type ${TYPE_NAMES[type] ?? type} is not supported (nnc reads float32, float64, int32 and int64 tensors)`);
  const data = new Float64Array(n);
  let count: number;
  if (t.raw) {
    count = t.raw.length / width;
    if (count === n) {
      const view = new DataView(t.raw.buffer, t.raw.byteOffset, t.raw.byteLength);
      for (let i = 0; i < n; i++) {
        data[i] =
          type === DATA_TYPE.FLOAT ? view.getFloat32(4 * i, true) : type === DATA_TYPE.DOUBLE ? view.getFloat64(8 * i, true) : type === DATA_TYPE.INT32 ? view.getInt32(4 * i, true) : Number(view.getBigInt64(8 * i, true));
      }
    }
  } else {
    const list = type === DATA_TYPE.FLOAT ? t.floats : type === DATA_TYPE.DOUBLE ? t.doubles : type === DATA_TYPE.INT32 ? t.int32s : t.int64s;
    count = list?.length ?? 0;
    if (count === n) data.set(list ?? []);
  }
  if (count !== n) throw new InteropError(`${where}: it holds ${count} values, but its dims [${t.dims.join(", ")}] need ${n}`);
  for (let i = 0; i < n; i++) if (!Number.isFinite(data[i])) throw new InteropError(`${where}: value ${i} is ${data[i]}; nnc's weights are finite numbers`);
  return { dims: t.dims, data, ...(type === DATA_TYPE.FLOAT ? { float32: true } : {}) };
}

function readBytes(file: string): Uint8Array {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (e) {
    throw new InteropError(`cannot read '${file}': ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : describeFsError(e)}`);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new InteropError(`cannot read '${file}': it is a directory`);
    if (!stat.isFile()) throw new InteropError(`cannot read '${file}': it is not a regular file`);
    if (stat.size > MAX_BYTES) throw new InteropError(`cannot read '${file}': it is larger than an ONNX file can be (2 GB)`);
    const bytes = Buffer.allocUnsafe(stat.size);
    for (let at = 0; at < stat.size; ) {
      const n = readSync(fd, bytes, at, stat.size - at, at);
      if (n === 0) throw new InteropError(`cannot read '${file}': it shrank while being read`);
      at += n;
    }
    return bytes;
  } finally {
    closeSync(fd);
  }
}

export function readOnnx(file: string): OnnxFile {
  const bytes = readBytes(file);
  let model: ReturnType<typeof decodeModel>;
  try {
    model = decodeModel(bytes);
  } catch (e) {
    if (!(e instanceof WireError)) throw e;
    const path = (e as WireError & { path?: string }).path;
    const truncated = e.message.startsWith("the data ends") ? " (is the file truncated?)" : "";
    throw new InteropError(`${file}: not a valid ONNX file: ${e.message} at byte ${e.at} of ${bytes.length}${path ? `, in ${path}` : ""}${truncated}`);
  }
  if (!model.hasGraph || model.irVersion < 3) {
    throw new InteropError(`${file}: not an ONNX model: ${model.hasGraph ? `IR version ${model.irVersion} (nnc reads 3 and later)` : "it has no graph"}`);
  }
  const defaults = model.opsets.filter((o) => o.domain === "" || o.domain === "ai.onnx");
  const opset = defaults[0]?.version ?? 0;
  if (defaults.length !== 1) throw new InteropError(`${file}: the model imports ${defaults.length} opsets of the default domain (ai.onnx); expected one`);
  if (opset < OPSETS.min || opset > OPSETS.max) {
    throw new InteropError(`${file}: opset ${opset} of the default domain (ai.onnx) is ${opset > OPSETS.max ? "newer" : "older"} than nnc reads (${OPSETS.min} to ${OPSETS.max}); convert the model to an opset in that range (onnx.version_converter)`);
  }
  const graph = model.graph;
  if (graph.sparseInitializers > 0) throw new InteropError(`${file}: graph ${shown(graph.name)} has sparse initializers, which nnc does not read`);
  const tensors = new Map<string, Constant>();
  for (const t of graph.initializers) {
    const where = `${file}: initializer ${shown(t.name)}`;
    if (tensors.has(t.name)) throw new InteropError(`${where} is defined twice`);
    tensors.set(t.name, tensorValues(t, where));
  }
  return { file, model, graph, opset, tensors };
}
