// The protobuf wire format, as far as ONNX files need it: a reader over bytes that says where
// it stopped when the data is cut short or malformed, and a writer. Messages are described by
// schema.ts; this file knows only tags, varints, fixed-width numbers and length-delimited bytes.
//
//   const r = new WireReader(bytes);
//   while (!r.done()) { const { field, wire } = r.tag(); … r.varint() / r.bytes() / r.skip(wire) }
//   const w = new WireWriter(); w.varintField(1, 7); w.bytesField(2, utf8("x")); w.finish();
//
// Why our own codec: ONNX uses a dozen messages of onnx.proto and four wire types. A
// generated-code library (protobufjs, @bufbuild/protobuf, google-protobuf) would need onnx.proto
// and a code generator in the build for those few lines, and reports damage in its own words;
// here a truncated file is named with the byte where it ends.

/** A malformed or truncated message: `at` is the byte offset where reading failed. */
export class WireError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

export const WIRE = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

const TWO_32 = 2 ** 32;

export class WireReader {
  pos: number;
  private readonly view: DataView;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  private need(n: number, what: string): void {
    if (this.pos + n > this.end) throw new WireError(`the data ends inside ${what}`, this.pos);
  }

  /** A varint as a JavaScript number: exact up to 2^53, negative int64 values (10 bytes) as negative numbers. */
  varint(): number {
    let lo = 0;
    let shift = 0;
    let i = 0;
    const start = this.pos;
    for (;;) {
      this.need(1, "a number");
      const b = this.buf[this.pos++]!;
      if (i < 4) lo |= (b & 0x7f) << shift;
      shift += 7;
      i++;
      if ((b & 0x80) === 0) break;
      if (i === 10) throw new WireError("a number runs on for more than 10 bytes", start);
    }
    if (i <= 4) return lo >>> 0;
    // Longer: read again exactly with BigInt (rare: large dims, negative int64s).
    let big = 0n;
    for (let k = 0; k < i; k++) big |= BigInt(this.buf[start + k]! & 0x7f) << BigInt(7 * k);
    return Number(BigInt.asIntN(64, big));
  }

  tag(): { field: number; wire: number } {
    const at = this.pos;
    const key = this.varint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (field === 0) throw new WireError("a field number of 0 (not protobuf data)", at);
    return { field, wire };
  }

  /** A length-delimited field's bounds [start, end) within buf; the reader moves past it. */
  span(): [number, number] {
    const len = this.varint();
    if (len < 0) throw new WireError("a negative length", this.pos);
    this.need(len, `a field of ${len} bytes`);
    const start = this.pos;
    this.pos += len;
    return [start, this.pos];
  }

  bytes(): Uint8Array {
    const [s, e] = this.span();
    return this.buf.subarray(s, e);
  }

  fixed32(): number {
    this.need(4, "a 4-byte number");
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  fixed64(): number {
    this.need(8, "an 8-byte number");
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  skip(wire: number): void {
    if (wire === WIRE.varint) this.varint();
    else if (wire === WIRE.fixed64) this.fixed64();
    else if (wire === WIRE.bytes) this.span();
    else if (wire === WIRE.fixed32) this.fixed32();
    else throw new WireError(`wire type ${wire}, which protobuf 3 never writes`, this.pos);
  }
}

/** Bytes accumulated in chunks; `finish()` joins them. */
export class WireWriter {
  private chunks: Uint8Array[] = [];
  private scratch = new Uint8Array(16);
  length = 0;

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  varint(value: number): void {
    const out: number[] = [];
    if (value >= 0 && value < TWO_32) {
      let v = value;
      while (v >= 0x80) {
        out.push((v & 0x7f) | 0x80);
        v = Math.floor(v / 128);
      }
      out.push(v);
    } else {
      let big = BigInt.asUintN(64, BigInt(value));
      while (big >= 0x80n) {
        out.push(Number(big & 0x7fn) | 0x80);
        big >>= 7n;
      }
      out.push(Number(big));
    }
    this.push(Uint8Array.from(out));
  }

  tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  varintField(field: number, value: number): void {
    this.tag(field, WIRE.varint);
    this.varint(value);
  }

  bytesField(field: number, bytes: Uint8Array): void {
    this.tag(field, WIRE.bytes);
    this.varint(bytes.length);
    this.push(bytes);
  }

  float32Field(field: number, value: number): void {
    this.tag(field, WIRE.fixed32);
    new DataView(this.scratch.buffer).setFloat32(0, value, true);
    this.push(this.scratch.slice(0, 4));
  }

  /** A nested message or packed field, written by `write` into a writer of its own. */
  nested(field: number, write: (w: WireWriter) => void): void {
    const inner = new WireWriter();
    write(inner);
    this.tag(field, WIRE.bytes);
    this.varint(inner.length);
    for (const c of inner.chunks) this.push(c);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}
