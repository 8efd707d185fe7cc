// How a model's kernels were made, as data: a generated module exports it as `model.kernels`,
// and its header and nnc's status line both print it with kernelSummary, so the three agree.
//
//   kernelSummary(kernelInfo(program, "f64"))
//   // "per sample, unrolled, fused training step, f64; 13 flops per prediction, 50 per training sample"

import type { KernelInfo } from "../../runtime/core.js";
import type { Program } from "../lower/program.js";

export function kernelInfo(program: Program, precision: "f64" | "f32"): KernelInfo {
  return {
    strategy: program.strategy,
    batched: program.batched,
    precision,
    flops: { predict: program.flops.predict, grad: program.flops.grad },
    fusedStep: program.kernels.train !== undefined,
  };
}

/** One line saying how the kernels were made. */
export function kernelSummary(info: KernelInfo): string {
  const how = info.batched ? "batched (matrix-matrix over minibatch rows)" : `per sample, ${info.strategy}`;
  return `${how}${info.fusedStep ? ", fused training step" : ""}, ${info.precision}; ${info.flops.predict} flops per prediction, ${info.flops.grad} per training sample`;
}
