// The model's specialized kernels: per-sample predict, loss and gradient functions,
// lowered from the simplified graphs, unrolled while small and loops beyond that.
//
//   function gradSample(p: Vec, x: Vec, xo: number, y: Vec, yo: number, g: Vec, rng: Rng): number {
//     // parity.nn:5  h = dense(x, 2, sigmoid)
//     const h_0 = ...;
//     ...
//     return loss_0;
//   }

import type { Model } from "../build/model.js";
import type { Node } from "../ir/node.js";
import { type DataBinding, type LoweredFunction, type Sink, lowerFunction } from "../lower/function.js";

export type UnrollMode = "auto" | "always" | "never";

/** Unrolled bodies longer than this (in characters) are lowered to loops instead: V8 stops
 * optimizing functions past --max-optimized-bytecode-size (61,440 bytes of bytecode). */
const UNROLL_BUDGET_CHARS = 24_000;

export interface KernelSet {
  text: string;
  unrolled: boolean;
  /** Flops per sample of predict and of a training step (forward + backward). */
  flops: { predict: number; grad: number };
}

export interface LoweredGraphs {
  predict: Node;
  inferLoss: Node;
  trainLoss: Node;
  grads: Map<string, Node>;
}

function binding(model: Model, offsets: Map<string, number>, scratch: string, training: boolean): DataBinding {
  return {
    input: { array: "x", offset: "xo" },
    target: { array: "y", offset: "yo" },
    params: { array: "p", offsets },
    ...(training ? { rng: "rng" } : {}),
    scratch,
  };
}

function lowerAll(model: Model, graphs: LoweredGraphs, offsets: Map<string, number>, unrolled: boolean) {
  const file = model.file.replace(/^.*[\\/]/, "");
  const predict = lowerFunction([{ kind: "store", node: graphs.predict, array: "out", offset: "oo", comment: `output ${model.outputName}` }], binding(model, offsets, "predictScratch", false), unrolled, file);
  const loss = lowerFunction([{ kind: "return", node: graphs.inferLoss }], binding(model, offsets, "lossScratch", false), unrolled, file);
  const gradSinks: Sink[] = model.params.map((p) => ({
    kind: "accumulate",
    node: graphs.grads.get(p.name)!,
    array: "g",
    offset: offsets.get(p.name)!,
    comment: `∂loss/∂${p.name} [${p.shape.join(", ")}]`,
  }));
  gradSinks.push({ kind: "return", node: graphs.trainLoss });
  const grad = lowerFunction(gradSinks, binding(model, offsets, "gradScratch", true), unrolled, file);
  return { predict, loss, grad };
}

function fn(signature: string, doc: string, f: LoweredFunction, scratchName: string): string {
  const scratch = f.scratchSize > 0 ? `const ${scratchName} = new VecArray(${f.scratchSize});\n` : "";
  return `${scratch}/** ${doc} */\n${signature} {\n${f.lines.map((l) => (l === "" ? "" : `  ${l}`)).join("\n")}\n}\n`;
}

export function emitKernels(model: Model, graphs: LoweredGraphs, offsets: Map<string, number>, mode: UnrollMode): KernelSet {
  let unrolled = mode !== "never";
  let lowered = lowerAll(model, graphs, offsets, unrolled);
  if (mode === "auto") {
    const longest = Math.max(...[lowered.predict, lowered.loss, lowered.grad].map((f) => f.lines.join("\n").length));
    if (longest > UNROLL_BUDGET_CHARS) {
      unrolled = false;
      lowered = lowerAll(model, graphs, offsets, false);
    }
  }
  const text = [
    fn("function predictSample(p: Vec, x: Vec, xo: number, out: Vec, oo: number): void", "Inference for the sample at x[xo…]: writes the output at out[oo…].", lowered.predict, "predictScratch"),
    fn("function lossSample(p: Vec, x: Vec, xo: number, y: Vec, yo: number): number", "The loss of one sample, inference mode.", lowered.loss, "lossScratch"),
    fn(
      "function gradSample(p: Vec, x: Vec, xo: number, y: Vec, yo: number, g: Vec, rng: Rng): number",
      "Training mode: adds ∂loss/∂params of one sample into g and returns its loss.",
      lowered.grad,
      "gradScratch",
    ),
  ].join("\n");
  return { text, unrolled, flops: { predict: lowered.predict.flops, grad: lowered.grad.flops } };
}
