// Which kernels a module gets (`--kernels js|wasm|auto`): the JavaScript ones, or the batched
// kernels with their matrix products as WebAssembly SIMD (offload.ts). `auto` picks WebAssembly
// where it measured faster: batched kernels of at least 1,000 flops per prediction
// (docs/wasm.md), and only when the memory they need fits; smaller models keep the JavaScript
// kernels.
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
 * Flops of a prediction from which `auto` picks WebAssembly (for a model with batched kernels;
 * `--batch auto` gives small ones per-sample kernels, which stay JavaScript). With the fused
 * step's update in WebAssembly too, every batched example measured faster with it (steps of 1
 * and 32 rows, predict; bench/wasm-auto.ts, bench/wasm-step.ts, docs/wasm.md): MNIST (203,780 flops) 2.2–8× at
 * batch 1, 2.9–3.6× at 32; deep_sigmoid (5,550) 1.4–1.8×; deep_relu (4,142) 1.6–2.1×;
 * iris_regularized (1,550) 1.1–1.8×. A 4-8-3 network (112 flops, batched) gained nothing
 * (0.95–1.03×): below this, JavaScript.
 */
export const AUTO_MIN_FLOPS = 1_000;

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
        `their buffers for ${program.maxBatch} rows, staging areas for a batch and for the ${sizes.params} parameters and ` +
        `optimizer state, and room for parameter vectors and state), more than one WebAssembly memory holds (4 GiB, ${MAX_PAGES} pages); use --kernels js`,
    );
  }
  return offloaded;
}
