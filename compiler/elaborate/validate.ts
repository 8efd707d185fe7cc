// Whole-model checks after the statements are elaborated: which value is the output, that
// every parameter reaches the loss, and that error metrics compare equal sizes.
//
//   param W2[3, 4] never used by the loss   ->   model.nn:6:7: error: parameter 'W2' is never used by the loss

import type { Loc, Statement } from "../ast.js";
import { type Node, sizeOf, topoOrder } from "../ir/node.js";
import type { Declarations } from "./declarations.js";
import type { ModeResult } from "./model.js";
import type { SourceText } from "./source.js";

/** The model's output: the `output NAME` line, else the prediction of a built-in loss, else the last assignment. */
export function resolveOutput(
  src: SourceText,
  decls: Declarations,
  env: ReadonlyMap<string, Node>,
  fallback: { name: string; node: Node } | undefined,
  lossStatement: Statement & { kind: "loss" },
): { name: string; node: Node } {
  let output = fallback;
  const declared = decls.outputDecl;
  if (declared) {
    const node = env.get(declared.name);
    if (!node) src.fail(declared.loc, `unknown name '${declared.name}'`);
    output = { name: declared.name, node };
  }
  if (!output) return src.fail(lossStatement.loc, `cannot tell which value is the model's output; add 'output NAME'`);
  if (output.node.shape.length === 0) {
    const where: Loc = declared?.loc ?? lossStatement.loc;
    src.fail(where, `the output '${output.name}' must be a tensor (a vector, an image, …), got a scalar`);
  }
  return output;
}

export function checkModel(src: SourceText, decls: Declarations, train: ModeResult): void {
  // A parameter that the loss does not depend on would silently never train.
  const reachable = new Set(topoOrder([train.loss]).map((n) => n.id));
  for (const p of decls.params) {
    if (!reachable.has(p.node.id)) src.fail(p.loc, `parameter '${p.name}' is never used by the loss`);
  }
  // mae / mse compare output and target element by element (not with sparse class labels).
  for (const m of decls.errorMetrics) {
    const outputSize = sizeOf(train.output.node.shape);
    const targetSize = sizeOf(decls.target!.shape);
    if (outputSize !== targetSize) {
      src.fail(m.loc, `metric '${m.name}' compares the output '${train.output.name}' [${outputSize}] with the target '${decls.target!.name}' [${targetSize}] element by element, but their sizes differ`);
    }
  }
}
