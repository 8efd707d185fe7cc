// The generated module's own declarations, as data for declarations.ts to print (TypeScript,
// JavaScript or .d.ts): the parameter layout and sizes, the exported `model` and API functions,
// the state they share, and the ModelCore that ties the kernels to the runtime helpers. Also the
// runtime declarations they name, for the bundler.
//
//   moduleDeclarations(model, program, layout).declarations
//   // PARAMS, PARAM_COUNT, …, model, Params, OptimizerOptions, init, predict, …, loadParams, …, core

import type { KernelInfo } from "../../runtime/core.js";
import { labelKindOfLoss } from "../../runtime/data.js";
import { METRIC_SCORES } from "../../runtime/metrics.js";
import { OPTIMIZERS, type OptimizerName, optimizerSettings } from "../../runtime/optimizer-options.js";
import { layoutHashOf } from "../../runtime/params-json.js";
import type { Model } from "../elaborate/model.js";
import { sizeOf } from "../ir/node.js";
import { safeText } from "../lower/comments.js";
import type { Program } from "../lower/program.js";
import type { Declaration } from "./declarations.js";
import { EXTRA_NAMES, type ModuleExtras, extraRuntimeCalls, hvpDeclarations, probeCore } from "./api-extras.js";
import { wrapLine } from "../print/layout.js";

/** Where each parameter lies in the flat vector, how many there are, and how the kernels were made. */
export interface ModelLayout {
  paramCount: number;
  offsets: ReadonlyMap<string, number>;
  kernels: KernelInfo;
}

export interface ModuleDeclarations {
  declarations: Declaration[];
  /** Runtime functions the declarations call (the bundler adds what those reference). */
  runtimeCalls: string[];
  /** Runtime types the TypeScript declarations name. */
  runtimeTypes: string[];
  /** Runtime types the exported declarations name (the .d.ts copies them). */
  exportedTypes: string[];
}

/** Top-level names of the module besides the kernels and the runtime: generated names must not take them. */
export const MODULE_NAMES = [
  "PARAMS",
  "PARAM_COUNT",
  "INPUT_SIZE",
  "TARGET_SIZE",
  "OUTPUT_SIZE",
  "core",
  "model",
  "Params",
  "init",
  "sampleX",
  "sampleY",
  "sampleOut",
  "oneSample",
  "predict",
  "predictBatch",
  "loss",
  "gradRng",
  "grad",
  "OptimizerOptions",
  "createOptimizer",
  "createTrainer",
  "fit",
  "evaluate",
  "saveParams",
  "loadParams",
  ...EXTRA_NAMES,
];

/** Runtime types the exported signatures name, besides the optimizer's options. */
const API_TYPES = ["Vec", "ModelInfo", "MatrixInput", "Rng", "Optimizer", "Trainer", "TrainerOptions", "FitOptions", "FitHistory", "EvaluateResult"];

/** Runtime functions the module's own code calls; the bundler adds what they reference. */
const API_FUNCTIONS = [
  "initParams",
  "checkParams",
  "sampleInto",
  "predictModel",
  "createRng",
  "createModelTrainer",
  "fitModel",
  "evaluateModel",
  "saveModelParams",
  "loadModelParams",
];

/** A plain value as a literal in prettier's style: `{ name: "W", shape: [2, 1] }`. */
function literalText(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(literalText).join(", ")}]`;
  if (v !== null && typeof v === "object") {
    const fields = fieldsText(v);
    return fields.length === 0 ? "{}" : `{ ${fields.join(", ")} }`;
  }
  return JSON.stringify(v);
}

/** `  key: value,` on one line when it fits in 120 characters, else one line per field. */
function fittedField(key: string, value: object): string {
  const line = `  ${key}: ${literalText(value)},`;
  return line.length <= 120 ? line : [`  ${key}: {`, ...fieldsText(value).map((f) => `    ${f},`), `  },`].join("\n");
}

/** An object's fields as `key: value` literals. */
function fieldsText(v: object): string[] {
  return Object.entries(v).map(([k, x]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${literalText(x)}`);
}

/** ModelCore batch methods over the per-sample kernels (small models: unrolled code, no batch loops inside). */
const SAMPLE_CORE = `  gradBatch(p, X, Y, n, g, rng, out) {
    let total = 0;
    for (let b = 0; b < n; b++) {
      total += gradSample(p, X, b * INPUT_SIZE, Y, b * TARGET_SIZE, g, rng, out, b * OUTPUT_SIZE);
    }
    return total;
  },
  lossBatch(p, X, Y, n, out) {
    let total = 0;
    for (let b = 0; b < n; b++) total += lossSample(p, X, b * INPUT_SIZE, Y, b * TARGET_SIZE, out, b * OUTPUT_SIZE);
    return total;
  },
  predictBatch(p, X, n, out) {
    for (let b = 0; b < n; b++) predictSample(p, X, b * INPUT_SIZE, out, b * OUTPUT_SIZE);
  },`;

/** ModelCore batch methods over the batched (matrix-matrix) kernels. */
const BATCHED_CORE = `  gradBatch: gradRows,
  lossBatch: lossRows,
  predictBatch: predictRows,`;

/** The ModelCore's metric table: accuracy first, then mae and mse, as fit and evaluate report them. */
function metricTable(model: Model): { text: string; functions: string[] } {
  const entries: [string, string][] = [];
  if (model.accuracy !== "none") entries.push(["accuracy", METRIC_SCORES[model.accuracy]]);
  for (const m of ["mae", "mse"] as const) if (model.metrics.includes(m)) entries.push([m, METRIC_SCORES[m]]);
  const text = entries.map(([name, score]) => `{ name: ${JSON.stringify(name)}, score: ${score} }`).join(", ");
  return { text: `[${text}]`, functions: entries.map(([, score]) => score) };
}

/** The module's declarations in the order it prints them, and the runtime names they use. */
export function moduleDeclarations(model: Model, program: Program, layout: ModelLayout, extras: ModuleExtras): ModuleDeclarations {
  const { paramCount, offsets, kernels } = layout;
  const paramInfos = model.params.map((p) => ({
    name: p.name,
    shape: [...p.shape],
    offset: offsets.get(p.name)!,
    size: sizeOf(p.shape),
    init: p.init.value === undefined ? { name: p.init.name } : { name: p.init.name, value: p.init.value },
  }));
  const opt = (OPTIMIZERS as Record<string, { factory: string }>)[model.optimizer.name]!;
  // A schedule is the learning rate's value, as the runtime's optimizers take it.
  const optimizerOptions = model.optimizer.schedule ? { ...model.optimizer.options, learningRate: model.optimizer.schedule } : model.optimizer.options;
  const optionsType = `${opt.factory.replace(/^create/, "")}Options`;
  const outputSize = sizeOf(model.infer.output.shape);
  const labels = labelKindOfLoss(model.lossText);
  const metrics = metricTable(model);
  const optimizerName = safeText(model.optimizer.name);
  const batched = program.batched;
  // WebAssembly kernels: parameter vectors made here live in their memory (while it has room).
  const wasm = program.wasm?.object;
  const resident = (made: string) => (wasm ? `paramsInMemory(${wasm}, ${made})` : made);
  const gradScratch = program.wasm?.stages.find((s) => s.param === "g")?.view;
  const sample = (x: string, into: string) => `oneSample(${x}, ${into}, "${x}")`;
  const X = sample("x", "sampleX");
  const Y = sample("y", "sampleY");
  const modelValue = {
    name: model.name,
    input: { name: model.input.name, shape: [...model.input.shape] },
    target: { name: model.target.name, shape: [...model.target.shape] },
    output: { name: model.outputName, shape: [outputSize] },
  };
  const coreFields = [
    `  name: ${JSON.stringify(model.name)},`,
    `  inputSize: INPUT_SIZE,`,
    `  targetSize: TARGET_SIZE,`,
    `  outputSize: OUTPUT_SIZE,`,
    `  paramCount: PARAM_COUNT,`,
    `  params: PARAMS,`,
    `  layoutHash: ${JSON.stringify(layoutHashOf(paramInfos))},`,
    `  metrics: ${metrics.text},`,
    ...(labels ? [`  checkTargets: (Y, what) => checkLabels(${JSON.stringify(labels)}, Y, TARGET_SIZE, OUTPUT_SIZE, what),`] : []),
    `  maxBatch: ${program.maxBatch},`,
    ...(gradScratch ? [`  gradScratch: ${gradScratch},`] : []),
    batched ? BATCHED_CORE : SAMPLE_CORE,
    ...(program.kernels.train
      ? [`  trainStep: ${program.kernels.train},`, `  trainStepSettings: ${JSON.stringify(optimizerSettings(model.optimizer.name as OptimizerName, model.optimizer.options))},`]
      : []),
    ...(program.kernels.trainRows !== undefined ? [`  trainStepRows: ${program.kernels.trainRows},`] : []),
    ...(program.kernels.apply !== undefined ? [`  applyGradient: ${program.kernels.apply},`] : []),
    ...probeCore(extras),
  ];
  const fn = (doc: string, name: string, params: [string, string, string?][], returns: string, body: string[]): Declaration => ({
    kind: "function",
    doc,
    exported: true,
    name,
    params: params.map(([n, type, init]) => ({ name: n, type, ...(init === undefined ? {} : { init }) })),
    returns,
    body,
  });
  const xs: [string, string] = ["xs", "MatrixInput"];
  const ys: [string, string] = ["ys", "MatrixInput"];
  const declarations: Declaration[] = [
    {
      kind: "variable",
      exported: false,
      keyword: "const",
      name: "PARAMS",
      type: "ParamInfo[]",
      value: `[\n${paramInfos.map((p) => `  ${literalText(p)},`).join("\n")}\n]`,
    },
    { kind: "variable", exported: false, keyword: "const", name: "PARAM_COUNT", value: String(paramCount) },
    { kind: "variable", exported: false, keyword: "const", name: "INPUT_SIZE", value: String(sizeOf(model.input.shape)) },
    { kind: "variable", exported: false, keyword: "const", name: "TARGET_SIZE", value: String(sizeOf(model.target.shape)) },
    { kind: "variable", exported: false, keyword: "const", name: "OUTPUT_SIZE", value: String(outputSize) },
    {
      kind: "variable",
      doc: "Shapes, parameter layout, loss and optimizer of this model, and how its kernels were made.",
      exported: true,
      keyword: "const",
      name: "model",
      type: "ModelInfo",
      value: [
        `{`,
        ...Object.entries(modelValue).map(([k, v]) => `  ${k}: ${literalText(v)},`),
        `  params: PARAMS,`,
        `  paramCount: PARAM_COUNT,`,
        `  loss: ${JSON.stringify(model.lossText)},`,
        `  optimizer: { name: ${JSON.stringify(model.optimizer.name)}, options: ${literalText(optimizerOptions)} },`,
        `  accuracy: ${JSON.stringify(model.accuracy)},`,
        fittedField("kernels", kernels),
        `  activations: ${literalText(extras.activations)},`,
        `}`,
      ]
        .flatMap((lines) => lines.split("\n"))
        .flatMap((line) => wrapLine(line))
        .join("\n"),
    },
    { kind: "type", doc: "All parameters in one flat vector (see `model.params` for names, shapes and offsets).", exported: true, name: "Params", value: "Vec" },
    {
      kind: "type",
      doc: `Options of this model's optimizer (${optimizerName}); the model file's values are the defaults.`,
      exported: true,
      name: "OptimizerOptions",
      value: optionsType,
    },
    fn("Fresh parameters from the initializers in the model file; the same seed gives the same values.", "init", [["seed", "number", "0"]], "Params", [
      `return ${resident("initParams(PARAMS, PARAM_COUNT, seed)")};`,
    ]),
    fn(
      "The model's output for one sample (inference mode: no dropout).",
      "predict",
      [["params", "Params"], ["x", "ArrayLike<number>"], ["out", "Vec", "new VecArray(OUTPUT_SIZE)"]],
      "Vec",
      [`checkParams(core, params, "predict");`, batched ? `predictRows(params, ${X}, 1, out);` : `predictSample(params, ${X}, 0, out, 0);`, `return out;`],
    ),
    fn(`Outputs for many samples, row-major (n × ${outputSize}).`, "predictBatch", [["params", "Params"], xs], "Vec", [
      `return predictModel(core, params, xs);`,
    ]),
    fn("The loss of one sample (inference mode).", "loss", [["params", "Params"], ["x", "ArrayLike<number>"], ["y", "ArrayLike<number>"]], "number", [
      `checkParams(core, params, "loss");`,
      batched ? `return lossRows(params, ${X}, ${Y}, 1, sampleOut);` : `return lossSample(params, ${X}, 0, ${Y}, 0, sampleOut, 0);`,
    ]),
    fn(
      "Adds ∂loss/∂params of one sample into `g` (training mode) and returns its loss.",
      "grad",
      [["params", "Params"], ["x", "ArrayLike<number>"], ["y", "ArrayLike<number>"], ["g", "Vec"], ["rng", "Rng", "(gradRng ??= createRng(0))"]],
      "number",
      [
        `checkParams(core, params, "grad");`,
        `if (g.length !== PARAM_COUNT) {`,
        "  throw new Error(`grad: g has length ${g.length}, model '${core.name}' has ${PARAM_COUNT} parameters`);",
        `}`,
        batched
          ? `return gradRows(params, ${X}, ${Y}, 1, g, rng, sampleOut);`
          : `return gradSample(params, ${X}, 0, ${Y}, 0, g, rng, sampleOut, 0);`,
      ],
    ),
    fn(`A new ${optimizerName} optimizer over this model's parameters.`, "createOptimizer", [["options", "OptimizerOptions", "{}"]], "Optimizer", [
      `return ${opt.factory}(PARAM_COUNT, { ${[...fieldsText(optimizerOptions), "...options"].join(", ")} }, PARAMS);`,
    ]),
    fn(
      "A training step function with its own optimizer state: `trainer.step(X, Y, n)` returns the batch's mean loss.",
      "createTrainer",
      [["params", "Params"], ["opts", "TrainerOptions & { optimizer?: Optimizer }", "{}"]],
      "Trainer",
      [`return createModelTrainer(core, params, opts.optimizer ?? createOptimizer(), opts);`],
    ),
    fn(
      "Trains `params` in place, as Keras' model.fit does; returns the history of losses and metrics.",
      "fit",
      [["params", "Params"], xs, ys, ["opts", "FitOptions", "{}"]],
      "FitHistory",
      [`return fitModel(core, params, xs, ys, opts, () => createOptimizer());`],
    ),
    fn(
      `Mean loss${model.accuracy === "none" ? "" : " and accuracy"}${model.metrics.length > 0 ? ` (and ${model.metrics.join(", ")})` : ""} over a data set, as Keras' model.evaluate does.`,
      "evaluate",
      [["params", "Params"], xs, ys, ["opts", "{ batchSize?: number }", "{}"]],
      "EvaluateResult",
      [`return evaluateModel(core, params, xs, ys, opts);`],
    ),
    ...hvpDeclarations(extras),
    fn("The parameters as JSON (with the model name and a hash of the layout).", "saveParams", [["params", "Params"]], "string", [
      `return saveModelParams(core, params);`,
    ]),
    fn("Parameters from JSON written by saveParams, fully validated; throws on any mismatch.", "loadParams", [["json", "string"]], "Params", [
      `return ${resident("loadModelParams(core, json)")};`,
    ]),
    ...(wasm
      ? [
          fn(
            "Resolves once the kernels can run: \"wasm\", or \"js\" without WebAssembly SIMD. In a browser, await it before the first call.",
            "ready",
            [],
            "Promise<KernelsInUse>",
            [`return ${wasm}.ready;`],
          ),
        ]
      : []),
    { kind: "variable", doc: "Where predict, loss and grad copy their sample (checked first).", exported: false, keyword: "const", name: "sampleX", value: "new VecArray(INPUT_SIZE)" },
    { kind: "variable", exported: false, keyword: "const", name: "sampleY", value: "new VecArray(TARGET_SIZE)" },
    {
      kind: "variable",
      doc: "Where loss() and grad() let the kernels put the sample's output (only evaluate and fit read it).",
      exported: false,
      keyword: "const",
      name: "sampleOut",
      value: "new VecArray(OUTPUT_SIZE)",
    },
    {
      kind: "variable",
      doc: "grad()'s default Rng, made on first use (the runtime's Rng class is declared further down).",
      exported: false,
      keyword: "let",
      name: "gradRng",
      type: "Rng | undefined",
    },
    {
      kind: "function",
      doc: "One sample into its buffer, checked.",
      exported: false,
      name: "oneSample",
      params: [
        { name: "values", type: "ArrayLike<number>" },
        { name: "into", type: "Vec" },
        { name: "what", type: "string" },
      ],
      returns: "Vec",
      body: [`return sampleInto(values, into, core.name, what);`],
    },
    {
      kind: "variable",
      doc: "The model as the runtime helpers see it: sizes, layout, metrics and the batch kernels.",
      exported: false,
      keyword: "const",
      name: "core",
      type: "ModelCore",
      value: `{\n${coreFields.join("\n")}\n}`,
    },
  ];
  return {
    declarations,
    runtimeCalls: [
      ...API_FUNCTIONS,
      opt.factory,
      ...metrics.functions,
      ...(labels ? ["checkLabels"] : []),
      ...program.runtime,
      ...extraRuntimeCalls(extras),
      ...(wasm ? ["paramsInMemory"] : []),
    ],
    runtimeTypes: ["ParamInfo", "ModelCore", optionsType, ...API_TYPES, ...(wasm ? ["KernelsInUse"] : [])],
    exportedTypes: ["Vec", optionsType, ...API_TYPES, ...(wasm ? ["KernelsInUse"] : [])],
  };
}
