// `nnc graph MODEL.nn -o graph.svg|graph.dot|graph.html`: draws the forward and backward
// graph after simplification (inputs, parameters, forward ops and gradient ops in their own
// colours; edges labelled with shapes; boxes with the DSL line they come from). A deep model is
// drawn as a ladder (explain/layout.ts); one too large to lay out gets its DOT text only.
//
//   nnc graph dsl-examples/parity.nn -o docs/parity-graph.svg

import { analyze } from "../compile.js";
import { derivation } from "../explain/derivation.js";
import { layoutDot, modelLayout } from "../explain/dot.js";
import { MAX_BOXES } from "../explain/layout.js";
import { fileLabel, mathText } from "../explain/grad-text.js";
import { graphPage, renderSvg } from "../explain/render.js";
import { oneModelFile, parseOptions } from "./options.js";
import { CliError, UsageError, readSource, shownName } from "./io.js";
import { checkOutputs, outputName, writeOutput } from "./outputs.js";

export const GRAPH_USAGE = `  nnc graph MODEL.nn -o OUT            draw the forward and backward graph: OUT.svg, OUT.dot or OUT.html
`;

/** The format an output name asks for, by its extension. */
function formatOf(output: string): string {
  const ext = /\.(svg|dot|gv|html|htm)$/i.exec(output)?.[1]?.toLowerCase();
  if (!ext) throw new UsageError(`cannot tell the format of '${output}': name it .svg, .dot or .html`);
  return ext;
}

/** The file content for an output name, chosen by its extension. */
export async function graphOutput(source: string, file: string, output: string): Promise<string> {
  const ext = formatOf(output);
  const { model, derived } = analyze(source, file);
  const laid = modelLayout(model, derived);
  const dot = layoutDot(model, laid);
  if (ext === "dot" || ext === "gv") return dot;
  const boxes = laid.drawing.boxes.length;
  if (boxes > MAX_BOXES) {
    const dotName = output.replace(/\.[^.\\/]*$/, ".dot");
    throw new CliError(`${file} draws as ${boxes} boxes; above ${MAX_BOXES} Graphviz takes too long to lay them out. Write -o ${dotName} for the graph as DOT text, or draw a smaller model`);
  }
  const svg = await renderSvg(dot);
  if (ext === "svg") return svg;
  const title = `${model.name} (${fileLabel(file)}): forward and backward graph`;
  return graphPage(title, svg, mathText(model, derivation(model, derived)));
}

export const GRAPH_OPTIONS = { output: { type: "string", short: "o" } } as const;

export async function graphCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, GRAPH_OPTIONS);
  const input = oneModelFile(positionals);
  const output = values.output as string | undefined;
  if (!output) throw new UsageError(`missing -o OUTPUT (.svg, .dot or .html)`);
  formatOf(output);
  checkOutputs([{ flag: "-o", path: output }], [{ flag: "the model file", path: input }]);
  const text = await graphOutput(readSource(input), input, output);
  writeOutput(output, text);
  process.stderr.write(`nnc: ${shownName(input)} -> ${outputName(output)}\n`);
  return 0;
}
