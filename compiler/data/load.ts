// Where data comes from: a file by its extension (.csv, .tsv, .jsonl / .ndjson) or a built-in
// data set by name (iris, mnist). Returns a streaming TableReader; dataset.ts maps it onto the
// model. A regular file's lines are counted first (a fast pass over the bytes, stopping at
// `limit`), so the matrices are allocated once at the right size.
//
//   openTable("train.csv", 1000)((header) => (cells, line) => …);   openTable("iris");

import { closeSync } from "node:fs";
import { extname } from "node:path";
import { csvTable } from "./csv.js";
import { DataError } from "./errors.js";
import { loadIris } from "./iris.js";
import { jsonlTable } from "./jsonl.js";
import { loadMnist } from "./mnist.js";
import { countLines, openInput, textChunks } from "./read-file.js";
import type { TableReader } from "./table.js";

export const BUILTIN_DATA: { readonly [name: string]: () => TableReader } = { iris: loadIris, mnist: loadMnist };

/** A reader for `spec`; nothing is opened until it is called. At most `limit` rows are wanted. */
export function openTable(spec: string, limit = Infinity): TableReader {
  if (Object.prototype.hasOwnProperty.call(BUILTIN_DATA, spec)) return BUILTIN_DATA[spec]!();
  const ext = extname(spec).toLowerCase();
  const csv = ext === ".csv" || ext === ".tsv";
  if (!csv && ext !== ".jsonl" && ext !== ".ndjson") {
    throw new DataError(`cannot read data '${spec}': expected a .csv, .tsv, .jsonl or .ndjson file, or a built-in data set (${Object.keys(BUILTIN_DATA).join(", ")})`);
  }
  return (onHeader) => {
    const file = openInput(spec);
    let lines: number | undefined;
    try {
      // A CSV header takes a line: count one more than the rows wanted.
      if (file.regular) lines = countLines(file, limit === Infinity ? Infinity : limit + 1);
    } catch (e) {
      closeSync(file.fd);
      throw e;
    }
    const rowHint = lines === undefined ? undefined : Math.min(lines, limit);
    const chunks = textChunks(file);
    if (csv) csvTable(spec, ext === ".tsv" ? "\t" : ",", chunks, rowHint)(onHeader);
    else jsonlTable(spec, chunks, rowHint)(onHeader);
  };
}
