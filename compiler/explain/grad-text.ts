// `nnc grad` output as text: the derivation's equations in aligned columns (math), the
// emitted statements of the backward pass (ts), or the simplified gradient graph (ir).
//
//   backward (δv = ∂L/∂v)
//     δz_out    = out − y          [1]     parity.nn:12
//     ∂L/∂W_out = δz_out ⊗ h       [1, 2]  parity.nn:10

import type { Model } from "../elaborate/model.js";
import { topoOrder } from "../ir/node.js";
import { maskName } from "../ops/leaves.js";
import { printGraph } from "../ir/print.js";
import { baseName, safeName, safeText } from "../lower/comments.js";
import type { Derived } from "../passes/simplify.js";
import type { Program } from "../lower/program.js";
import { printFunction, printStatements } from "../print/typescript.js";
import { type GradientSlice, gradFunctions } from "./code-slice.js";
import type { Derivation, Equation } from "./derivation.js";

/** Display width: code points (δ, ⊙, ᵀ and friends are one column each). */
const width = (s: string) => [...s].length;
const pad = (s: string, n: number) => s + " ".repeat(Math.max(0, n - width(s)));

/** Beyond this, a long right-hand side is not padded (its shape follows it directly). */
const MAX_RHS_COLUMN = 48;

const LEGEND =
  "notation: W x matrix-vector product, Wᵀ v transposed product, ⊗ outer product, ⊙ elementwise product, · scaling, Σ sum of elements";

/** Legend lines for notation only some models use, by the ops that print it. */
const MORE_NOTATION: [string[], string][] = [
  [["conv2d", "conv2d_backprop_input", "conv2d_backprop_filter"], "K ∗ x convolution (channels last), Kᵀ ∗ δ transposed convolution (the input's gradient), δ ⋆ x correlation of a gradient with an input (the kernel's gradient)"],
  [["max_pool2d", "max_pool2d_grad", "max_pool2d_select", "avg_pool2d", "avg_pool2d_grad"], "max_pool / avg_pool pooling; route_max(x, δ) sends each window's δ to its maximum (the first on ties), spread_avg(δ) spreads it evenly over the window"],
  [["unbroadcast"], "Σ↓ sum over the dimensions a value was broadcast along (a bias's gradient)"],
  [["matmul"], "A B matrix product (Aᵀ, Bᵀ transposed)"],
];

/**
 * The model file's name as headers and captions show it: without its folder, and made safe as
 * the emitted code's comments make it (no line break or control character from the name can
 * end a comment or a line).
 */
export function fileLabel(file: string): string {
  return safeName(baseName(file));
}

function table(equations: readonly Equation[], file: string): string[] {
  const lhsW = Math.max(...equations.map((e) => width(e.lhs)));
  // Long right-hand sides overflow the column rather than widening it for every row.
  const rhsW = Math.max(0, ...equations.map((e) => width(e.rhs)).filter((w) => w <= MAX_RHS_COLUMN));
  const shapes = equations.map((e) => `[${e.shape.join(", ")}]`);
  const shapeW = Math.max(...shapes.map(width));
  return equations.map((e, i) => {
    const where = e.line !== undefined ? `${file}:${e.line}` : "";
    return `  ${pad(e.lhs, lhsW)} = ${pad(e.rhs, rhsW)}  ${pad(shapes[i]!, shapeW)}  ${where}`.trimEnd();
  });
}

/** One legend line per dropout mask of the training loss: what maskN holds. */
function maskLegend(model: Model): string[] {
  const masks = topoOrder([model.train.loss]).filter((n) => n.op === "dropout_mask");
  return masks.map((m) => {
    const rate = Number(m.attrs["rate"]);
    const where = m.origin ? ` (line ${m.origin.line})` : "";
    return `# ${maskName(m.attrs)}${where}: dropout mask, redrawn for every training sample: each element 0 with probability ${rate}, else 1/(1 − ${rate})`;
  });
}

export function mathText(model: Model, d: Derivation): string {
  const file = fileLabel(model.file);
  const which = d.params.length === model.params.length ? "every parameter" : d.params.join(", ");
  return [
    `# ${model.name} (${file}): ∂L/∂(${which}), derived in reverse mode and simplified`,
    `# loss: ${safeText(model.lossText)}; shapes on the right, then the model line each value comes from`,
    ``,
    `forward`,
    ...table(d.forward, file),
    ``,
    `backward (δv = ∂L/∂v)`,
    ...table(d.backward, file),
    ``,
    `# ${LEGEND}`,
    ...MORE_NOTATION.filter(([ops]) => ops.some((o) => d.ops.has(o))).map(([, text]) => `# ${text}`),
    ...maskLegend(model),
    ``,
  ].join("\n");
}

/** The whole emitted gradient kernel, with the functions it calls. */
export function fullCodeText(model: Model, program: Program): string {
  const file = fileLabel(model.file);
  const what = program.batched ? "a minibatch" : "one sample";
  const head = `// ${model.name}: the gradient kernel emitted for ${file} (forward pass, then backward; ${what})`;
  return [head, ...gradFunctions(program).map((fn) => printFunction(fn)), ``].join("\n");
}

/** One parameter's slice of the emitted gradient kernel. */
export function sliceText(model: Model, param: string, slice: GradientSlice, program: Program): string {
  const file = fileLabel(model.file);
  const kernel = program.kernels.grad;
  const reads = slice.forwardReads.length > 0 ? slice.forwardReads.join(", ") : "(none)";
  const where = program.batched ? `${kernel} and the functions it calls` : kernel;
  return [
    `// ${model.name}: the statements of ${where} (emitted for ${file}) that compute ∂loss/∂${param}.`,
    `// Forward values they read, computed earlier in ${kernel}: ${reads}`,
    ``,
    ...printStatements(slice.statements),
    ``,
  ].join("\n");
}

/** The simplified gradient graph of the chosen parameters (IR text). */
export function irText(model: Model, derived: Derived, params: readonly string[]): string {
  const roots = params.map((p) => ({ name: `d${p}`, node: derived.grads.get(p)! }));
  return `# ${model.name} (${fileLabel(model.file)}): gradient graph after autodiff and simplification\n${printGraph(roots, derived.names)}\n`;
}
