// The model's specialized kernels. Per sample (predictSample, lossSample, gradSample: the
// single-sample API, and the whole training path of small models): fully unrolled while the
// function fits V8's optimization budget; past it, large ops become loops with literal bounds
// and what stays unrolled is split into several functions under the budget (lower/budget.ts).
// Batched (predictRows, lossRows, gradRows: minibatches of larger models): matrix-matrix
// code over the rows (lower/batched.ts).
//
//   function gradSample(p: Vec, x: Vec, xo: number, y: Vec, yo: number, g: Vec, rng: Rng): number {
//     // parity.nn:5  h = dense(x, 2, sigmoid)
//     const h_0 = ...;
//     ...
//     return loss_0;
//   }

import type { Model } from "../elaborate/model.js";
import type { Names, Node } from "../ir/node.js";
import { sizeOf, topoOrder } from "../ir/node.js";
import { opDef } from "../ops/registry.js";
import { type Block, type DataBinding, type LowerMode, type Sink, lowerFunction, renderBlocks } from "../lower/function.js";
import { FUNCTION_TOKEN_BUDGET, MAX_CHUNKS, UNROLLED_BLOCK_TOKENS, estimateTokens } from "../lower/budget.js";
import { lowerBatched } from "../lower/batched.js";

export type UnrollMode = "auto" | "always" | "never";
export type BatchMode = "auto" | "always" | "never";

/** How the kernels were lowered: per sample (unrolled / mixed / split / loops), or batched. */
export type Strategy = "unrolled" | "mixed" | "split" | "loops" | "batched";

export interface KernelSet {
  text: string;
  /** The gradient kernel's strategy (the others follow the same rules), or "batched". */
  strategy: Strategy;
  /** Whether minibatches run through the batched kernels. */
  batched: boolean;
  /** Flops per sample of predict and of a training step (forward + backward). */
  flops: { predict: number; grad: number };
}

export interface LoweredGraphs {
  predict: Node;
  /** The output in training mode (dropout on): the gradient kernels write it for fit's metrics. */
  trainOutput: Node;
  inferLoss: Node;
  trainLoss: Node;
  grads: Map<string, Node>;
  names: Names;
}

type Params = readonly (readonly [string, string])[];

function binding(offsets: Map<string, number>, scratch: string, training: boolean): DataBinding {
  return {
    input: { array: "x", offset: "xo" },
    target: { array: "y", offset: "yo" },
    params: { array: "p", offsets },
    ...(training ? { rng: "rng" } : {}),
    scratch,
  };
}

const indent = (lines: readonly string[]) => lines.flatMap((l) => (l === "" ? [""] : wrapLine(`  ${l}`))).join("\n");

const WIDTH = 110;

/** Breaks a long statement after top-level ` + ` (unrolled sums), continuation lines indented. */
export function wrapLine(line: string): string[] {
  // Never a comment: its continuation would be code (tests/robustness/injection.test.ts).
  if (line.length <= WIDTH || /^\s*\/\//.test(line)) return [line];
  const lead = /^\s*/.exec(line)![0];
  const pieces: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "(" || c === "[") depth++;
    else if (c === ")" || c === "]") depth--;
    else if (depth === 0 && c === "+" && line[i - 1] === " " && line[i + 1] === " ") {
      pieces.push(line.slice(start, i + 1));
      start = i + 2;
    }
  }
  pieces.push(line.slice(start));
  const out: string[] = [];
  let cur = pieces[0]!;
  for (const piece of pieces.slice(1)) {
    if (cur.length + 1 + piece.length > WIDTH) {
      out.push(cur);
      cur = `${lead}    ${piece}`;
    } else cur += ` ${piece}`;
  }
  out.push(cur);
  return out;
}

function fnText(name: string, params: Params, ret: string, lines: readonly string[], doc?: string): string {
  const sig = `function ${name}(${params.map(([n, t]) => `${n}: ${t}`).join(", ")}): ${ret}`;
  return `${doc ? `/** ${doc} */\n` : ""}${sig} {\n${indent(lines)}\n}\n`;
}

/** Packs blocks in order into chunks of at most `budget` tokens (a `return` stays last). */
function chunk(blocks: readonly Block[], budget: number): Block[][] {
  const chunks: Block[][] = [[]];
  let used = 0;
  for (const b of blocks) {
    const t = estimateTokens(b.lines);
    if (used + t > budget && chunks[chunks.length - 1]!.length > 0) {
      chunks.push([]);
      used = 0;
    }
    chunks[chunks.length - 1]!.push(b);
    used += t;
  }
  return chunks;
}

/** A cheap upper-end guess of each stored node's unrolled size in tokens (≈ 6 per flop, 12 per element). */
function roughTokens(sinks: readonly Sink[]): Map<number, number> {
  const rough = new Map<number, number>();
  for (const node of topoOrder(sinks.map((s) => s.node))) {
    const def = opDef(node.op);
    if (def.kind === "structural") rough.set(node.id, 6 * def.flops(node.inputs.map((i) => i.shape), node.shape) + 12);
    else if (def.kind === "elementwise") rough.set(node.id, 12 * sizeOf(node.shape));
  }
  for (const s of sinks) rough.set(s.node.id, Math.max(rough.get(s.node.id) ?? 0, 16 * sizeOf(s.node.shape)));
  return rough;
}

interface SampleKernel {
  text: string;
  strategy: Strategy;
  flops: number;
}

/** One per-sample kernel, lowered under the budget (or as forced by `unroll`). */
function sampleKernel(name: string, params: Params, ret: string, doc: string, sinks: Sink[], scratchName: string, b: DataBinding, unroll: UnrollMode, file: string, graphs: LoweredGraphs): SampleKernel {
  const render = (mode: LowerMode) => lowerFunction(sinks, b, mode, file);
  const names = graphs.names;
  const withScratch = (size: number, text: string) => (size > 0 ? `const ${scratchName} = new VecArray(${size});\n${text}` : text);
  const single = (f: ReturnType<typeof render>, strategy: Strategy): SampleKernel => ({
    text: withScratch(f.scratchSize, fnText(name, params, ret, renderBlocks(f.blocks), doc)),
    strategy,
    flops: f.flops,
  });
  if (unroll === "never") return single(render({ locals: "scalars", unrolled: () => false, names }), "loops");
  if (unroll === "always") return single(render({ locals: "all", unrolled: () => true, names }), "unrolled");
  // Rough sizes first, so that a 100,000-element layer is never written out unrolled just to be measured.
  const rough = roughTokens(sinks);
  if ([...rough.values()].reduce((a, b) => a + b, 0) <= 4 * FUNCTION_TOKEN_BUDGET) {
    const whole = render({ locals: "all", unrolled: () => true, names });
    if (estimateTokens(renderBlocks(whole.blocks)) <= FUNCTION_TOKEN_BUDGET) return single(whole, "unrolled");
  }

  // Too big for one function: everything in scratch; large ops as loops, the rest unrolled.
  const preLooped = new Set([...rough].filter(([, t]) => t > 4 * UNROLLED_BLOCK_TOKENS).map(([id]) => id));
  const unrolledAll = render({ locals: "none", unrolled: (n) => !preLooped.has(n.id), names });
  const cost = new Map<number, number>();
  for (const blk of unrolledAll.blocks) if (blk.node) cost.set(blk.node.id, Math.max(cost.get(blk.node.id) ?? 0, estimateTokens(blk.lines)));
  const looped = new Set([...cost].filter(([id, t]) => preLooped.has(id) || t > UNROLLED_BLOCK_TOKENS).map(([id]) => id));
  let remaining = [...cost].filter(([id]) => !looped.has(id)).sort((x, y) => y[1] - x[1] || x[0] - y[0]);
  let total = remaining.reduce((s, [, t]) => s + t, 0);
  while (total > MAX_CHUNKS * FUNCTION_TOKEN_BUDGET * 0.8 && remaining.length > 0) {
    const [id, t] = remaining.shift()!;
    looped.add(id);
    total -= t;
  }
  const mixed = render({ locals: "none", unrolled: (n) => !looped.has(n.id), names });
  const allLoops = looped.size === cost.size;
  const chunks = chunk(mixed.blocks, FUNCTION_TOKEN_BUDGET);
  if (chunks.length === 1) return single(mixed, allLoops ? "loops" : "mixed");
  const parts = chunks.map((blocks, i) => {
    const last = i === chunks.length - 1;
    return fnText(`${name}_${i + 1}`, params, last ? ret : "void", renderBlocks(blocks));
  });
  const args = params.map(([n]) => n).join(", ");
  const calls = chunks.map((_, i) => (i === chunks.length - 1 && ret !== "void" ? `return ${name}_${i + 1}(${args});` : `${name}_${i + 1}(${args});`));
  const text = [...parts, fnText(name, params, ret, calls, `${doc} (split into ${chunks.length} functions, each within V8's optimization budget)`)].join("\n");
  return { text: withScratch(mixed.scratchSize, text), strategy: "split", flops: mixed.flops };
}

const SAMPLE_PARAMS = {
  predict: [["p", "Vec"], ["x", "Vec"], ["xo", "number"], ["out", "Vec"], ["oo", "number"]],
  loss: [["p", "Vec"], ["x", "Vec"], ["xo", "number"], ["y", "Vec"], ["yo", "number"], ["out", "Vec"], ["oo", "number"]],
  grad: [["p", "Vec"], ["x", "Vec"], ["xo", "number"], ["y", "Vec"], ["yo", "number"], ["g", "Vec"], ["rng", "Rng"], ["out", "Vec"], ["oo", "number"]],
} as const;

export function emitKernels(model: Model, graphs: LoweredGraphs, offsets: Map<string, number>, unroll: UnrollMode, batch: BatchMode, maxBatch: number): KernelSet {
  const file = model.file.replace(/^.*[\\/]/, "");
  const gradSinks: Sink[] = model.params.map((p) => ({
    kind: "accumulate",
    node: graphs.grads.get(p.name)!,
    array: "g",
    offset: offsets.get(p.name)!,
    comment: `∂loss/∂${p.name} [${p.shape.join(", ")}]`,
  }));
  gradSinks.push({ kind: "return", node: graphs.trainLoss });
  // A training sample also adds each gradient element into g: one more flop per parameter.
  const paramCount = model.params.reduce((n, p) => n + sizeOf(p.shape), 0);
  const flops = { predict: flopsOf([graphs.predict]), grad: flopsOf(gradSinks.map((s) => s.node)) + paramCount };
  // The forward pass computes the output anyway: stored for fit's metrics (not counted as model flops).
  gradSinks.unshift({ kind: "store", node: graphs.trainOutput, array: "out", offset: "oo", comment: `output ${model.outputName} (training mode, for the batch's metrics)` });
  // Models too big for one unrolled function run everything, single samples included (n = 1),
  // through the batched kernels: their tiles beat per-sample loops even for one row (measured
  // 3–4× on MNIST), so the per-sample kernels are not emitted at all.
  const batched = batch === "always" || (batch === "auto" && !fitsOneFunction(gradSinks, offsets, file, graphs.names));
  if (batched) return { text: batchedKernels(model, graphs, offsets, maxBatch, file), strategy: "batched", batched, flops };
  const predict = sampleKernel(
    "predictSample",
    SAMPLE_PARAMS.predict,
    "void",
    "Inference for the sample at x[xo…]: writes the output at out[oo…].",
    [{ kind: "store", node: graphs.predict, array: "out", offset: "oo", comment: `output ${model.outputName}` }],
    "predictScratch",
    binding(offsets, "predictScratch", false),
    unroll,
    file,
    graphs,
  );
  // The loss kernel also writes the output it computes on the way: evaluate scores its metrics
  // from it instead of running the forward pass a second time.
  const lossSinks: Sink[] = [
    { kind: "store", node: graphs.predict, array: "out", offset: "oo", comment: `output ${model.outputName} (for evaluate's metrics)` },
    { kind: "return", node: graphs.inferLoss },
  ];
  const loss = sampleKernel(
    "lossSample",
    SAMPLE_PARAMS.loss,
    "number",
    "The loss of one sample, inference mode; also writes its output at out[oo…].",
    lossSinks,
    "lossScratch",
    binding(offsets, "lossScratch", false),
    unroll,
    file,
    graphs,
  );
  const grad = sampleKernel(
    "gradSample",
    SAMPLE_PARAMS.grad,
    "number",
    "Training mode: adds ∂loss/∂params of one sample into g, writes its output at out[oo…] and returns its loss.",
    gradSinks,
    "gradScratch",
    binding(offsets, "gradScratch", true),
    unroll,
    file,
    graphs,
  );
  return { text: [predict.text, loss.text, grad.text].join("\n"), strategy: grad.strategy, batched, flops };
}

/** Whether the per-sample gradient kernel fits V8's budget fully unrolled in one function. */
function fitsOneFunction(sinks: Sink[], offsets: Map<string, number>, file: string, names: Names): boolean {
  if ([...roughTokens(sinks).values()].reduce((a, b) => a + b, 0) > 4 * FUNCTION_TOKEN_BUDGET) return false;
  const whole = lowerFunction(sinks, binding(offsets, "gradScratch", true), { locals: "all", unrolled: () => true, names }, file);
  return estimateTokens(renderBlocks(whole.blocks)) <= FUNCTION_TOKEN_BUDGET;
}

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

/** predictRows / lossRows / gradRows over rows [0, n) of a minibatch, sharing one scratch buffer. */
function batchedKernels(model: Model, graphs: LoweredGraphs, offsets: Map<string, number>, maxBatch: number, file: string): string {
  const PARAMS = {
    predictRows: [["p", "Vec"], ["X", "Vec"], ["n", "number"], ["out", "Vec"]],
    lossRows: [["p", "Vec"], ["X", "Vec"], ["Y", "Vec"], ["n", "number"], ["out", "Vec"]],
    gradRows: [["p", "Vec"], ["X", "Vec"], ["Y", "Vec"], ["n", "number"], ["g", "Vec"], ["rng", "Rng"], ["out", "Vec"]],
  } as const;
  const names = (training: boolean, kernel: keyof typeof PARAMS) => ({
    kernel: { name: kernel, params: PARAMS[kernel] },
    params: { array: "p", offsets },
    input: { array: "X", size: sizeOf(model.input.shape) },
    target: { array: "Y", size: sizeOf(model.target.shape) },
    out: "out",
    grad: "g",
    ...(training ? { rng: "rng" } : {}),
    scratch: "rowScratch",
    rows: "n",
  });
  const predict = lowerBatched({ predict: { node: graphs.predict, comment: `output ${model.outputName}` } }, names(false, "predictRows"), maxBatch, file, graphs.names);
  const loss = lowerBatched({ predict: { node: graphs.predict, comment: `output ${model.outputName} (for evaluate's metrics)` }, loss: graphs.inferLoss }, names(false, "lossRows"), maxBatch, file, graphs.names);
  const grads = model.params.map((p) => ({ node: graphs.grads.get(p.name)!, offset: offsets.get(p.name)!, comment: `∂loss/∂${p.name} [${p.shape.join(", ")}]` }));
  const trainOutput = { node: graphs.trainOutput, comment: `output ${model.outputName} (training mode, for the batch's metrics)` };
  const grad = lowerBatched({ predict: trainOutput, loss: graphs.trainLoss, grads }, names(true, "gradRows"), maxBatch, file, graphs.names);
  const size = Math.max(predict.scratchSize, loss.scratchSize, grad.scratchSize);
  return [
    `/** Scratch of the batched kernels: up to ${maxBatch} rows of every intermediate value. */`,
    `const rowScratch = new VecArray(${Math.max(size, 1)});\n`,
    ...predict.helpers,
    fnText("predictRows", PARAMS.predictRows, "void", predict.lines, "Inference for rows [0, n) of X: writes n rows of output into out."),
    ...loss.helpers,
    fnText("lossRows", PARAMS.lossRows, "number", loss.lines, "Σ of the per-sample losses of rows [0, n), inference mode; writes the n outputs into out."),
    ...grad.helpers,
    fnText("gradRows", PARAMS.gradRows, "number", grad.lines, "Training mode: adds Σ ∂loss/∂params over rows [0, n) into g, writes the n outputs into out and returns Σ loss."),
  ].join("\n");
}
