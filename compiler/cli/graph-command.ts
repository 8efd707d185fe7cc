// `nnc graph MODEL.nn -o graph.svg|graph.dot|graph.html`: draws the forward and backward
// graph after simplification (inputs, parameters, forward ops and gradient ops in their own
// colours; edges labelled with shapes; boxes with the DSL line they come from).
//
//   nnc graph dsl-examples/parity.nn -o docs/parity-graph.svg

import { analyze } from "../compile.js";
import { derivation } from "../explain/derivation.js";
import { modelDot } from "../explain/dot.js";
import { baseName, mathText } from "../explain/grad-text.js";
import { graphPage, renderSvg } from "../explain/render.js";
import { oneModelFile, parseOptions } from "./options.js";
import { UsageError, readSource, writeAtomically } from "./io.js";

export const GRAPH_USAGE = `  nnc graph MODEL.nn -o OUT            draw the forward and backward graph: OUT.svg, OUT.dot or OUT.html
`;

/** The file content for an output name, chosen by its extension. */
export async function graphOutput(source: string, file: string, output: string): Promise<string> {
  const ext = /\.(svg|dot|gv|html|htm)$/i.exec(output)?.[1]?.toLowerCase();
  if (!ext) throw new UsageError(`cannot tell the format of '${output}': name it .svg, .dot or .html`);
  const { model, derived } = analyze(source, file);
  const dot = modelDot(model, derived);
  if (ext === "dot" || ext === "gv") return dot;
  const svg = await renderSvg(dot);
  if (ext === "svg") return svg;
  const title = `${model.name} (${baseName(file)}): forward and backward graph`;
  return graphPage(title, svg, mathText(model, derivation(model, derived)));
}

export const GRAPH_OPTIONS = { output: { type: "string", short: "o" } } as const;

export async function graphCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, GRAPH_OPTIONS);
  const input = oneModelFile(positionals);
  const output = values.output as string | undefined;
  if (!output) throw new UsageError(`missing -o OUTPUT (.svg, .dot or .html)`);
  const text = await graphOutput(readSource(input), input, output);
  writeAtomically(output, text, input);
  process.stderr.write(`nnc: ${input} -> ${output}\n`);
  return 0;
}
