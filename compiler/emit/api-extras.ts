// The parts of a generated module's API that only some modules have: the activation probe in
// the ModelCore (models with sigmoid, tanh or relu activations; fit's health numbers read it)
// and the Hessian-vector products `hvp` / `hvpBatch` (modules compiled with `--emit hvp`).
//
//   probeCore(activations, 32)  ->  ["  activations: model.activations,", "  probeSize: 32,", "  probeBatch(p, X, n, out) {…}"]
//   hvpDeclarations()           ->  hvpPV, hvp(params, x, y, v, out), hvpBatch(params, xs, ys, v, out)

import type { ActivationInfo } from "../../runtime/core.js";
import type { Declaration } from "./declarations.js";

/** What the compiler made besides the model's own kernels. */
export interface ModuleExtras {
  /** The activations the probe kernel writes, and its row width (0: no probe kernel). */
  activations: ActivationInfo[];
  probeSize: number;
  /** Whether the module has the hvpSample kernel (and so exports hvp and hvpBatch). */
  hvp: boolean;
}

/** Top-level names the extras declare (generated names must not take them). */
export const EXTRA_NAMES = ["hvpPV", "hvp", "hvpBatch"];

/** ModelCore fields for the probe kernel (none when the model has no activation to watch). */
export function probeCore(extras: ModuleExtras): string[] {
  if (extras.probeSize === 0) return [];
  return [
    `  activations: model.activations,`,
    `  probeSize: ${extras.probeSize},`,
    `  probeBatch(p, X, n, out) {`,
    `    for (let b = 0; b < n; b++) probeSample(p, X, b * INPUT_SIZE, out, b * ${extras.probeSize});`,
    `  },`,
  ];
}

/** The hvp API: a scratch array for the kernel, then the two exported functions. */
export function hvpDeclarations(extras: ModuleExtras): Declaration[] {
  if (!extras.hvp) return [];
  const v: [string, string] = ["v", "Vec"];
  const out: [string, string] = ["out", "Vec"];
  const fn = (doc: string, name: string, params: [string, string][], body: string[]): Declaration => ({
    kind: "function",
    doc,
    exported: true,
    name,
    params: params.map(([n, type]) => ({ name: n, type })),
    returns: "number",
    body,
  });
  return [
    {
      kind: "variable",
      doc: "The parameters, then the direction v: the array hvpSample reads both from.",
      exported: false,
      keyword: "const",
      name: "hvpPV",
      value: "new VecArray(2 * PARAM_COUNT)",
    },
    fn(
      "Adds H v, the Hessian of one sample's loss (inference mode) times the direction v, into `out`; returns the loss.",
      "hvp",
      [["params", "Params"], ["x", "ArrayLike<number>"], ["y", "ArrayLike<number>"], v, out],
      [`return hvpRows(core, hvpSample, hvpPV, params, oneSample(x, sampleX, "x"), oneSample(y, sampleY, "y"), 1, v, out);`],
    ),
    fn(
      "Writes into `out` the mean over the rows of H v (the Hessian of the mean loss times v); returns the mean loss.",
      "hvpBatch",
      [["params", "Params"], ["xs", "MatrixInput"], ["ys", "MatrixInput"], v, out],
      [`return hvpModel(core, hvpSample, hvpPV, params, xs, ys, v, out);`],
    ),
  ];
}

/** Runtime functions the extras call. */
export function extraRuntimeCalls(extras: ModuleExtras): string[] {
  return extras.hvp ? ["hvpRows", "hvpModel"] : [];
}
