// The WebAssembly part of a Program (`--kernels wasm`), as data: the module, where each array
// lives in its memory, and the entry kernels' wrappers. offload.ts makes it; print/typescript.ts
// and emit/wasm-glue.ts print it. Apart from lower/program.ts, which holds one, so that the two
// need not import each other.

import type { WModule } from "./code.js";
import type { Precision } from "./gemm.js";

/** A kernel array that must be in the memory when a product runs, and the area it is copied to when it is not. */
export interface Stage {
  /** The kernel parameter (p, X, Y, g, outputs). */
  param: string;
  /** The module-level view of the area. */
  view: string;
  offset: number;
  /** Elements the area holds. */
  length: number;
  /** Elements a call copies: all of them, or `perRow` for each of the call's n rows. */
  perRow?: number;
  /** An array of arrays (the optimizer's state): this many areas of `length`, 16-byte aligned, one after another. */
  arrays?: number;
  /** Copied in before the kernel (it is read, or added to), and out after it (it is written). */
  copyIn: boolean;
  copyOut: boolean;
}

/** An entry kernel as the module calls it: a wrapper that stages its arrays and calls the kernel. */
export interface Entry {
  /** The name the module's API and ModelCore call (predictRows, …). */
  name: string;
  /** The kernel it wraps (`${name}InMemory`). */
  kernel: string;
  /** The kernel's parameters (lower/program.ts Param). */
  params: readonly (readonly [name: string, type: string])[];
  returns: "number" | "void";
  /** Parameters staged on the way in (and out). */
  staged: readonly string[];
  /** Staged parameters the kernel's JavaScript writes (copied back like those its products write). */
  writes: readonly string[];
}

export interface WasmPart {
  module: WModule;
  object: string;
  precision: Precision;
  /** The memory's size in bytes (pages × 64 KiB). */
  bytes: number;
  stages: Stage[];
  /** Room for parameter vectors made by init() and loadParams(): where it starts, how many, and the bytes of each. */
  arena: { offset: number; slots: number; slotBytes: number };
  entries: Entry[];
}
