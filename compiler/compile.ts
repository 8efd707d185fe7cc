// The whole pipeline on one screen. Each stage is a function of its input, in its own file,
// returning a plain value that prints (`nnc model.nn --emit ir` shows the graphs):
//
//   model.nn ─parse─▶ AST ─elaborate─▶ Model ─stabilize─▶ ─differentiate─▶ ─simplify─▶ Derived ─emit─▶ model.ts
//
//   const { code } = await compile(readFileSync("parity.nn", "utf8"), "parity.nn");

import { parse } from "./parse.js";
import { elaborate } from "./elaborate/elaborate.js";
import type { Model } from "./elaborate/model.js";
import { stabilize } from "./passes/stabilize.js";
import { differentiate } from "./passes/differentiate.js";
import { type Derived, simplify } from "./passes/simplify.js";
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

/** Front half: source text to the simplified, differentiated, named graphs. Throws NncError on bad input. */
export function analyze(source: string, file: string): { model: Model; derived: Derived } {
  const model = elaborate(parse(source, file));
  const derived = simplify(differentiate(stabilize(model)));
  return { model, derived };
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
