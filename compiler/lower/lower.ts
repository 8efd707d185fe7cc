// lower: the derived (and batched) graphs to a Program, the value every printer prints.
// Decides the strategy: models whose per-sample gradient fits one unrolled function within
// V8's budget get per-sample kernels (predictSample, lossSample, gradSample; minibatches loop
// over them); bigger ones get batched kernels (predictRows, lossRows, gradRows) that run each
// minibatch as matrix-matrix products, single samples included (n = 1): their tiles beat
// per-sample loops even for one row (measured 3–4× on MNIST).
//
//   lower(batch(derived), { unroll: "auto", batch: "auto", maxBatch: 256 })
//     -> { strategy: "unrolled", buffers: [], functions: [predictSample, lossSample, gradSample], … }

import { type Node, sizeOf, topoOrder } from "../ir/node.js";
import { v } from "../ir/code.js";
import { opDef } from "../ops/registry.js";
import type { Batched } from "../passes/batch.js";
import { LimitError } from "./limit-error.js";
import { baseName } from "./comments.js";
import { paramLayout } from "../elaborate/param-layout.js";
import { Buffers } from "./buffers.js";
import { type BatchedContext, ROW, lowerBatched } from "./batched.js";
import { Namer } from "./namer.js";
import type { DataBinding, Sink } from "./node-lowering.js";
import { type KernelSpec, type SampleContext, type UnrollMode, fitsOneFunction, sampleKernel } from "./per-sample.js";
import { dedupeFunctions } from "./dedupe.js";
import { fitParameters, unusedName, withUnusedNamed } from "./parameters.js";
import { TRAIN_PARAMS, TRAIN_STEP, trainStep } from "./train-step.js";
import { batchedTrainStep, withoutUnreadState } from "./train-step-batched.js";
import { APPLY_GRADIENT, APPLY_PARAMS, applyGradient } from "./apply-gradient.js";
import type { Buffer, Fn, Param, Program, Strategy } from "./program.js";

export type { UnrollMode } from "./per-sample.js";
export type BatchMode = "auto" | "always" | "never";

export interface LowerOptions {
  unroll?: UnrollMode;
  /** Matrix-matrix kernels for minibatches: by size (auto), or forced. */
  batch?: BatchMode;
  /** Largest batch the kernels are called with at once. */
  maxBatch?: number;
  /** Names the module around the kernels uses at its top level (buffers must not take them). */
  reserved?: Iterable<string>;
  /** Storage of parameters and gradients (the fused training step rounds as f32 storage would). */
  precision?: "f64" | "f32";
  /**
   * More per-sample kernels to lower beside the model's own (the activation probe, the
   * Hessian-vector product), for batched models too; `offsets` places extra `param` leaves
   * (the hvp's direction) in the parameter array the kernels read.
   */
  extra?: { kernels: readonly KernelSpec[]; offsets?: ReadonlyMap<string, number> };
}

const SAMPLE_PARAMS: Record<"predict" | "loss" | "grad", readonly Param[]> = {
  predict: [["p", "Vec"], ["x", "Vec"], ["xo", "number"], ["outputs", "Vec"], ["oo", "number"]],
  loss: [["p", "Vec"], ["x", "Vec"], ["xo", "number"], ["y", "Vec"], ["yo", "number"], ["outputs", "Vec"], ["oo", "number"]],
  grad: [["p", "Vec"], ["x", "Vec"], ["xo", "number"], ["y", "Vec"], ["yo", "number"], ["g", "Vec"], ["rng", "Rng"], ["outputs", "Vec"], ["oo", "number"]],
};

const ROWS_PARAMS: Record<"predict" | "loss" | "grad", readonly Param[]> = {
  predict: [["p", "Vec"], ["X", "Vec"], ["n", "number"], ["outputs", "Vec"]],
  loss: [["p", "Vec"], ["X", "Vec"], ["Y", "Vec"], ["n", "number"], ["outputs", "Vec"]],
  grad: [["p", "Vec"], ["X", "Vec"], ["Y", "Vec"], ["n", "number"], ["g", "Vec"], ["rng", "Rng"], ["outputs", "Vec"]],
};

/** Flops per sample of computing `roots`: op flops, elementwise ops by cost, one multiply per outer-product element. */
function flopsOf(roots: readonly Node[]): number {
  let flops = 0;
  for (const node of topoOrder(roots)) {
    const def = opDef(node.op);
    if (def.kind === "structural") flops += def.flops(node.inputs.map((i) => i.shape), node.shape);
    else if (def.kind === "elementwise") flops += def.cost * sizeOf(node.shape);
    else if (node.op === "outer") flops += sizeOf(node.shape);
  }
  return flops;
}

/** Runtime helpers the ops of `roots` call (e.g. normalCdf for gelu), sorted. */
function runtimeHelpers(roots: readonly Node[]): string[] {
  const names = new Set<string>();
  for (const node of topoOrder(roots)) {
    const def = opDef(node.op);
    if (def.kind === "elementwise") for (const name of def.runtime ?? []) names.add(name);
  }
  return [...names].sort();
}

/**
 * The module's namer: kernel parameters (and `_name`, what an entry kernel calls a parameter it
 * does not use: see parameters.ts), the row variable, kernel names and the module's own names are taken.
 */
function moduleNamer(reserved: Iterable<string>, extra: readonly KernelSpec[]): Namer {
  const kernelParams = [...Object.values(SAMPLE_PARAMS), ...Object.values(ROWS_PARAMS), TRAIN_PARAMS, APPLY_PARAMS, ...extra.map((k) => k.params)]
    .flat()
    .map(([n]) => n);
  const namer = new Namer([...kernelParams, ...kernelParams.map(unusedName), ROW, ...reserved]);
  const kernels = ["predictSample", "lossSample", "gradSample", "predictRows", "lossRows", "gradRows", TRAIN_STEP, APPLY_GRADIENT, ...extra.map((k) => k.name)];
  for (const kernel of kernels) namer.reserveFamily(kernel);
  return namer;
}

/** What the per-sample kernels read: x at xo, y at yo, parameters (and extra leaves) in p, dropout masks from rng. */
function sampleBinding(offsets: ReadonlyMap<string, number>) {
  return (training: boolean, bufs: Buffers): DataBinding => ({
    input: { array: "x", offset: v("xo") },
    target: { array: "y", offset: v("yo") },
    params: { array: "p", offsets },
    ...(training ? { rng: "rng" } : {}),
    buffers: bufs,
  });
}

export function lower(batched: Batched, options: LowerOptions = {}): Program {
  const { derived } = batched;
  const { model } = derived;
  const file = model.file;
  const maxBatch = options.maxBatch ?? 256;
  const layout = paramLayout(model.params);
  const offsets = layout.offsets;
  const extra = options.extra?.kernels ?? [];
  const sampleOffsets = new Map([...offsets, ...(options.extra?.offsets ?? [])]);
  const namer = moduleNamer(options.reserved ?? [], extra);
  const buffers = new Buffers(namer, batched.names);
  const grads = model.params.map((p) => derived.grads.get(p.name)!);
  // A training sample also adds each gradient element into g: one more flop per parameter.
  const flops = { predict: flopsOf([derived.predict]), grad: flopsOf([derived.trainLoss, ...grads]) + layout.count };
  const runtime = runtimeHelpers([derived.predict, derived.inferLoss, derived.trainLoss, ...grads, ...extra.flatMap((k) => k.sinks.map((s) => s.node))]);
  const output = model.outputName;

  const sample: SampleContext = {
    names: derived.names,
    namer,
    buffers,
    file,
    binding: sampleBinding(sampleOffsets),
  };
  const gradSinks: Sink[] = [
    // The forward pass computes the output anyway: stored for fit's metrics (not counted as model flops).
    { kind: "store", node: derived.trainOutput, array: "outputs", offset: v("oo"), comment: `output ${output} (training mode, for the batch's metrics)` },
    ...model.params.map((p, i): Sink => ({ kind: "accumulate", node: grads[i]!, array: "g", offset: offsets.get(p.name)!, comment: `∂loss/∂${p.name} [${p.shape.join(", ")}]` })),
    { kind: "return", node: derived.trainLoss },
  ];
  const batch = options.batch ?? "auto";
  // Measured once: it decides the strategy here and gradSample's lowering below.
  const gradFits = batch === "auto" ? fitsOneFunction(gradSinks, sample, true) : undefined;
  const isBatched = batch === "always" || (batch === "auto" && !gradFits);
  const base = { model: model.name, file, params: layout, maxBatch, flops, runtime };

  if (!isBatched) {
    const unroll = options.unroll ?? "auto";
    if (unroll === "always" && flops.grad > UNROLL_ALWAYS_MAX_FLOPS) {
      throw new LimitError(
        `--unroll always: ${baseName(file)}'s training kernel would be written out as ${flops.grad.toLocaleString("en-US")} operations per ` +
          `sample; forced unrolling stops at ${UNROLL_ALWAYS_MAX_FLOPS.toLocaleString("en-US")} (MNIST's 410,555 already take seconds and ` +
          "15 MB); leave out --unroll always: the default unrolls what fits V8's budget and writes loops for the rest",
      );
    }
    const specs: KernelSpec[] = [
      {
        name: "predictSample",
        params: SAMPLE_PARAMS.predict,
        returns: "void",
        doc: "Inference for the sample at x[xo…]: writes the output at outputs[oo…].",
        sinks: [{ kind: "store", node: derived.predict, array: "outputs", offset: v("oo"), comment: `output ${output}` }],
        training: false,
      },
      {
        name: "lossSample",
        params: SAMPLE_PARAMS.loss,
        returns: "number",
        doc: "The loss of one sample, inference mode; also writes its output at outputs[oo…].",
        // The loss kernel also writes the output it computes on the way: evaluate scores its
        // metrics from it instead of running the forward pass a second time.
        sinks: [
          { kind: "store", node: derived.predict, array: "outputs", offset: v("oo"), comment: `output ${output} (for evaluate's metrics)` },
          { kind: "return", node: derived.inferLoss },
        ],
        training: false,
      },
      {
        name: "gradSample",
        params: SAMPLE_PARAMS.grad,
        returns: "number",
        doc: "Training mode: adds ∂loss/∂params of one sample into g, writes its output at outputs[oo…] and returns its loss.",
        sinks: gradSinks,
        training: true,
        ...(gradFits !== undefined ? { fits: gradFits } : {}),
      },
    ];
    const kernels = [...specs, ...extra].map((s) => sampleKernel(s, unroll, sample));
    const strategy: Strategy = kernels[2]!.strategy;
    // The whole training step in one function, when the gradient fits one unrolled function.
    const sizes = { input: sizeOf(model.input.shape), target: sizeOf(model.target.shape), output: sizeOf(derived.predict.shape) };
    const train = strategy === "unrolled" ? trainStep({ derived, sample, offsets, sizes, optimizer: model.optimizer, precision: options.precision ?? "f64" }) : undefined;
    const entries = ["predictSample", "lossSample", "gradSample", ...extra.map((k) => k.name), ...(train ? [TRAIN_STEP] : [])];
    return {
      ...base,
      strategy,
      batched: false,
      buffers: buffers.list(),
      functions: fitParameters([...kernels.flatMap((k) => k.functions), ...(train ? [train] : [])], new Set(entries)),
      kernels: { predict: "predictSample", loss: "lossSample", grad: "gradSample", ...(train ? { train: TRAIN_STEP } : {}) },
    };
  }

  // Buffers hold maxBatch rows of every stored value; a model with large intermediate values
  // (images) takes fewer rows at a time, so that they stay within BUFFER_BYTES.
  // The kernels index rows by the runtime row count, so fewer rows change only the buffers' lengths.
  let rows = maxBatch;
  const precision = options.precision ?? "f64";
  const extraKernels = { kernels: extra, offsets: sampleOffsets };
  const lowered = batchedKernels(batched, rows, offsets, output, options.reserved ?? [], precision, extraKernels);
  const perRow = lowered.buffers.reduce((n, b) => n + (b.rows > 1 ? b.length / b.rows : 0), 0);
  const [elementBytes, budget] = precision === "f32" ? [4, F32_BUFFER_BYTES] : [8, BUFFER_BYTES];
  if (options.maxBatch === undefined && perRow * rows * elementBytes > budget) {
    rows = Math.max(MIN_ROWS, 2 ** Math.floor(Math.log2(budget / (perRow * elementBytes))));
    lowered.buffers = lowered.buffers.map((b) => (b.rows > 1 ? { ...b, rows, length: (b.length / b.rows) * rows } : b));
    // The fused step takes at most as many rows as the buffers hold (what lowering for `rows` gives).
    if (lowered.train !== undefined) lowered.train.rows = Math.min(lowered.train.rows, rows);
  }
  return {
    ...base,
    maxBatch: rows,
    strategy: "batched",
    batched: true,
    buffers: lowered.buffers,
    functions: lowered.functions,
    kernels: {
      predict: "predictRows",
      loss: "lossRows",
      grad: "gradRows",
      ...(lowered.train !== undefined ? { train: TRAIN_STEP, trainRows: lowered.train.rows, trainGramWidths: lowered.train.gramWidths, apply: APPLY_GRADIENT } : {}),
    },
  };
}

/**
 * Most flops per training sample `--unroll always` writes out as straight-line code: MNIST's
 * 410,555 compile in ~8 s to 15 MB; the MNIST CNN's 17 million would take minutes and ~600 MB.
 */
const UNROLL_ALWAYS_MAX_FLOPS = 1_000_000;

/** Most bytes the buffers of batched kernels may take, and the fewest rows they may hold. */
const BUFFER_BYTES = 48 * 2 ** 20;
/**
 * Under f32, at most this many: fewer rows per call keep a convolution's buffers nearer the
 * cache. bench/chunk-rows.ts, the MNIST CNN's step at batch 32 in calls of 8 rows against 16:
 * WebAssembly kernels f32 8–10% faster (its f64 step 19%), JavaScript kernels the same. f64
 * keeps BUFFER_BYTES for now: the rows per call set the order of f64 sums, and the CNN demo's and
 * `bench:accuracy`'s recorded numbers were made with 16 (MNIST, 1,200 values a row, keeps its
 * 256 either way).
 */
const F32_BUFFER_BYTES = 12 * 2 ** 20;
const MIN_ROWS = 8;

/** The batched kernels and their buffers, for minibatches of up to `maxBatch` rows. */
function batchedKernels(
  batched: Batched,
  maxBatch: number,
  offsets: ReadonlyMap<string, number>,
  output: string,
  reserved: Iterable<string>,
  precision: "f64" | "f32",
  extra: { kernels: readonly KernelSpec[]; offsets: ReadonlyMap<string, number> },
): { functions: Fn[]; buffers: Buffer[]; train: { rows: number; gramWidths: number } | undefined } {
  const { model } = batched.derived;
  const file = model.file;
  const namer = moduleNamer(reserved, extra.kernels);
  const buffers = new Buffers(namer, batched.names);
  const ctx: BatchedContext = {
    batched,
    namer,
    buffers,
    file,
    maxBatch,
    params: { array: "p", offsets },
    input: { array: "X", size: sizeOf(model.input.shape) },
    target: { array: "Y", size: sizeOf(model.target.shape) },
    out: "outputs",
    grad: "g",
    rng: "rng",
    rows: "n",
  };
  const gradTerms = model.params.map((p) => ({ terms: batched.grads.get(p.name)!, offset: offsets.get(p.name)!, comment: `∂loss/∂${p.name} [${p.shape.join(", ")}]` }));
  // The training kernel is lowered first, so the values `nnc grad` shows get the plain names
  // (training and inference copies of a value differ when the model has dropout).
  const grad = lowerBatched(
    { predict: { node: batched.trainOutput, comment: `output ${output} (training mode, for the batch's metrics)` }, loss: batched.trainLoss, grads: gradTerms },
    { name: "gradRows", params: ROWS_PARAMS.grad, returns: "number", doc: "Training mode: adds Σ ∂loss/∂params over rows [0, n) into g, writes the n outputs into outputs and returns Σ loss.", training: true },
    ctx,
  );
  const predict = lowerBatched(
    { predict: { node: batched.predict, comment: `output ${output}` } },
    { name: "predictRows", params: ROWS_PARAMS.predict, returns: "void", doc: "Inference for rows [0, n) of X: writes n rows of output into outputs.", training: false },
    ctx,
  );
  const loss = lowerBatched(
    { predict: { node: batched.predict, comment: `output ${output} (for evaluate's metrics)` }, loss: batched.inferLoss },
    { name: "lossRows", params: ROWS_PARAMS.loss, returns: "number", doc: "Σ of the per-sample losses of rows [0, n), inference mode; writes the n outputs into outputs.", training: false },
    ctx,
  );
  const train = batchedTrainStep({
    batched,
    kernels: ctx,
    offsets,
    optimizer: model.optimizer,
    precision,
    comment: (name) => gradTerms[model.params.findIndex((p) => p.name === name)]!.comment,
    output,
  });
  // The generic step's tail, for the optimizer the fused step was made for.
  const apply = train
    ? applyGradient({ params: model.params.map((p) => ({ name: p.name, offset: offsets.get(p.name)!, size: sizeOf(p.shape) })), optimizer: model.optimizer, precision, namer })
    : undefined;
  // Extra kernels are per sample: buffers of their own (one row each), names from the same namer.
  const sampleBuffers = new Buffers(namer, batched.derived.names);
  const sample: SampleContext = { names: batched.derived.names, namer, buffers: sampleBuffers, file, binding: sampleBinding(extra.offsets) };
  const extraFns = extra.kernels.flatMap((k) => sampleKernel(k, "auto", sample).functions);
  const entries = new Set(["predictRows", "lossRows", "gradRows", ...extra.kernels.map((k) => k.name), ...(train ? [TRAIN_STEP] : []), ...(apply ? [APPLY_GRADIENT] : [])]);
  const fitted = fitParameters([...predict, ...loss, ...grad, ...extraFns, ...(train?.functions ?? [])], entries).map((fn) =>
    fn.name === TRAIN_STEP ? withUnusedNamed(withoutUnreadState(fn)) : fn,
  );
  // applyGradient calls its helpers with numbers, not with parameters of its own: nothing to fit.
  const applyFns = (apply ?? []).map((fn) => (fn.name === APPLY_GRADIENT ? withUnusedNamed(fn) : fn));
  const functions: Fn[] = dedupeFunctions([...fitted, ...applyFns], entries);
  return { functions, buffers: [...buffers.list(), ...sampleBuffers.list()], train: train && { rows: train.rows, gramWidths: train.gramWidths } };
}
