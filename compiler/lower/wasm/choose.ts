// Which kernels a module gets (`--kernels js|wasm|auto`): the JavaScript ones, or the batched
// kernels with their matrix products as WebAssembly SIMD (offload.ts). `auto` picks WebAssembly
// where it measured faster: batched kernels of MNIST's size (bench/wasm-step.ts, docs/wasm.md),
// and only when the memory they need fits; smaller models keep the JavaScript kernels.
//
//   withKernels(program, model, "auto", "f32")   // MNIST: products offloaded; parity: unchanged

import type { Model } from "../../elaborate/model.js";
import { sizeOf } from "../../ir/node.js";
import { LimitError } from "../limit-error.js";
import type { Program } from "../program.js";
import { PAGE_BYTES } from "./code.js";
import { MAX_PAGES, offloadProducts } from "./offload.js";

export type KernelsMode = "js" | "wasm" | "auto";

/**
 * Flops of a prediction from which `auto` picks WebAssembly: MNIST (203,780) measured 2.9–3.6×
 * faster at batch 32 and 1.1× at batch 1 (docs/wasm.md); models far smaller were not measured,
 * so they keep the JavaScript kernels.
 */
export const AUTO_MIN_FLOPS = 20_000;

/** The memory too large for one WebAssembly memory (a user error: `--kernels js` compiles the model). */
export class WasmMemoryError extends LimitError {}

export function withKernels(program: Program, model: Model, kernels: KernelsMode, precision: "f64" | "f32"): Program {
  if (kernels === "js") return program;
  if (!program.batched) {
    if (kernels === "auto") return program;
    throw new Error("internal: --kernels wasm needs batched kernels (the caller batches every model for it)");
  }
  if (kernels === "auto" && program.flops.predict < AUTO_MIN_FLOPS) return program;
  const sizes = {
    params: program.params.count,
    input: sizeOf(model.input.shape),
    target: sizeOf(model.target.shape),
    output: sizeOf(model.infer.output.shape),
  };
  const offloaded = offloadProducts(program, { precision, sizes });
  const pages = offloaded.wasm!.module.pages;
  if (pages > MAX_PAGES) {
    if (kernels === "auto") return program;
    const gib = (pages * PAGE_BYTES) / 2 ** 30;
    throw new WasmMemoryError(
      `--kernels wasm: the kernels' WebAssembly memory would take ${gib.toFixed(1)} GiB (${pages} pages of 64 KiB: ` +
        `their buffers for ${program.maxBatch} rows, staging areas for a batch and for the ${sizes.params} parameters, and room ` +
        `for parameter vectors), more than one WebAssembly memory holds (4 GiB, ${MAX_PAGES} pages); use --kernels js`,
    );
  }
  return offloaded;
}
