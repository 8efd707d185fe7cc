// `nnc model.nn --emit ir`: the graph text before and after autodiff and simplification,
// with how many nodes each pass added or removed.

import { analyze } from "../compile.js";
import { printGraph } from "../ir/print.js";

export function irReport(source: string, file: string): string {
  const { model, derived } = analyze(source, file);
  const s = derived.stats;
  const rewrites = Object.entries(s.simplify.rewrites)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `  ${k}: ${v}`)
    .join("\n");
  return [
    `# forward (training loss, inference output and loss): ${s.forwardNodes} nodes`,
    printGraph([
      { name: "loss", node: model.train.loss },
      { name: model.outputName, node: model.infer.output },
    ]),
    ``,
    `# after autodiff: ${s.afterAutodiff} nodes (+${s.afterAutodiff - s.forwardNodes})`,
    printGraph([{ name: "loss", node: model.train.loss }, ...[...derived.rawGrads].map(([name, node]) => ({ name: `d${name}`, node }))]),
    ``,
    `# after simplify: ${s.afterSimplify} nodes (${s.afterSimplify - s.afterAutodiff} removed by ${s.simplify.rounds} rounds)`,
    printGraph([{ name: "loss", node: derived.trainLoss }, { name: model.outputName, node: derived.predict }, ...[...derived.grads].map(([name, node]) => ({ name: `d${name}`, node }))]),
    ``,
    `# rewrites applied`,
    rewrites || "  (none)",
    ``,
  ].join("\n");
}
