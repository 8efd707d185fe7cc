// The whole pipeline on one screen. Each stage is a pure function in its own file:
//
//   model.nn ─parse─▶ AST ─build─▶ Model (graph) ─derive (autodiff + simplify)─▶ graphs ─emit (lower)─▶ model.ts
//
//   const { code } = await compile(readFileSync("parity.nn", "utf8"), "parity.nn");

import { parse } from "./parse.js";
import { build } from "./build/build.js";
import type { Model } from "./build/model.js";
import { derive, type Derived } from "./passes/derive.js";
import { emitModule, type EmitOptions } from "./emit/module.js";
import type { BatchMode, Strategy, UnrollMode } from "./emit/kernels.js";
import { formatCode } from "./emit/format.js";
import { NNC_VERSION } from "./version.js";

export interface CompileOptions {
  unroll?: UnrollMode;
  batch?: BatchMode;
  precision?: "f64" | "f32";
  /** Run prettier over the output. Off by default: the emitter lays its code out itself, and
   * loading prettier plus formatting costs 1–2 s per compile (`nnc --prettier`). */
  format?: boolean;
}

export interface Compiled {
  code: string;
  model: Model;
  derived: Derived;
  /** How the per-sample kernels were lowered, and whether minibatches use matrix-matrix kernels. */
  strategy: Strategy;
  batched: boolean;
  flops: { predict: number; grad: number };
}

/** Front half: source text to the simplified, differentiated graphs. Throws NncError on bad input. */
export function analyze(source: string, file: string): { model: Model; derived: Derived } {
  const model = build(parse(source, file));
  return { model, derived: derive(model) };
}

export async function compile(source: string, file: string, options: CompileOptions = {}): Promise<Compiled> {
  const { model, derived } = analyze(source, file);
  const emitOptions: EmitOptions = { version: NNC_VERSION };
  if (options.unroll) emitOptions.unroll = options.unroll;
  if (options.batch) emitOptions.batch = options.batch;
  if (options.precision) emitOptions.precision = options.precision;
  const emitted = emitModule(model, derived, emitOptions);
  const code = options.format === true ? await formatCode(emitted.code) : emitted.code;
  return { code, model, derived, strategy: emitted.strategy, batched: emitted.batched, flops: emitted.flops };
}
