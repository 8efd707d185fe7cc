// JSON Lines, read as a stream: one JSON object per line. A number or string value is one
// column; an array of numbers becomes columns `key[0]`, `key[1]`, … (so {"x": [0, 1], "y": 1}
// matches a model with input x[2] and target y[1]). Every line must have the keys and array
// lengths of the first; blank lines are skipped; errors name the file and line.
//
//   jsonlTable("xor.jsonl", chunks)((header) => (cells, line) => …);   // columns x[0], x[1], y

import { DataError, escapeUnsafe, shown, shownJson } from "./errors.js";
import { LineSplitter } from "./lines.js";
import type { Cell, RowVisitor, TableReader } from "./table.js";

/** Where a key's values go in a row: its first column, and its length if it is an array. */
interface Slot {
  col: number;
  size: number | null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The columns of the first object, and where each key's values go. */
function layoutOf(obj: Record<string, unknown>, where: string): { columns: string[]; slots: Map<string, Slot> } {
  const columns: string[] = [];
  const slots = new Map<string, Slot>();
  for (const [key, v] of Object.entries(obj)) {
    if (typeof v === "number" || typeof v === "string") {
      slots.set(key, { col: columns.length, size: null });
      columns.push(key);
    } else if (Array.isArray(v)) {
      slots.set(key, { col: columns.length, size: v.length });
      for (let i = 0; i < v.length; i++) columns.push(`${key}[${i}]`);
    } else {
      throw new DataError(`${where}: ${shown(key)} is ${shownJson(v)}; expected a number, a string or an array of numbers`);
    }
  }
  return { columns, slots };
}

/** Writes one object's values into `row` by the layout of the first line. */
function fillRow(obj: Record<string, unknown>, slots: Map<string, Slot>, row: Cell[], where: string): void {
  let seen = 0;
  for (const key in obj) {
    if (!Object.prototype.hasOwnProperty.call(obj, key)) continue;
    const slot = slots.get(key);
    if (slot === undefined) throw new DataError(`${where}: unexpected key ${shown(key)} (the first line does not have it)`);
    seen++;
    const v = obj[key];
    if (slot.size === null) {
      if (typeof v !== "number" && typeof v !== "string") throw new DataError(`${where}: ${shown(key)} is ${shownJson(v)}; expected a number or a string, as on the first line`);
      row[slot.col] = v;
      continue;
    }
    if (!Array.isArray(v)) throw new DataError(`${where}: ${shown(key)} is ${shownJson(v)}; expected an array of ${slot.size} numbers, as on the first line`);
    if (v.length !== slot.size) throw new DataError(`${where}: ${shown(key)} has ${v.length} values; the first line has ${slot.size}`);
    for (let i = 0; i < v.length; i++) {
      const item: unknown = v[i];
      if (typeof item !== "number") throw new DataError(`${where}: ${shown(`${key}[${i}]`)} is ${shownJson(item)}; expected a number`);
      row[slot.col + i] = item;
    }
  }
  if (seen !== slots.size) {
    const missing = [...slots.keys()].find((key) => !Object.prototype.hasOwnProperty.call(obj, key))!;
    throw new DataError(`${where}: no value for ${shown(missing)} (the first line has one)`);
  }
}

/** A reader over JSON Lines text given in chunks; `rowHint` bounds the rows (line count). */
export function jsonlTable(file: string, chunks: Iterable<string>, rowHint?: number): TableReader {
  return (onHeader) => {
    let visit: RowVisitor | null = null;
    let slots = new Map<string, Slot>();
    let row: Cell[] = [];
    const lines = new LineSplitter(file, (raw, line) => {
      const text = raw.trim();
      if (text === "") return true;
      const where = `${file}:${line}`;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        const why = (e as Error).message;
        throw new DataError(`${where}: not valid JSON (${escapeUnsafe(why.length > 200 ? `${why.slice(0, 200)}…` : why)})`);
      }
      if (!isObject(value)) throw new DataError(`${where}: expected a JSON object like {"x": [0, 1], "y": 1}, got ${shownJson(value)}`);
      if (visit === null) {
        const layout = layoutOf(value, where);
        slots = layout.slots;
        row = new Array<Cell>(layout.columns.length);
        visit = onHeader({ source: file, columns: layout.columns, named: true, ...(rowHint !== undefined ? { rowHint } : {}) });
      }
      fillRow(value, slots, row, where);
      return visit(row, line);
    });
    for (const chunk of chunks) if (!lines.push(chunk)) break;
    lines.end();
    if (visit === null) throw new DataError(`${file}: the file is empty; expected one JSON object per line`);
  };
}
