// WebAssembly's binary encodings of the instructions and types nnc's kernels use, from the core
// specification (binary/instructions.rst, binary/types.rst) and the SIMD proposal's final table
// (proposals/simd/BinarySIMD.md): a SIMD instruction is the prefix 0xFD followed by its opcode
// as an unsigned LEB128 (so 0xF2, f64x2.mul, takes two bytes: 0xF2 0x01).

import type { LoadOp, StoreOp, ValType, WOp } from "../../lower/wasm/code.js";

export const VALTYPE: Record<ValType, number> = { i32: 0x7f, f32: 0x7d, f64: 0x7c, v128: 0x7b };

export const CONTROL = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  localGet: 0x20,
  localSet: 0x21,
  i32Const: 0x41,
  f32Const: 0x43,
  f64Const: 0x44,
  /** The empty block type. */
  void: 0x40,
} as const;

export const SIMD_PREFIX = 0xfd;
/** v128.const (after the prefix), followed by its 16 bytes. */
export const V128_CONST = 0x0c;

/** An instruction: a one-byte opcode, or a SIMD opcode (after the 0xFD prefix). */
export type Opcode = { readonly byte: number } | { readonly simd: number };

export const OPS: Record<WOp, Opcode> = {
  "i32.add": { byte: 0x6a },
  "i32.sub": { byte: 0x6b },
  "i32.mul": { byte: 0x6c },
  "i32.lt_s": { byte: 0x48 },
  "i32.ge_s": { byte: 0x4e },
  "f32.add": { byte: 0x92 },
  "f32.sub": { byte: 0x93 },
  "f32.mul": { byte: 0x94 },
  "f64.add": { byte: 0xa0 },
  "f64.sub": { byte: 0xa1 },
  "f64.mul": { byte: 0xa2 },
  "f32x4.splat": { simd: 0x13 },
  "f64x2.splat": { simd: 0x14 },
  "f32x4.extract_lane": { simd: 0x1f },
  "f64x2.extract_lane": { simd: 0x21 },
  "f32x4.add": { simd: 0xe4 },
  "f32x4.sub": { simd: 0xe5 },
  "f32x4.mul": { simd: 0xe6 },
  "f64x2.add": { simd: 0xf0 },
  "f64x2.sub": { simd: 0xf1 },
  "f64x2.mul": { simd: 0xf2 },
  "f32.div": { byte: 0x95 },
  "f64.div": { byte: 0xa3 },
  "f32.sqrt": { byte: 0x91 },
  "f64.sqrt": { byte: 0x9f },
  "f32.neg": { byte: 0x8c },
  "f64.neg": { byte: 0x9a },
  "f32.gt": { byte: 0x5e },
  "f32.lt": { byte: 0x5d },
  "f64.gt": { byte: 0x64 },
  "f64.lt": { byte: 0x63 },
  "f32.demote_f64": { byte: 0xb6 },
  select: { byte: 0x1b },
  "f32x4.div": { simd: 0xe7 },
  "f64x2.div": { simd: 0xf3 },
  "f32x4.sqrt": { simd: 0xe3 },
  "f64x2.sqrt": { simd: 0xef },
  "f32x4.neg": { simd: 0xe1 },
  "f64x2.neg": { simd: 0xed },
  "f32x4.gt": { simd: 0x44 },
  "f32x4.lt": { simd: 0x43 },
  "f64x2.gt": { simd: 0x4a },
  "f64x2.lt": { simd: 0x49 },
  "v128.bitselect": { simd: 0x52 },
  "i32.le_s": { byte: 0x4c },
  "i32.gt_s": { byte: 0x4a },
  "i32.eq": { byte: 0x46 },
  "i32.ne": { byte: 0x47 },
  "i32.and": { byte: 0x71 },
  "i32.or": { byte: 0x72 },
  "f64.eq": { byte: 0x61 },
  "f64.ne": { byte: 0x62 },
  "f64.le": { byte: 0x65 },
  "f64.ge": { byte: 0x66 },
  "f64.abs": { byte: 0x99 },
  "f64.min": { byte: 0xa4 },
  "f64.max": { byte: 0xa5 },
  "f64.convert_i32_s": { byte: 0xb7 },
  "f64.promote_f32": { byte: 0xbb },
  "f64x2.promote_low_f32x4": { simd: 0x5f },
  "f32x4.min": { simd: 0xe8 },
  "f32x4.max": { simd: 0xe9 },
  "f64x2.min": { simd: 0xf4 },
  "f64x2.max": { simd: 0xf5 },
  "f32x4.abs": { simd: 0xe0 },
  "f64x2.abs": { simd: 0xec },
  "f32x4.eq": { simd: 0x41 },
  "f32x4.le": { simd: 0x45 },
  "f32x4.ge": { simd: 0x46 },
  "f64x2.eq": { simd: 0x47 },
  "f64x2.le": { simd: 0x4b },
  "f64x2.ge": { simd: 0x4c },
  "i32x4.splat": { simd: 0x11 },
  "i64x2.splat": { simd: 0x12 },
  "i64.extend_i32_s": { byte: 0xac },
  "i32.wrap_i64": { byte: 0xa7 },
  "i32x4.extract_lane": { simd: 0x1b },
  "i64x2.extract_lane": { simd: 0x1d },
  "i32x4.add": { simd: 0xae },
  "i32x4.sub": { simd: 0xb1 },
  "i32x4.mul": { simd: 0xb5 },
  "i64x2.add": { simd: 0xce },
  "i64x2.sub": { simd: 0xd1 },
  "i64x2.mul": { simd: 0xd5 },
  "i32x4.eq": { simd: 0x37 },
  "i32x4.lt_s": { simd: 0x39 },
  "i32x4.gt_s": { simd: 0x3b },
  "i32x4.le_s": { simd: 0x3d },
  "i32x4.ge_s": { simd: 0x3f },
  "i64x2.eq": { simd: 0xd6 },
  "i64x2.lt_s": { simd: 0xd8 },
  "i64x2.gt_s": { simd: 0xd9 },
  "i64x2.le_s": { simd: 0xda },
  "i64x2.ge_s": { simd: 0xdb },
  "v128.and": { simd: 0x4e },
  "v128.or": { simd: 0x50 },
};

/** Loads and stores: the opcode and the natural alignment (log2 of bytes) given as the memarg's hint. */
export const MEMORY_OPS: Record<LoadOp | StoreOp, Opcode & { readonly align: number }> = {
  "f32.load": { byte: 0x2a, align: 2 },
  "f64.load": { byte: 0x2b, align: 3 },
  "f32.store": { byte: 0x38, align: 2 },
  "f64.store": { byte: 0x39, align: 3 },
  "v128.load": { simd: 0x00, align: 4 },
  "v128.load32_splat": { simd: 0x09, align: 2 },
  "v128.load64_splat": { simd: 0x0a, align: 3 },
  "v128.store": { simd: 0x0b, align: 4 },
};

/** Module sections by id, and what an import or export describes. */
export const SECTION = { type: 1, import: 2, function: 3, export: 7, code: 10 } as const;
export const FUNC_TYPE = 0x60;
export const EXTERNAL = { func: 0x00, memory: 0x02 } as const;
