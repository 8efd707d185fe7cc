// Where data comes from: a file by its extension (.csv, .tsv, .jsonl / .ndjson) or a built-in
// data set by name (iris, mnist). Returns the raw Table; match.ts maps it onto the model.
//
//   loadTable("train.csv");   loadTable("iris");

import { extname } from "node:path";
import { CliError, readSource } from "../cli/io.js";
import { parseCsv } from "./csv.js";
import { loadIris } from "./iris.js";
import { parseJsonl } from "./jsonl.js";
import { loadMnist } from "./mnist.js";
import type { Table } from "./table.js";

export const BUILTIN_DATA = { iris: loadIris, mnist: loadMnist } as const;

export function loadTable(spec: string): Table {
  const builtin = BUILTIN_DATA[spec as keyof typeof BUILTIN_DATA];
  if (builtin) return builtin();
  const ext = extname(spec).toLowerCase();
  if (ext === ".csv" || ext === ".tsv") return parseCsv(readSource(spec), spec);
  if (ext === ".jsonl" || ext === ".ndjson") return parseJsonl(readSource(spec), spec);
  throw new CliError(`cannot read data '${spec}': expected a .csv, .tsv, .jsonl or .ndjson file, or a built-in data set (${Object.keys(BUILTIN_DATA).join(", ")})`);
}
