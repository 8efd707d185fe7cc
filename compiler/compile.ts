// The whole pipeline on one screen. Each stage is a function of its input, in its own file,
// returning a plain value that prints (`nnc model.nn --emit ir` shows the graphs, `--emit
// program` the Program):
//
//   model.nn ─parse─▶ AST ─elaborate─▶ Model ─stabilize─▶ ─differentiate─▶ ─simplify─▶ Derived
//            ─batch─▶ Batched ─lower─▶ Program ─emit (print)─▶ model.ts
//
//   const { code } = await compile(readFileSync("parity.nn", "utf8"), "parity.nn");

import { parse } from "./parse.js";
import { elaborate } from "./elaborate/elaborate.js";
import type { Model } from "./elaborate/model.js";
import { stabilize } from "./passes/stabilize.js";
import { differentiate } from "./passes/differentiate.js";
import { type Derived, simplify } from "./passes/simplify.js";
import { batch } from "./passes/batch.js";
import { type BatchMode, type UnrollMode, lower } from "./lower/lower.js";
import { type ActivationProbe, activationProbe } from "./lower/probe.js";
import { hvpKernel } from "./lower/hvp-kernel.js";
import { curvature } from "./passes/curvature.js";
import type { Program, Strategy } from "./lower/program.js";
import { type KernelsMode, withKernels } from "./lower/wasm/choose.js";
import { emitModule, moduleNames } from "./emit/module.js";
import { formatCode } from "./emit/format.js";
import { NNC_VERSION } from "./version.js";
import type { KernelInfo } from "../runtime/core.js";

export interface CompileOptions {
  unroll?: UnrollMode;
  batch?: BatchMode;
  /** Where the matrix products run: JavaScript (the default), WebAssembly SIMD, or whichever measured faster for the model. */
  kernels?: KernelsMode;
  precision?: "f64" | "f32";
  /** "ts" (the default): a TypeScript module; "js": a JavaScript module and its .d.ts (`declarations`). */
  language?: "ts" | "js";
  /** Run prettier over the output. Off by default: the emitter lays its code out itself, and
   * loading prettier plus formatting costs 1–2 s per compile (`nnc --prettier`). */
  format?: boolean;
  /** Also export hvp and hvpBatch, the Hessian-vector product (`--emit hvp`). */
  hvp?: boolean;
  /** Rows the batched kernels' buffers hold (default: as many as their byte budget allows, lower.ts); for measurements such as bench/chunk-rows.ts. */
  maxBatch?: number;
}

export interface Compiled {
  code: string;
  /** The .d.ts of a JavaScript module (language "js"). */
  declarations?: string;
  /** How the kernels were made: the module's `model.kernels` (its header and nnc's status line print it). */
  kernels: KernelInfo;
  model: Model;
  derived: Derived;
  program: Program;
  /** How the per-sample kernels were lowered, or "batched" (minibatches as matrix-matrix kernels). */
  strategy: Strategy;
  batched: boolean;
  flops: { predict: number; grad: number };
}

/** Front half: source text to the simplified, differentiated, named graphs. Throws NncError on bad input. */
export function analyze(source: string, file: string): { model: Model; derived: Derived } {
  const model = elaborate(parse(source, file));
  const derived = simplify(differentiate(stabilize(model)));
  return { model, derived };
}

/**
 * Source text to the lowered Program: the model's kernels, the activation probe (fit's health
 * numbers) and, when asked, the Hessian-vector product (the gradient differentiated again).
 */
export function lowerSource(
  source: string,
  file: string,
  options: CompileOptions = {},
): { model: Model; derived: Derived; program: Program; probe: ActivationProbe } {
  const { model, derived } = analyze(source, file);
  const kernels = options.kernels ?? "js";
  // WebAssembly runs the products of batched kernels: `wasm` batches every model (see lower/wasm/choose.ts).
  const batchMode = kernels === "wasm" && (options.batch ?? "auto") === "auto" ? "always" : (options.batch ?? "auto");
  const precision = options.precision ?? "f64";
  const probe = activationProbe(derived);
  const hessian = options.hvp ? hvpKernel(model, curvature(derived)) : null;
  const extraKernels = [...(probe.kernel ? [probe.kernel] : []), ...(hessian ? [hessian.kernel] : [])];
  const extra = { kernels: extraKernels, offsets: hessian?.offsets ?? new Map<string, number>() };
  const rows = options.maxBatch !== undefined ? { maxBatch: options.maxBatch } : {};
  const lowered = lower(batch(derived), { unroll: options.unroll ?? "auto", batch: batchMode, reserved: moduleNames(), precision, extra, ...rows });
  const program = withKernels(lowered, model, kernels, precision);
  return { model, derived, program, probe };
}

export async function compile(source: string, file: string, options: CompileOptions = {}): Promise<Compiled> {
  const { model, derived, program, probe } = lowerSource(source, file, options);
  const emitted = emitModule(model, program, {
    version: NNC_VERSION,
    precision: options.precision ?? "f64",
    language: options.language ?? "ts",
    ...(options.unroll ? { unroll: options.unroll } : {}),
    ...(options.batch ? { batch: options.batch } : {}),
    extras: { activations: probe.activations, probeSize: probe.size, hvp: options.hvp === true },
  });
  const format = options.format === true;
  const code = format ? await formatCode(emitted.code) : emitted.code;
  const declarations = emitted.declarations === undefined ? {} : { declarations: format ? await formatCode(emitted.declarations) : emitted.declarations };
  return { code, ...declarations, kernels: emitted.kernels, model, derived, program, strategy: program.strategy, batched: program.batched, flops: program.flops };
}
