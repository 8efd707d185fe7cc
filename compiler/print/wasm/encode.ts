// print: a WebAssembly module (lower/wasm/code.ts) as its binary encoding. The module imports
// its memory (env.memory, the generated TypeScript module creates it, so typed-array views of it
// exist before the code is compiled) and exports every function; nothing else. Deterministic: the
// same module gives the same bytes.
//
//   encodeModule({ pages: 2, functions: [gemm] })   // Uint8Array [0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, …]

import type { ValType, WExpr, WFunc, WModule, WStmt } from "../../lower/wasm/code.js";
import { CONTROL, EXTERNAL, FUNC_TYPE, MEMORY_OPS, OPS, type Opcode, SECTION, SIMD_PREFIX, V128_CONST, VALTYPE } from "./opcodes.js";

/** Unsigned LEB128. */
export function uleb(n: number, out: number[] = []): number[] {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`internal: ${n} is not a u32`);
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

/** Signed LEB128 of an i32 (integers from −2³¹ to 2³² − 1, the latter as their two's complement). */
export function sleb(n: number, out: number[] = []): number[] {
  if (!Number.isInteger(n) || n < -0x80000000 || n > 0xffffffff) throw new Error(`internal: ${n} is not an i32`);
  let x = n | 0;
  for (;;) {
    const byte = x & 0x7f;
    x >>= 7;
    const done = (x === 0 && (byte & 0x40) === 0) || (x === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

const utf8 = (s: string) => [...new TextEncoder().encode(s)];

function name(s: string, out: number[]): void {
  const bytes = utf8(s);
  uleb(bytes.length, out);
  out.push(...bytes);
}

function opcode(o: Opcode, out: number[]): void {
  if ("byte" in o) out.push(o.byte);
  else {
    out.push(SIMD_PREFIX);
    uleb(o.simd, out);
  }
}

function floatBytes(type: "f32" | "f64", value: number, out: number[]): void {
  const view = new DataView(new ArrayBuffer(type === "f32" ? 4 : 8));
  if (type === "f32") view.setFloat32(0, value, true);
  else view.setFloat64(0, value, true);
  for (let i = 0; i < view.byteLength; i++) out.push(view.getUint8(i));
}

/** One function's body: locals (runs of one type), then its instructions. */
function functionBody(fn: WFunc): number[] {
  const index = new Map<string, number>();
  for (const [n] of [...fn.params, ...fn.locals]) {
    if (index.has(n)) throw new Error(`internal: local ${n} declared twice in ${fn.name}`);
    index.set(n, index.size);
  }
  const local = (n: string) => {
    const i = index.get(n);
    if (i === undefined) throw new Error(`internal: ${fn.name} uses undeclared local ${n}`);
    return i;
  };
  const out: number[] = [];
  const runs: [number, ValType][] = [];
  for (const [, t] of fn.locals) {
    const last = runs[runs.length - 1];
    if (last && last[1] === t) last[0]++;
    else runs.push([1, t]);
  }
  uleb(runs.length, out);
  for (const [count, t] of runs) {
    uleb(count, out);
    out.push(VALTYPE[t]);
  }
  const expr = (e: WExpr): void => {
    switch (e.k) {
      case "const":
        if (e.type === "i32") {
          out.push(CONTROL.i32Const);
          sleb(e.value, out);
        } else {
          out.push(e.type === "f32" ? CONTROL.f32Const : CONTROL.f64Const);
          floatBytes(e.type, e.value, out);
        }
        break;
      case "get":
        out.push(CONTROL.localGet);
        uleb(local(e.local), out);
        break;
      case "op":
        e.args.forEach(expr);
        opcode(OPS[e.op], out);
        if (e.lane !== undefined) out.push(e.lane);
        break;
      case "load":
        expr(e.addr);
        opcode(MEMORY_OPS[e.op], out);
        uleb(MEMORY_OPS[e.op].align, out);
        uleb(e.offset, out);
        break;
      case "vconst": {
        out.push(SIMD_PREFIX);
        uleb(V128_CONST, out);
        const view = new DataView(new ArrayBuffer(16));
        e.values.forEach((x, i) => (e.shape === "i32x4" ? view.setInt32(i * 4, x, true) : view.setBigInt64(i * 8, BigInt(x), true)));
        for (let i = 0; i < 16; i++) out.push(view.getUint8(i));
        break;
      }
      case "if":
        expr(e.test);
        out.push(CONTROL.if, VALTYPE[e.type]);
        expr(e.then);
        out.push(CONTROL.else);
        expr(e.else);
        out.push(CONTROL.end);
        break;
    }
  };
  const stmt = (s: WStmt): void => {
    switch (s.k) {
      case "set":
        expr(s.value);
        out.push(CONTROL.localSet);
        uleb(local(s.local), out);
        break;
      case "store":
        expr(s.addr);
        expr(s.value);
        opcode(MEMORY_OPS[s.op], out);
        uleb(MEMORY_OPS[s.op].align, out);
        uleb(s.offset, out);
        break;
      case "for": {
        // v = from; block { loop { if (v >= to) break; body; v += step; continue } }
        const v = local(s.v);
        expr(s.from);
        out.push(CONTROL.localSet);
        uleb(v, out);
        out.push(CONTROL.block, CONTROL.void, CONTROL.loop, CONTROL.void);
        out.push(CONTROL.localGet);
        uleb(v, out);
        expr(s.to);
        opcode(OPS["i32.ge_s"], out);
        out.push(CONTROL.brIf, 1);
        s.body.forEach(stmt);
        out.push(CONTROL.localGet);
        uleb(v, out);
        out.push(CONTROL.i32Const);
        sleb(s.step, out);
        opcode(OPS["i32.add"], out);
        out.push(CONTROL.localSet);
        uleb(v, out);
        out.push(CONTROL.br, 0, CONTROL.end, CONTROL.end);
        break;
      }
      case "if":
        expr(s.test);
        out.push(CONTROL.if, CONTROL.void);
        s.body.forEach(stmt);
        out.push(CONTROL.end);
        break;
      case "comment":
        break;
    }
  };
  fn.body.forEach(stmt);
  if (fn.result) expr(fn.result.value);
  out.push(CONTROL.end);
  return out;
}

function section(id: number, content: number[], out: number[]): void {
  out.push(id);
  uleb(content.length, out);
  for (const b of content) out.push(b);
}

/** A vector: its length, then each element. */
function vector<T>(items: readonly T[], each: (item: T, out: number[]) => void): number[] {
  const out = uleb(items.length);
  for (const item of items) each(item, out);
  return out;
}

export function encodeModule(m: WModule): Uint8Array<ArrayBuffer> {
  // A type: its parameters' types, then after `->` its result's, if any.
  const signature = (fn: WFunc) => `${fn.params.map(([, t]) => t).join(",")}->${fn.result?.type ?? ""}`;
  const types: string[] = [];
  for (const fn of m.functions) if (!types.includes(signature(fn))) types.push(signature(fn));
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  section(
    SECTION.type,
    vector(types, (sig, o) => {
      o.push(FUNC_TYPE);
      const [inputs, output] = sig.split("->") as [string, string];
      const params = inputs === "" ? [] : (inputs.split(",") as ValType[]);
      uleb(params.length, o);
      for (const t of params) o.push(VALTYPE[t]);
      uleb(output === "" ? 0 : 1, o);
      if (output !== "") o.push(VALTYPE[output as ValType]);
    }),
    out,
  );
  section(
    SECTION.import,
    vector([0], (_, o) => {
      name("env", o);
      name("memory", o);
      o.push(EXTERNAL.memory, 0x01);
      uleb(m.pages, o);
      uleb(m.pages, o);
    }),
    out,
  );
  section(SECTION.function, vector(m.functions, (fn, o) => uleb(types.indexOf(signature(fn)), o)), out);
  section(
    SECTION.export,
    vector(
      m.functions.map((fn, i) => [fn.name, i] as const),
      ([fn, i], o) => {
        name(fn, o);
        o.push(EXTERNAL.func);
        uleb(i, o);
      },
    ),
    out,
  );
  section(
    SECTION.code,
    vector(m.functions, (fn, o) => {
      const body = functionBody(fn);
      uleb(body.length, o);
      for (const b of body) o.push(b);
    }),
    out,
  );
  return new Uint8Array(out);
}
