// The reference interpreter: evaluates any graph node by node with each op's own
// `evaluate`. It is slow and simple on purpose: tests compare generated code and
// finite differences against it, and `nnc check` uses it.
//
//   evaluate([loss], { values: new Map([["x", Float64Array.of(2)], ...]) }).get(loss.id)

import { type Node, topoOrder } from "./ir/node.js";
import type { EvalEnv } from "./ops/op-def.js";
import { opDef } from "./ops/registry.js";

export function evaluate(roots: readonly Node[], env: EvalEnv): Map<number, Float64Array> {
  const values = new Map<number, Float64Array>();
  for (const node of topoOrder(roots)) {
    const def = opDef(node.op);
    let out: Float64Array;
    switch (def.kind) {
      case "leaf":
        out = def.evaluate(node, env);
        break;
      case "elementwise": {
        const args = node.inputs.map((i) => values.get(i.id)!);
        out = new Float64Array(args[0]!.length);
        const scratch = new Array<number>(args.length);
        for (let k = 0; k < out.length; k++) {
          for (let a = 0; a < args.length; a++) scratch[a] = args[a]![k]!;
          out[k] = def.scalar(scratch, node.attrs);
        }
        break;
      }
      case "indexmap":
      case "structural":
        out = def.evaluate(
          node.inputs.map((i) => values.get(i.id)!),
          node.attrs,
          node.inputs.map((i) => i.shape),
          node.shape,
        );
        break;
      case "rows":
        throw new Error(`internal: the interpreter evaluates per-sample graphs; '${node.op}' belongs to batched kernels`);
    }
    values.set(node.id, out);
  }
  return values;
}
