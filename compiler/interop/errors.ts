// The error every importer and exporter throws for a file it cannot translate: one line naming
// the file and the part (a layer, a node, a weight, a shard) and what is supported instead.
// It is a DataError, so the command line prints it as `nnc: error: …` with exit code 1.
//
//   throw new InteropError(`m.onnx: node 'conv1' (Conv) is not supported; nnc imports Gemm, MatMul, …`);

import { DataError, escapeUnsafe } from "../data/errors.js";

export class InteropError extends DataError {}

/** A type name from a file (a layer class, an operator) in a message: unquoted, but escaped and cut like `shown`. */
export function kind(text: string): string {
  return escapeUnsafe(text.length <= 40 ? text : `${text.slice(0, 40)}…`);
}
