// The last step of every import: the Draft as model-file text, compiled by nnc's own front end
// (so what is written is known to compile), and the weights laid out as that model's generated
// module lays them out, ready to be written as nnc's weights JSON.
//
//   const { text, layout, params } = finishImport(draft, "iris.nn");
//   writeOutput("iris.nn", text); writeOutput("w.json", weightsWriter(layout, params));

import { analyze } from "../compile.js";
import { NncError, formatDiagnostic } from "../diagnostics.js";
import type { ParamsLayout } from "../../runtime/params-json.js";
import type { Draft } from "./draft.js";
import { layoutOf } from "./layout.js";
import { draftText } from "./nn-text.js";

export interface Imported {
  text: string;
  layout: ParamsLayout;
  params: Float64Array;
  /** One line for the command's status message: what the model became. */
  summary: string;
  /** Where each parameter's values came from in the file ("fc1.weight", "dense/kernel, transposed"). */
  sources: Map<string, string>;
}

export function finishImport(draft: Draft, nnFile: string): Imported {
  const text = draftText(draft);
  let model;
  try {
    model = analyze(text, nnFile).model;
  } catch (e) {
    // The importers check everything the model file will need; a failure here is nnc's bug.
    if (e instanceof NncError) throw new Error(`the model text written for the import does not compile: ${formatDiagnostic(e.diagnostic)}`);
    throw e;
  }
  const layout = layoutOf(model);
  const params = new Float64Array(layout.paramCount);
  for (const p of layout.params) {
    const w = draft.weights.get(p.name);
    if (!w) throw new Error(`the imported model's parameter '${p.name}' has no weights`);
    if (w.shape.join() !== p.shape.join() || w.data.length !== p.size) throw new Error(`the weights for '${p.name}' have shape [${w.shape}], the model [${p.shape}]`);
    params.set(w.data, p.offset);
  }
  const unused = [...draft.weights.keys()].filter((n) => !layout.params.some((p) => p.name === n));
  if (unused.length > 0) throw new Error(`weights ${unused.join(", ")} belong to no parameter of the imported model`);
  const summary = `${draft.statements.length} statements, ${layout.params.length} tensors, ${layout.paramCount} parameters`;
  return { text, layout, params, summary, sources: new Map([...draft.weights].map(([name, w]) => [name, w.from])) };
}
