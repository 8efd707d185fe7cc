// JSON Lines → Table: one JSON object per line. A number or string value is one column; an
// array of numbers becomes columns `key[0]`, `key[1]`, … (so {"x": [0, 1], "y": 1} matches a
// model with input x[2] and target y[1]). Every line must have the keys and array lengths of
// the first; errors name the file and line.
//
//   parseJsonl('{"x": [0, 1], "y": 1}\n', "xor.jsonl").columns;   // ["x[0]", "x[1]", "y"]

import { CliError } from "../cli/io.js";
import { tableFromRows, type Cell, type Table } from "./table.js";

/** Flattens one object's values into [column name, cell] pairs. */
function flatten(value: unknown, where: string): [string, Cell][] {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new CliError(`${where}: expected a JSON object like {"x": [0, 1], "y": 1}, got ${Array.isArray(value) ? "an array" : JSON.stringify(value)}`);
  }
  const out: [string, Cell][] = [];
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === "number" || typeof v === "string") out.push([key, v]);
    else if (Array.isArray(v)) {
      v.forEach((item, i) => {
        if (typeof item !== "number") throw new CliError(`${where}: ${key}[${i}] is ${JSON.stringify(item)}; expected a number`);
        out.push([`${key}[${i}]`, item]);
      });
    } else throw new CliError(`${where}: '${key}' is ${JSON.stringify(v)}; expected a number, a string or an array of numbers`);
  }
  return out;
}

export function parseJsonl(text: string, file: string): Table {
  let columns: string[] | null = null;
  let index = new Map<string, number>();
  const cells: Cell[][] = [];
  const lines: number[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "") return;
    const where = `${file}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new CliError(`${where}: not valid JSON (${(e as Error).message})`);
    }
    const pairs = flatten(value, where);
    if (!columns) {
      columns = pairs.map(([name]) => name);
      index = new Map(columns.map((name, col) => [name, col]));
    }
    const row: Cell[] = new Array(columns.length);
    for (const [name, cell] of pairs) {
      const col = index.get(name);
      if (col === undefined) throw new CliError(`${where}: unexpected value '${name}' (the first line has ${columns.join(", ")})`);
      row[col] = cell;
    }
    const missing = columns.find((_, col) => row[col] === undefined);
    if (missing !== undefined) throw new CliError(`${where}: no value for '${missing}' (the first line has one)`);
    cells.push(row);
    lines.push(i + 1);
  });
  if (!columns) throw new CliError(`${file}: the file is empty; expected one JSON object per line`);
  return tableFromRows(file, columns, cells, lines);
}
