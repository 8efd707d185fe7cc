// Weights files (`nnc train --save`, `--weights`): read as a stream into a Float64Array and
// written in pieces, so a model of any size (up to the 100 million parameters nnc allows) goes
// to and from disk without its JSON ever being one string. The format and every check are the
// generated module's own (runtime/params-json.ts): a file nnc writes is exactly what
// saveParams() returns, and loadParams() reads what nnc reads. A file far larger than the
// model's weights can be, or one that never ends (/dev/zero), is refused.
//
//   const layout = weightsLayout(mod.model);
//   const params = readWeights(openInput("w.json"), layout);          // DataError on any problem
//   writeOutput("w.json", weightsWriter(layout, params));

import { closeSync } from "node:fs";
import type { ParamInfo, Vec } from "../../runtime/core.js";
import { layoutHashOf, paramsFromDocument, writeModelParams, type ParamsLayout } from "../../runtime/params-json.js";
import { DataError } from "./errors.js";
import { JsonStream, JsonSyntaxError } from "./json-stream.js";
import { textChunks, type InputFile } from "./read-file.js";

/** Bytes a weights file may take per parameter: JSON of a double is at most ~25; indented files take more. */
export const MAX_BYTES_PER_PARAM = 64;

/** The layout a generated module's `model` describes, with the hash its loadParams checks. */
export function weightsLayout(model: { name: string; paramCount: number; params: Omit<ParamInfo, "init">[] }): ParamsLayout {
  const params = model.params.map((p) => ({ ...p, init: { name: "zeros" } }));
  return { name: model.name, paramCount: model.paramCount, params, layoutHash: layoutHashOf(params) };
}

/** The parameters in `file`, checked against `layout` as loadParams checks them. */
export function readWeights(file: InputFile, layout: ParamsLayout): Float64Array {
  const maxBytes = 1024 * 1024 + MAX_BYTES_PER_PARAM * layout.paramCount;
  const tooLarge = () =>
    `${file.path}: the file is larger than the weights of model '${layout.name}' (${layout.paramCount} parameters) can be as JSON (at most ${maxBytes} bytes); is it the right file?`;
  if (file.regular && file.size > maxBytes) {
    closeSync(file.fd);
    throw new DataError(tooLarge());
  }
  const sizes = new Map(layout.params.map((p) => [p.name, p.size]));
  // params.NAME.data of a known tensor is collected as numbers, sized for the tensor.
  const json = new JsonStream((path) => (path.length === 3 && path[0] === "params" && path[2] === "data" ? (sizes.get(String(path[1])) ?? null) : null));
  let doc: unknown;
  try {
    for (const chunk of textChunks(file, { maxBytes, tooLarge })) json.push(chunk);
    doc = json.end();
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new DataError(`${file.path}: loadParams: not valid JSON (${e.message})`);
    throw e;
  }
  try {
    return paramsFromDocument(layout, doc) as Float64Array;
  } catch (e) {
    throw new DataError(`${file.path}: ${(e as Error).message}`);
  }
}

/** Writes the weights JSON in pieces (for cli/outputs.ts writeOutput): saveParams's text, never one string. */
export function weightsWriter(layout: ParamsLayout, params: Vec): (write: (piece: string) => void) => void {
  return (write) => writeModelParams(layout, params, write);
}
