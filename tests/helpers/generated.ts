// Loading and type-checking generated modules in tests.

import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { compile, type CompileOptions } from "../../compiler/compile.js";
import { typeErrorsOfEach } from "./typecheck.js";

/** The public API every generated module has (loosely typed for tests). */
export interface GeneratedModule {
  init(seed?: number): Float64Array;
  predict(params: Float64Array, x: ArrayLike<number>, out?: Float64Array): Float64Array;
  predictBatch(params: Float64Array, xs: unknown): Float64Array;
  loss(params: Float64Array, x: ArrayLike<number>, y: ArrayLike<number>): number;
  grad(params: Float64Array, x: ArrayLike<number>, y: ArrayLike<number>, g: Float64Array, rng?: unknown): number;
  fit(params: Float64Array, xs: unknown, ys: unknown, opts?: Record<string, unknown>): { history: { loss: number[]; accuracy?: number[]; gradNorm: number[] }; stopped?: string };
  evaluate(params: Float64Array, xs: unknown, ys: unknown): { loss: number; accuracy: number };
  createTrainer(params: Float64Array, opts?: Record<string, unknown>): { step(X: Float64Array, Y: Float64Array, n: number): number };
  saveParams(params: Float64Array): string;
  loadParams(json: string): Float64Array;
  model: { name: string; paramCount: number; params: { name: string; shape: number[]; offset: number; size: number }[] };
}

const dir = join(tmpdir(), `nnc-tests-${process.pid}`);
let counter = 0;

/** Writes `code` to a fresh temporary .ts file (`.mjs` for JavaScript) and imports it. */
export async function importCode(code: string, language: "ts" | "js" = "ts"): Promise<GeneratedModule> {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `m${counter++}.${language === "js" ? "mjs" : "ts"}`);
  writeFileSync(file, code);
  return (await import(/* @vite-ignore */ pathToFileURL(file).href)) as GeneratedModule;
}

export async function compileAndImport(source: string, file = "model.nn", options: CompileOptions = {}): Promise<{ mod: GeneratedModule; code: string }> {
  const { code } = await compile(source, file, options);
  return { mod: await importCode(code), code };
}

/** TypeScript diagnostics of a generated module checked alone under STRICTEST (empty when it type-checks). */
export async function typeErrors(code: string): Promise<string[]> {
  return (await typeErrorsOfEach([code]))[0]!;
}
