// The semantic fuzz oracle, run on every model that analyzes: the reference interpreter on the
// graphs as built (before stable forms, autodiff and simplification) and on the derived graphs
// must agree on the prediction and the loss, at random parameters and data. A rewrite rule that
// changes a value (as `log Σ exp` → `logsumexp(exp z)` once did) fails here.
//
//   semanticProblem(analyze(source, FILE), 7)   // undefined, or what differs

import type { Model } from "../../compiler/elaborate/model.js";
import { evaluate as interpret } from "../../compiler/interpret.js";
import { topoOrder } from "../../compiler/ir/node.js";
import type { Derived } from "../../compiler/passes/simplify.js";
import { relError, testRandom } from "../helpers/fd.js";

const SATURATING = new Set(["sigmoid", "exp", "softmax", "softplus", "logsumexp", "logsoftmax", "tanh", "elu"]);

/** Why the derived graphs disagree with the graphs as written, or undefined when they agree. */
export function semanticProblem({ model, derived }: { model: Model; derived: Derived }, seed: number): string | undefined {
  // Mutations can make layers huge (`dense(x, 10000001)`): the interpreter is for small models.
  const size = model.params.reduce((n, p) => n + p.shape.reduce((a, d) => a * d, 1), 0) + model.infer.output.shape[0]!;
  if (size > 20_000) return undefined;
  const random = testRandom(seed);
  const values = new Map<string, Float64Array>();
  for (const p of model.params) values.set(p.name, Float64Array.from({ length: p.shape.reduce((a, d) => a * d, 1) }, () => random() * 2 - 1));
  values.set(model.input.name, Float64Array.from({ length: model.input.shape[0]! }, () => random() * 4 - 2));
  const classes = model.infer.output.shape[0]!;
  const sparse = model.target.shape[0] === 1 && model.accuracy === "sparse_categorical";
  values.set(model.target.name, Float64Array.from({ length: model.target.shape[0]! }, () => (sparse ? Math.floor(random() * classes) : random() < 0.5 ? 0 : 1)));
  const raw = interpret([model.infer.output, model.infer.loss], { values });
  // The written forms lose precision where exponentials saturate (1 − σ(30) cancels to a few
  // digits); the stable forms do not. Compare only where the written form is accurate.
  for (const node of topoOrder([model.infer.output, model.infer.loss])) {
    if (SATURATING.has(node.op) && raw.get(node.inputs[0]!.id)!.some((v) => !(Math.abs(v) <= 10))) return undefined;
  }
  const derivedValues = interpret([derived.predict, derived.inferLoss], { values });
  const pairs: [string, Float64Array, Float64Array][] = [
    ["loss", raw.get(model.infer.loss.id)!, derivedValues.get(derived.inferLoss.id)!],
    ["prediction", raw.get(model.infer.output.id)!, derivedValues.get(derived.predict.id)!],
  ];
  for (const [what, written, rewritten] of pairs) {
    for (let i = 0; i < written.length; i++) {
      const a = written[i]!;
      const b = rewritten[i]!;
      // Where the written form overflows, a stable form may stay finite; otherwise they agree.
      if (Number.isFinite(a) ? !(relError(a, b) < 1e-9) : false) return `${what}[${i}] is ${a} as written but ${b} after derive`;
    }
  }
  return undefined;
}
