// `nnc model.nn --emit ir`: the graph text as built, after stable forms, after autodiff and
// after simplification, and how many nodes each pass added or removed.
//
//   # 1. forward, as built: 18 nodes
//   …
//   # passes          nodes   change
//   #   stable forms     17       −1

import { analyze } from "../compile.js";
import type { Node } from "../ir/node.js";
import { printGraph } from "../ir/print.js";

function rewriteList(rewrites: Record<string, number>): string {
  const rows = Object.entries(rewrites).sort(([a], [b]) => a.localeCompare(b));
  return rows.length === 0 ? "(none)" : rows.map(([k, v]) => `${k} ×${v}`).join(", ");
}

const signed = (n: number) => (n > 0 ? `+${n}` : n < 0 ? `−${-n}` : "0");

export function irReport(source: string, file: string): string {
  const { model, derived } = analyze(source, file);
  const { names, stats: s } = derived;
  const grads = (map: Map<string, Node>) => [...map].map(([name, node]) => ({ name: `d${name}`, node }));
  const passes: [string, number, number][] = [
    ["stable forms", s.afterStabilize, s.afterStabilize - s.forwardNodes],
    ["autodiff", s.afterAutodiff, s.afterAutodiff - s.afterStabilize],
    ["simplify", s.afterSimplify, s.afterSimplify - s.afterAutodiff],
  ];
  return [
    `# 1. forward, as built (training loss, inference output and loss): ${s.forwardNodes} nodes`,
    printGraph(
      [
        { name: "loss", node: model.train.loss },
        { name: model.outputName, node: model.infer.output },
      ],
      names,
    ),
    ``,
    `# 2. stable forms and forward simplification: ${s.afterStabilize} nodes (${signed(s.afterStabilize - s.forwardNodes)})`,
    `#    rewrites: ${rewriteList(s.stabilize)}`,
    printGraph(
      [
        { name: "loss", node: derived.stable.forward.trainLoss },
        { name: model.outputName, node: derived.stable.forward.output },
      ],
      names,
    ),
    ``,
    `# 3. after autodiff: ${s.afterAutodiff} nodes (${signed(s.afterAutodiff - s.afterStabilize)})`,
    printGraph([{ name: "loss", node: derived.stable.forward.trainLoss }, ...grads(derived.rawGrads)], names),
    ``,
    `# 4. after simplify: ${s.afterSimplify} nodes (${signed(s.afterSimplify - s.afterAutodiff)}, ${s.simplify.rounds} rounds)`,
    `#    rewrites: ${rewriteList(s.simplify.rewrites)}`,
    printGraph([{ name: "loss", node: derived.trainLoss }, { name: model.outputName, node: derived.predict }, ...grads(derived.grads)], names),
    ``,
    `# nodes by pass (forward as built: ${s.forwardNodes})`,
    ...passes.map(([name, n, d]) => `#   ${name.padEnd(13)} ${String(n).padStart(6)} nodes  ${signed(d).padStart(5)}`),
    ``,
  ].join("\n");
}
