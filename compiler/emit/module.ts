// emit: the generated module's text. Header, the runtime helpers it needs (copied from
// runtime/ by the bundler), the specialized kernels, the ModelCore that ties them to the
// runtime, and the public API. No imports; every shape and offset is a literal.
//
//   export function fit(params: Vec, xs: MatrixInput, ys: MatrixInput, opts: FitOptions = {}): FitHistory

import type { Model } from "../elaborate/model.js";
import type { Derived } from "../passes/simplify.js";
import { layoutHashOf } from "../../runtime/params-json.js";
import { OPTIMIZERS } from "../../runtime/optimizers.js";
import { type BatchMode, type Strategy, type UnrollMode, emitKernels } from "./kernels.js";
import { bundleRuntime } from "./runtime-bundle.js";
import { safeText } from "../lower/comments.js";
import { type Node, sizeOf, topoOrder } from "../ir/node.js";
import { opDef } from "../ops/registry.js";

export interface EmitOptions {
  unroll?: UnrollMode;
  /** Matrix-matrix kernels for minibatches: by size (auto), or forced. */
  batch?: BatchMode;
  precision?: "f64" | "f32";
  version: string;
  /** Largest batch the kernels are called with at once. */
  maxBatch?: number;
}

export interface Emitted {
  code: string;
  strategy: Strategy;
  batched: boolean;
  paramCount: number;
  flops: { predict: number; grad: number };
}

/** Runtime declarations the API below calls; the bundler adds what they depend on. */
const RUNTIME_API = [
  "Vec",
  "VecArray",
  "ParamInfo",
  "ModelCore",
  "Rng",
  "MatrixInput",
  "Optimizer",
  "Trainer",
  "TrainerOptions",
  "FitOptions",
  "FitHistory",
  "EvaluateResult",
  "createRng",
  "initParams", "createModelTrainer", "fitModel", "evaluateModel", "predictModel", "saveModelParams", "loadModelParams", "toMatrix", "checkParams"];

/** What the targets of a built-in loss must be (runtime/core.ts LabelKind); fit and evaluate check them. */
const LABELS: Record<string, string> = {
  sparse_categorical_crossentropy: "class-index",
  binary_crossentropy: "probability",
  categorical_crossentropy: "distribution",
};

/** Runtime helpers that the kernels' op code calls (e.g. normalCdf for gelu), in a stable order. */
function kernelRuntimeHelpers(roots: readonly Node[]): string[] {
  const names = new Set<string>();
  for (const node of topoOrder(roots)) {
    const def = opDef(node.op);
    if (def.kind === "elementwise") for (const name of def.runtime ?? []) names.add(name);
  }
  return [...names].sort();
}

/** A plain value as a TypeScript literal in prettier's style: `{ name: "W", shape: [2, 1] }`. */
function literalText(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(literalText).join(", ")}]`;
  if (v !== null && typeof v === "object") {
    const fields = Object.entries(v).map(([k, x]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${literalText(x)}`);
    return fields.length === 0 ? "{}" : `{ ${fields.join(", ")} }`;
  }
  return JSON.stringify(v);
}

/** ModelCore batch methods over the per-sample kernels (small models: unrolled code, no batch loops inside). */
const SAMPLE_CORE = `  gradBatch(p: Vec, X: Vec, Y: Vec, n: number, g: Vec, rng: Rng, out: Vec): number {
    let total = 0;
    for (let b = 0; b < n; b++) total += gradSample(p, X, b * INPUT_SIZE, Y, b * TARGET_SIZE, g, rng, out, b * OUTPUT_SIZE);
    return total;
  },
  lossBatch(p: Vec, X: Vec, Y: Vec, n: number, out: Vec): number {
    let total = 0;
    for (let b = 0; b < n; b++) total += lossSample(p, X, b * INPUT_SIZE, Y, b * TARGET_SIZE, out, b * OUTPUT_SIZE);
    return total;
  },
  predictBatch(p: Vec, X: Vec, n: number, out: Vec): void {
    for (let b = 0; b < n; b++) predictSample(p, X, b * INPUT_SIZE, out, b * OUTPUT_SIZE);
  },`;

/** ModelCore batch methods over the batched (matrix-matrix) kernels. */
const BATCHED_CORE = `  gradBatch: gradRows,
  lossBatch: lossRows,
  predictBatch: predictRows,`;

export function emitModule(model: Model, derived: Derived, options: EmitOptions): Emitted {
  const offsets = new Map<string, number>();
  let paramCount = 0;
  for (const p of model.params) {
    offsets.set(p.name, paramCount);
    paramCount += sizeOf(p.shape);
  }
  const paramInfos = model.params.map((p) => ({
    name: p.name,
    shape: [...p.shape],
    offset: offsets.get(p.name)!,
    size: sizeOf(p.shape),
    init: p.init.value === undefined ? { name: p.init.name } : { name: p.init.name, value: p.init.value },
  }));
  const maxBatch = options.maxBatch ?? 256;
  const kernels = emitKernels(model, derived, offsets, options.unroll ?? "auto", options.batch ?? "auto", maxBatch);
  const opt = (OPTIMIZERS as Record<string, { factory: string }>)[model.optimizer.name]!;
  const helpers = kernelRuntimeHelpers([derived.predict, derived.inferLoss, derived.trainLoss, ...derived.grads.values()]);
  const runtime = bundleRuntime([...RUNTIME_API, opt.factory, ...helpers], { precision: options.precision ?? "f64" });
  const inputSize = sizeOf(model.input.shape);
  const targetSize = sizeOf(model.target.shape);
  const outputSize = sizeOf(derived.predict.shape);
  const file = safeText(model.file.replace(/^.*[\\/]/, ""));

  const header = [
    `/**`,
    ` * ${safeText(model.name)}: generated by nnc ${options.version} from ${file}. Do not edit; recompile instead:`,
    ` *   nnc ${file} -o ${file.replace(/\.nn$/, "")}.ts${options.unroll && options.unroll !== "auto" ? ` --unroll ${options.unroll}` : ""}${options.precision === "f32" ? " --precision f32" : ""}`,
    ` *`,
    ` *   input   ${safeText(model.input.name)}[${model.input.shape.join(", ")}]`,
    ` *   target  ${safeText(model.target.name)}[${model.target.shape.join(", ")}]`,
    ` *   output  ${safeText(model.outputName)}[${outputSize}]`,
    ...model.params.map((p) => ` *   param   ${p.name}[${p.shape.join(", ")}] ~ ${p.init.name}  (offset ${offsets.get(p.name)})`),
    ` *   ${paramCount} parameters; loss: ${safeText(model.lossText)}; optimizer: ${safeText(model.optimizer.written || model.optimizer.name)}`,
    ` *   kernels: ${kernels.batched ? "batched (matrix-matrix over minibatch rows)" : `per sample, ${kernels.strategy}`}, ${options.precision ?? "f64"}; ${kernels.flops.predict} flops per prediction, ${kernels.flops.grad} per training sample`,
    ` *`,
    ` * Self-contained: no imports. Parameters live in one flat ${options.precision === "f32" ? "Float32Array" : "Float64Array"} (see \`model.params\`).`,
    ` */`,
  ].join("\n");

  const optimizerOptions = JSON.stringify(model.optimizer.options);
  const api = `
// ---------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------

const PARAMS: ParamInfo[] = [
${paramInfos.map((p) => `  ${literalText(p)},`).join("\n")}
];
const PARAM_COUNT = ${paramCount};
const INPUT_SIZE = ${inputSize};
const TARGET_SIZE = ${targetSize};
const OUTPUT_SIZE = ${outputSize};

${kernels.text}
const core: ModelCore = {
  name: ${JSON.stringify(model.name)},
  inputSize: INPUT_SIZE,
  targetSize: TARGET_SIZE,
  outputSize: OUTPUT_SIZE,
  paramCount: PARAM_COUNT,
  params: PARAMS,
  layoutHash: ${JSON.stringify(layoutHashOf(paramInfos))},
  accuracy: ${JSON.stringify(model.accuracy)},${model.metrics.length > 0 ? `\n  metrics: ${JSON.stringify(model.metrics)},` : ""}${LABELS[model.lossText] ? `\n  labels: ${JSON.stringify(LABELS[model.lossText])},` : ""}
  maxBatch: ${maxBatch},
${kernels.batched ? BATCHED_CORE : SAMPLE_CORE}
};

// ---------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------

/** Shapes, parameter layout, loss and optimizer of this model. */
export const model = {
  name: core.name,
  input: { name: ${JSON.stringify(model.input.name)}, shape: [${model.input.shape.join(", ")}] },
  target: { name: ${JSON.stringify(model.target.name)}, shape: [${model.target.shape.join(", ")}] },
  output: { name: ${JSON.stringify(model.outputName)}, shape: [${outputSize}] },
  params: PARAMS,
  paramCount: PARAM_COUNT,
  loss: ${JSON.stringify(model.lossText)},
  optimizer: { name: ${JSON.stringify(model.optimizer.name)}, options: ${optimizerOptions} },
  accuracy: core.accuracy,
};

/** All parameters in one flat vector (see \`model.params\` for names, shapes and offsets). */
export type Params = Vec;

/** Fresh parameters from the initializers in the model file; the same seed gives the same values. */
export function init(seed: number = 0): Params {
  return initParams(PARAMS, PARAM_COUNT, seed);
}

const sampleX = new VecArray(INPUT_SIZE);
const sampleY = new VecArray(TARGET_SIZE);

function oneSample(values: ArrayLike<number>, into: Vec, what: string): Vec {
  if (values.length !== into.length) throw new Error(\`\${core.name}: \${what} must have \${into.length} values, got \${values.length}\`);
  for (let i = 0; i < into.length; i++) into[i] = values[i]!;
  return into;
}

/** The model's output for one sample (inference mode: no dropout). */
export function predict(params: Params, x: ArrayLike<number>, out: Vec = new VecArray(OUTPUT_SIZE)): Vec {
  checkParams(core, params, "predict");
  ${kernels.batched ? `predictRows(params, oneSample(x, sampleX, "x"), 1, out);` : `predictSample(params, oneSample(x, sampleX, "x"), 0, out, 0);`}
  return out;
}

/** Outputs for many samples, row-major (n × ${outputSize}). */
export function predictBatch(params: Params, xs: MatrixInput): Vec {
  return predictModel(core, params, xs);
}

/** Where loss() and grad() let the kernels put the sample's output (only evaluate and fit read it). */
const sampleOut = new VecArray(OUTPUT_SIZE);

/** The loss of one sample (inference mode). */
export function loss(params: Params, x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkParams(core, params, "loss");
  ${kernels.batched ? `return lossRows(params, oneSample(x, sampleX, "x"), oneSample(y, sampleY, "y"), 1, sampleOut);` : `return lossSample(params, oneSample(x, sampleX, "x"), 0, oneSample(y, sampleY, "y"), 0, sampleOut, 0);`}
}

const gradRng = createRng(0);

/** Adds ∂loss/∂params of one sample into \`g\` (training mode) and returns its loss. */
export function grad(params: Params, x: ArrayLike<number>, y: ArrayLike<number>, g: Vec, rng: Rng = gradRng): number {
  checkParams(core, params, "grad");
  if (g.length !== PARAM_COUNT) throw new Error(\`grad: g has length \${g.length}, model '\${core.name}' has \${PARAM_COUNT} parameters\`);
  ${kernels.batched ? `return gradRows(params, oneSample(x, sampleX, "x"), oneSample(y, sampleY, "y"), 1, g, rng, sampleOut);` : `return gradSample(params, oneSample(x, sampleX, "x"), 0, oneSample(y, sampleY, "y"), 0, g, rng, sampleOut, 0);`}
}

/** Options of this model's optimizer (${safeText(model.optimizer.name)}); the model file's values are the defaults. */
export type OptimizerOptions = Parameters<typeof ${opt.factory}>[1];

/** A new ${safeText(model.optimizer.name)} optimizer over this model's parameters. */
export function createOptimizer(options: OptimizerOptions = {}): Optimizer {
  return ${opt.factory}(PARAM_COUNT, { ...${optimizerOptions}, ...options }, PARAMS);
}

/** A training step function with its own optimizer state: \`trainer.step(X, Y, n)\` returns the batch's mean loss. */
export function createTrainer(params: Params, opts: TrainerOptions & { optimizer?: Optimizer } = {}): Trainer {
  return createModelTrainer(core, params, opts.optimizer ?? createOptimizer(), opts);
}

/** Trains \`params\` in place, as Keras' model.fit does; returns the history of losses and metrics. */
export function fit(params: Params, xs: MatrixInput, ys: MatrixInput, opts: FitOptions = {}): FitHistory {
  return fitModel(core, params, xs, ys, opts, () => createOptimizer());
}

/** Mean loss and accuracy${model.metrics.length > 0 ? ` (and ${model.metrics.join(", ")})` : ""} over a data set, as Keras' model.evaluate does. */
export function evaluate(params: Params, xs: MatrixInput, ys: MatrixInput, opts: { batchSize?: number } = {}): EvaluateResult {
  return evaluateModel(core, params, xs, ys, opts);
}

/** The parameters as JSON (with the model name and a hash of the layout). */
export function saveParams(params: Params): string {
  return saveModelParams(core, params);
}

/** Parameters from JSON written by saveParams, fully validated; throws on any mismatch. */
export function loadParams(json: string): Params {
  return loadModelParams(core, json);
}
`;
  const code = `${header}\n\n// ---------------------------------------------------------------------------------------\n// Runtime helpers (copied from nnc's runtime/)\n// ---------------------------------------------------------------------------------------\n\n${runtime}\n${api}`;
  return { code, strategy: kernels.strategy, batched: kernels.batched, paramCount, flops: kernels.flops };
}
