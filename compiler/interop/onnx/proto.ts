// The part of onnx.proto that nnc reads and writes, as plain objects, decoded from and encoded
// to the wire format (wire.ts). Field numbers are onnx.proto's (IR version 3 and later); fields
// nnc has no use for are skipped on reading, and noted where their presence matters (external
// data, sparse initializers, subgraphs, functions) so the importer can refuse them by name.
//
//   const model = decodeModel(bytes);       // OnnxModel, or WireError (with .at and .path)
//   const bytes = encodeModel(model);       // deterministic: the same model, the same bytes

import { WIRE, WireError, WireReader, WireWriter } from "./wire.js";

export interface OnnxTensor {
  name: string;
  dims: number[];
  /** TensorProto.DataType: 1 FLOAT, 6 INT32, 7 INT64, 11 DOUBLE, … */
  dataType: number;
  raw?: Uint8Array;
  floats?: number[];
  doubles?: number[];
  int32s?: number[];
  int64s?: number[];
  /** data_location = EXTERNAL: the values live in another file. */
  external: boolean;
}

export interface OnnxAttribute {
  name: string;
  /** AttributeProto.AttributeType: 1 FLOAT, 2 INT, 3 STRING, 4 TENSOR, 5 GRAPH, 6 FLOATS, 7 INTS, … */
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: OnnxTensor;
  floats?: number[];
  ints?: number[];
}

export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: OnnxAttribute[];
}

/** A graph input or output: its element type and shape (a number, a symbolic name, or unknown per dimension). */
export interface OnnxValueInfo {
  name: string;
  elemType?: number;
  dims?: (number | string | undefined)[];
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  sparseInitializers: number;
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

export interface OnnxModel {
  irVersion: number;
  opsets: { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  graph: OnnxGraph;
  metadata: { key: string; value: string }[];
  functions: number;
}

export const DATA_TYPE = { FLOAT: 1, INT32: 6, INT64: 7, DOUBLE: 11 } as const;
export const ATTRIBUTE_TYPE = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7 } as const;

const utf8 = new TextDecoder("utf-8");
const encoder = new TextEncoder();

// ---- decoding ----

/** Runs `read` for the message at [start, end); a WireError from inside gets `path` if it has none. */
function message<T>(r: WireReader, path: string, read: (m: WireReader) => T): T {
  try {
    const [start, end] = r.span();
    return read(new WireReader(r.buf, start, end));
  } catch (e) {
    if (e instanceof WireError && (e as WireError & { path?: string }).path === undefined) Object.assign(e, { path });
    throw e;
  }
}

function string(r: WireReader): string {
  return utf8.decode(r.bytes());
}

/** A repeated varint field, packed or not. */
function varints(r: WireReader, wire: number, into: number[]): void {
  if (wire !== WIRE.bytes) {
    into.push(r.varint());
    return;
  }
  const [s, e] = r.span();
  const inner = new WireReader(r.buf, s, e);
  while (!inner.done()) into.push(inner.varint());
}

function fixeds(r: WireReader, wire: number, size: 4 | 8, into: number[]): void {
  if (wire !== WIRE.bytes) {
    into.push(size === 4 ? r.fixed32() : r.fixed64());
    return;
  }
  const [s, e] = r.span();
  const inner = new WireReader(r.buf, s, e);
  while (!inner.done()) into.push(size === 4 ? inner.fixed32() : inner.fixed64());
}

function decodeTensor(r: WireReader): OnnxTensor {
  const t: OnnxTensor = { name: "", dims: [], dataType: 0, external: false };
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1) varints(r, wire, t.dims);
    else if (field === 2) t.dataType = r.varint();
    else if (field === 4) fixeds(r, wire, 4, (t.floats ??= []));
    else if (field === 5) varints(r, wire, (t.int32s ??= []));
    else if (field === 7) varints(r, wire, (t.int64s ??= []));
    else if (field === 8) t.name = string(r);
    else if (field === 9) t.raw = r.bytes();
    else if (field === 10) fixeds(r, wire, 8, (t.doubles ??= []));
    else if (field === 14) t.external = r.varint() === 1;
    else r.skip(wire);
  }
  return t;
}

function decodeAttribute(r: WireReader): OnnxAttribute {
  const a: OnnxAttribute = { name: "", type: 0 };
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1) a.name = string(r);
    else if (field === 20) a.type = r.varint();
    else if (field === 2) a.f = r.fixed32();
    else if (field === 3) a.i = r.varint();
    else if (field === 4) a.s = r.bytes();
    else if (field === 5) a.t = message(r, `attribute '${a.name}'`, decodeTensor);
    else if (field === 7) fixeds(r, wire, 4, (a.floats ??= []));
    else if (field === 8) varints(r, wire, (a.ints ??= []));
    else r.skip(wire);
  }
  return a;
}

function decodeNode(r: WireReader): OnnxNode {
  const n: OnnxNode = { name: "", opType: "", domain: "", inputs: [], outputs: [], attributes: [] };
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1) n.inputs.push(string(r));
    else if (field === 2) n.outputs.push(string(r));
    else if (field === 3) n.name = string(r);
    else if (field === 4) n.opType = string(r);
    else if (field === 7) n.domain = string(r);
    else if (field === 5) n.attributes.push(message(r, `attribute ${n.attributes.length}`, decodeAttribute));
    else r.skip(wire);
  }
  return n;
}

function decodeDimension(r: WireReader): number | string | undefined {
  let dim: number | string | undefined;
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1) dim = r.varint();
    else if (field === 2) dim = string(r);
    else r.skip(wire);
  }
  return dim;
}

function decodeValueInfo(r: WireReader): OnnxValueInfo {
  const v: OnnxValueInfo = { name: "" };
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1) v.name = string(r);
    else if (field === 2) {
      // TypeProto → tensor_type (1) → elem_type (1), shape (2) → dim (1)*
      message(r, "type", (tp) => {
        while (!tp.done()) {
          const t = tp.tag();
          if (t.field !== 1) {
            tp.skip(t.wire);
            continue;
          }
          message(tp, "tensor type", (tt) => {
            while (!tt.done()) {
              const u = tt.tag();
              if (u.field === 1) v.elemType = tt.varint();
              else if (u.field === 2) {
                v.dims = [];
                message(tt, "shape", (sh) => {
                  while (!sh.done()) {
                    const d = sh.tag();
                    if (d.field === 1) v.dims!.push(message(sh, "dimension", decodeDimension));
                    else sh.skip(d.wire);
                  }
                });
              } else tt.skip(u.wire);
            }
          });
        }
      });
    } else r.skip(wire);
  }
  return v;
}

function decodeGraph(r: WireReader): OnnxGraph {
  const g: OnnxGraph = { name: "", nodes: [], initializers: [], sparseInitializers: 0, inputs: [], outputs: [] };
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1) g.nodes.push(message(r, `node ${g.nodes.length}`, decodeNode));
    else if (field === 2) g.name = string(r);
    else if (field === 5) g.initializers.push(message(r, `initializer ${g.initializers.length}`, decodeTensor));
    else if (field === 15) {
      g.sparseInitializers++;
      r.skip(wire);
    } else if (field === 11) g.inputs.push(message(r, `input ${g.inputs.length}`, decodeValueInfo));
    else if (field === 12) g.outputs.push(message(r, `output ${g.outputs.length}`, decodeValueInfo));
    else r.skip(wire);
  }
  return g;
}

function decodeOpset(r: WireReader): { domain: string; version: number } {
  const o = { domain: "", version: 0 };
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1) o.domain = string(r);
    else if (field === 2) o.version = r.varint();
    else r.skip(wire);
  }
  return o;
}

function decodeEntry(r: WireReader): { key: string; value: string } {
  const e = { key: "", value: "" };
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1) e.key = string(r);
    else if (field === 2) e.value = string(r);
    else r.skip(wire);
  }
  return e;
}

/** A ModelProto. Throws WireError (with `path`, the message it was reading) on damaged data. */
export function decodeModel(bytes: Uint8Array): OnnxModel & { hasGraph: boolean } {
  const r = new WireReader(bytes);
  const m: OnnxModel & { hasGraph: boolean } = {
    irVersion: 0,
    opsets: [],
    producerName: "",
    producerVersion: "",
    graph: { name: "", nodes: [], initializers: [], sparseInitializers: 0, inputs: [], outputs: [] },
    metadata: [],
    functions: 0,
    hasGraph: false,
  };
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1) m.irVersion = r.varint();
    else if (field === 8) m.opsets.push(message(r, "opset_import", decodeOpset));
    else if (field === 2) m.producerName = string(r);
    else if (field === 3) m.producerVersion = string(r);
    else if (field === 7) {
      m.graph = message(r, "graph", decodeGraph);
      m.hasGraph = true;
    } else if (field === 14) m.metadata.push(message(r, "metadata_props", decodeEntry));
    else if (field === 25) {
      m.functions++;
      r.skip(wire);
    } else r.skip(wire);
  }
  return m;
}

// ---- encoding (what nnc writes: float tensors as raw_data, little-endian) ----

const text = (s: string) => encoder.encode(s);

function encodeTensor(w: WireWriter, t: OnnxTensor): void {
  if (t.dims.length > 0) w.nested(1, (p) => t.dims.forEach((d) => p.varint(d)));
  w.varintField(2, t.dataType);
  if (t.int64s && t.int64s.length > 0) w.nested(7, (p) => t.int64s!.forEach((v) => p.varint(v)));
  w.bytesField(8, text(t.name));
  if (t.raw) w.bytesField(9, t.raw);
  if (t.external) w.varintField(14, 1);
}

function encodeAttribute(w: WireWriter, a: OnnxAttribute): void {
  w.bytesField(1, text(a.name));
  if (a.f !== undefined) w.float32Field(2, a.f);
  if (a.i !== undefined) w.varintField(3, a.i);
  if (a.s !== undefined) w.bytesField(4, a.s);
  if (a.t !== undefined) w.nested(5, (m) => encodeTensor(m, a.t!));
  if (a.ints !== undefined) w.nested(8, (p) => a.ints!.forEach((v) => p.varint(v)));
  w.varintField(20, a.type);
}

function encodeNode(w: WireWriter, n: OnnxNode): void {
  for (const i of n.inputs) w.bytesField(1, text(i));
  for (const o of n.outputs) w.bytesField(2, text(o));
  w.bytesField(3, text(n.name));
  w.bytesField(4, text(n.opType));
  for (const a of n.attributes) w.nested(5, (m) => encodeAttribute(m, a));
  if (n.domain !== "") w.bytesField(7, text(n.domain));
}

function encodeValueInfo(w: WireWriter, v: OnnxValueInfo): void {
  w.bytesField(1, text(v.name));
  w.nested(2, (tp) =>
    tp.nested(1, (tt) => {
      tt.varintField(1, v.elemType ?? DATA_TYPE.FLOAT);
      if (v.dims) {
        tt.nested(2, (sh) => {
          for (const d of v.dims!) {
            sh.nested(1, (dim) => {
              if (typeof d === "number") dim.varintField(1, d);
              else if (typeof d === "string") dim.bytesField(2, text(d));
            });
          }
        });
      }
    }),
  );
}

function encodeGraph(w: WireWriter, g: OnnxGraph): void {
  for (const n of g.nodes) w.nested(1, (m) => encodeNode(m, n));
  w.bytesField(2, text(g.name));
  for (const t of g.initializers) w.nested(5, (m) => encodeTensor(m, t));
  for (const v of g.inputs) w.nested(11, (m) => encodeValueInfo(m, v));
  for (const v of g.outputs) w.nested(12, (m) => encodeValueInfo(m, v));
}

export function encodeModel(m: OnnxModel): Uint8Array {
  const w = new WireWriter();
  w.varintField(1, m.irVersion);
  w.bytesField(2, text(m.producerName));
  w.bytesField(3, text(m.producerVersion));
  w.nested(7, (g) => encodeGraph(g, m.graph));
  for (const o of m.opsets) {
    w.nested(8, (p) => {
      if (o.domain !== "") p.bytesField(1, text(o.domain));
      p.varintField(2, o.version);
    });
  }
  for (const e of m.metadata) {
    w.nested(14, (p) => {
      p.bytesField(1, text(e.key));
      p.bytesField(2, text(e.value));
    });
  }
  return w.finish();
}
