// The WebAssembly side of a module compiled with `--kernels wasm`: its memory (every buffer of
// the kernels, staging areas and slots for parameter vectors are views of it, made when the
// module loads), the compiled matrix products, and how they get compiled: synchronously where
// the host allows it (Node, a worker), else in the background (a browser's main thread refuses
// to compile modules over 4 KB synchronously: `await ready()` first). Without WebAssembly SIMD
// the JavaScript kernels run, on the same views. The module's bytes are embedded as base64.
//
//   const wasmKernels = loadWasmKernels<WasmExports>("mnist", 42, wasmCode(), 2621440, 4);
//   if (jsKernels(wasmKernels)) return gradRowsInMemory(p, X, Y, n, g, rng, outputs);
//   const pm = inMemory(p, 101770, STAGE_PARAMS);   // p itself when it lies in the memory

import { VecArray, type Vec } from "./core.js";

/** The parts of the WebAssembly API the kernels use (declared here: modules type-check without DOM or Node types). */
interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum: number }) => { readonly buffer: ArrayBuffer };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: object };
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: object): Promise<{ readonly exports: object }>;
  validate(bytes: Uint8Array): boolean;
}

/** Which kernels run: the WebAssembly ones, or the JavaScript ones (no WebAssembly SIMD, or it failed to compile). */
export type KernelsInUse = "wasm" | "js";

export interface WasmKernels<K> {
  readonly model: string;
  /** The memory's bytes: the kernels' buffers, staging areas and parameter slots are views of it. */
  readonly buffer: ArrayBuffer;
  /** The compiled functions; undefined while compiling or when the JavaScript kernels run. */
  exports: K | undefined;
  /** "compiling" until known, then which kernels run. */
  state: "compiling" | KernelsInUse;
  /** Why the JavaScript kernels run, when they do ("" otherwise). */
  reason: string;
  /** Resolves (never rejects) once compiled, or once known that the JavaScript kernels run. */
  ready: Promise<KernelsInUse>;
  /** Byte offset of the next free parameter slot, and where the slots end. */
  nextSlot: number;
  readonly slotsEnd: number;
}

/** Bytes from base64 (the module's code as the generated file embeds it; whitespace skipped). */
export function decodeBase64(text: string): Uint8Array {
  const digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const out = new Uint8Array(Math.floor((text.replace(/[^A-Za-z0-9+/]/g, "").length * 3) / 4));
  let value = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const digit = digits.indexOf(text[i]!);
    if (digit < 0) continue;
    value = ((value << 6) | digit) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (value >> bits) & 0xff;
    }
  }
  return out;
}

/** A module of one function using f64x2 instructions, valid only where WebAssembly SIMD is (tests encode it anew). */
export function simdProbe(): Uint8Array {
  return new Uint8Array([
    0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 2, 16, 1, 3, 101, 110, 118, 6, 109, 101, 109, 111, 114, 121, 2, 1,
    1, 1, 3, 2, 1, 0, 7, 9, 1, 5, 112, 114, 111, 98, 101, 0, 0, 10, 29, 1, 27, 1, 1, 123, 68, 0, 0, 0, 0, 0, 0, 240, 63,
    253, 20, 32, 0, 32, 0, 253, 242, 1, 253, 240, 1, 33, 0, 11,
  ]);
}

/**
 * The memory of `pages` pages and the kernels compiled from `code` (base64), as soon as the host
 * allows; parameter slots start at byte `slots` and hold `slotCount` vectors of `slotBytes`.
 */
export function loadWasmKernels<K>(
  model: string,
  pages: number,
  code: string,
  slots: number,
  slotCount: number,
  slotBytes: number,
): WasmKernels<K> {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  const bytes = pages * 65536;
  const slotsEnd = slots + slotCount * slotBytes;
  if (api === undefined || typeof api.validate !== "function" || !api.validate(simdProbe())) {
    const reason = api === undefined ? "this host has no WebAssembly" : "this host's WebAssembly lacks SIMD";
    return {
      model,
      buffer: new ArrayBuffer(bytes),
      exports: undefined,
      state: "js",
      reason,
      ready: Promise.resolve("js"),
      nextSlot: slots,
      slotsEnd,
    };
  }
  let memory: { readonly buffer: ArrayBuffer };
  try {
    memory = new api.Memory({ initial: pages, maximum: pages });
  } catch (error) {
    const mib = (bytes / 2 ** 20).toFixed(1);
    throw new Error(`${model}: cannot allocate the ${mib} MiB of WebAssembly memory its kernels use: ${String(error)}`);
  }
  const w: WasmKernels<K> = {
    model,
    buffer: memory.buffer,
    exports: undefined,
    state: "compiling",
    reason: "",
    ready: Promise.resolve("js"),
    nextSlot: slots,
    slotsEnd,
  };
  const module = decodeBase64(code);
  const imports = { env: { memory } };
  try {
    w.exports = new api.Instance(new api.Module(module), imports).exports as K;
    w.state = "wasm";
    w.ready = Promise.resolve("wasm");
  } catch {
    // A browser's main thread compiles modules over 4 KB only asynchronously.
    w.ready = api
      .compile(module)
      .then((compiled) => api.instantiate(compiled, imports))
      .then(
        (instance): KernelsInUse => {
          w.exports = instance.exports as K;
          w.state = "wasm";
          return "wasm";
        },
        (error: unknown): KernelsInUse => {
          w.state = "js";
          w.reason = `its WebAssembly kernels failed to compile: ${String(error)}`;
          return "js";
        },
      );
  }
  return w;
}

/** Whether the JavaScript kernels run; throws while the WebAssembly ones are still compiling. */
export function jsKernels(w: WasmKernels<unknown>): boolean {
  if (w.state === "compiling") {
    throw new Error(
      `${w.model}: its WebAssembly kernels are still compiling: await ready() before the first prediction or ` +
        `training step (a browser compiles them in the background)`,
    );
  }
  return w.state === "js";
}

/*
 * The copies run on every training step: a whole array goes with `set` (a memory copy), a part
 * of one element by element, since `subarray` would allocate a view per call.
 */

/** `values` itself when it lies in the memory, else its first `length` values copied into `area` (a view of it). */
export function inMemory(values: Vec, length: number, area: Vec): Vec {
  if (values.buffer === area.buffer) return values;
  if (values.length === length) area.set(values);
  else for (let i = 0; i < length; i++) area[i] = values[i]!;
  return area;
}

/** After a kernel: what it wrote into a staging area back into `values` (nothing when `values` was in the memory). */
export function fromMemory(values: Vec, length: number, staged: Vec): void {
  if (staged === values) return;
  if (staged.length === length) values.set(staged);
  else for (let i = 0; i < length; i++) values[i] = staged[i]!;
}

/** The next free slot of the memory for `size` values (zeroed), or undefined when none is left. */
function nextSlot(w: WasmKernels<unknown>, size: number): Vec | undefined {
  const bytes = size * VecArray.BYTES_PER_ELEMENT;
  if (w.nextSlot + bytes > w.slotsEnd) return undefined;
  const slot = new VecArray(w.buffer, w.nextSlot, size);
  w.nextSlot += Math.ceil(bytes / 16) * 16;
  return slot;
}

/** A parameter vector in the memory: `values` copied into the next free slot, or `values` itself when none is left. */
export function paramsInMemory(w: WasmKernels<unknown>, values: Vec): Vec {
  const slot = nextSlot(w, values.length);
  if (slot === undefined) return values;
  slot.set(values);
  return slot;
}

/** A zeroed array of `size` in the memory (the next free slot), or an ordinary one when none is left. */
export function arrayInMemory(w: WasmKernels<unknown>, size: number): Vec {
  return nextSlot(w, size) ?? new VecArray(size);
}

/**
 * An optimizer's state arrays in the memory: `state` itself when all of them lie there (they were
 * allocated by arrayInMemory), else all copied into `areas` (views of it, one a parameter vector
 * long; an array the optimizer does not use is empty and fills none of its area).
 */
export function stateInMemory(state: readonly Vec[], areas: Vec[]): readonly Vec[] {
  let inside = true;
  for (let k = 0; k < areas.length; k++) if (state[k]!.buffer !== areas[k]!.buffer) inside = false;
  if (inside) return state;
  for (let k = 0; k < areas.length; k++) areas[k]!.set(state[k]!);
  return areas;
}

/** After the step: state arrays copied into areas by stateInMemory back where they belong. */
export function stateFromMemory(state: readonly Vec[], staged: readonly Vec[]): void {
  if (staged === state) return;
  for (let k = 0; k < state.length && k < staged.length; k++) {
    const values = state[k]!;
    const area = staged[k]!;
    if (values.length === area.length) values.set(area);
    else for (let i = 0; i < values.length; i++) values[i] = area[i]!;
  }
}
