// Table → the model's input and target matrices. Columns are found by name first, then by
// position, and every used cell is checked (errors name file, line, row and column):
//
//   names      input x[4]: columns x0..x3 (or x[0].., x_0..; just `x` when the size is 1);
//              target y[3]: y0..y2 (one-hot or any values), or one column `y` of class indexes
//   explicit   --inputs a,b,c,d --targets species
//   position   the input columns first, then the target column(s)
//
//   const ds = toDataset(parseCsv(text, "d.csv"), { input: { name: "x", size: 4 }, target: { name: "y", size: 3 } }, { target: "required" });
//   ds.X; ds.Y;   // Float64Array rows × 4, rows × 3 (class indexes expanded to one-hot)

import { CliError } from "../cli/io.js";
import type { Table } from "./table.js";

export interface DataShape {
  input: { name: string; size: number };
  target: { name: string; size: number };
  /** How many classes a class index may name when the target is one value (sparse labels). */
  classes?: number;
}

/** auto: one column for a wider target, or a sparse-categorical target, means class indexes; index / onehot insist. */
export type LabelMode = "auto" | "index" | "onehot";

export interface MatchOptions {
  labels?: LabelMode;
  inputs?: string[];
  targets?: string[];
  /** "none" (predict): target columns, if any, are recognized (not taken for inputs) but not read. */
  target: "required" | "none";
}

export interface Dataset {
  source: string;
  rows: number;
  inputSize: number;
  targetSize: number;
  X: Float64Array;
  Y: Float64Array | null;
  inputColumns: string[];
  targetColumns: string[];
  /** How target cells were read: as values (one-hot or numbers) or as class indexes. */
  labels: "values" | "index";
}

/** Column names that spell `name` of `size` values, in the accepted styles. */
function namedColumns(columns: readonly string[], name: string, size: number): number[] | null {
  const styles = [(i: number) => `${name}${i}`, (i: number) => `${name}[${i}]`, (i: number) => `${name}_${i}`];
  if (size === 1) styles.unshift(() => name);
  for (const style of styles) {
    const found = Array.from({ length: size }, (_, i) => columns.indexOf(style(i)));
    if (found.every((c) => c >= 0)) return found;
  }
  return null;
}

function spelled(name: string, size: number): string {
  return size === 1 ? `'${name}'` : `${name}0..${name}${size - 1}`;
}

function byName(table: Table, names: string[], flag: string): number[] {
  return names.map((name) => {
    const col = table.columns.indexOf(name);
    if (col < 0) throw new CliError(`${flag}: ${table.source} has no column '${name}' (its columns: ${table.columns.slice(0, 12).join(", ")}${table.columns.length > 12 ? ", …" : ""})`);
    return col;
  });
}

/** Which columns hold the input and the target. */
export function matchColumns(table: Table, shape: DataShape, opts: MatchOptions): { inputs: number[]; targets: number[] | null } {
  const { input, target } = shape;
  const widths = target.size === 1 ? "1" : `${target.size} or 1`;
  let targets = opts.targets
    ? byName(table, opts.targets, "--targets")
    : (namedColumns(table.columns, target.name, target.size) ?? (target.size > 1 ? namedColumns(table.columns, target.name, 1) : null));
  let inputs = opts.inputs ? byName(table, opts.inputs, "--inputs") : namedColumns(table.columns, input.name, input.size);
  if (opts.inputs && inputs!.length !== input.size) throw new CliError(`--inputs names ${inputs!.length} columns; input ${input.name} has ${input.size} values`);
  if (opts.targets && targets!.length !== target.size && targets!.length !== 1) {
    throw new CliError(`--targets names ${targets!.length} columns; target ${target.name} needs ${widths}`);
  }
  const all = table.columns.map((_, i) => i);
  const need = `model input ${input.name} has ${input.size} value${input.size === 1 ? "" : "s"} (columns ${spelled(input.name, input.size)}) and target ${target.name} ${target.size} (columns ${spelled(target.name, target.size)}${target.size > 1 ? `, or one class-index column '${target.name}'` : ""})`;
  const cannot = (why: string) =>
    new CliError(`${table.source}: cannot tell which columns are the input and the target: ${why}; ${need}. Name the columns so, pass --inputs and --targets, or put the input columns first and the target last`);
  if (!inputs) {
    const rest = all.filter((c) => !targets?.includes(c));
    if (targets) {
      if (rest.length !== input.size) throw cannot(`besides the target there are ${rest.length} columns`);
      inputs = rest;
    } else {
      // By position: inputs first, then the target (or nothing, for predict).
      const after = rest.length - input.size;
      if (after === target.size || after === 1) {
        inputs = rest.slice(0, input.size);
        targets = rest.slice(input.size);
      } else if (after === 0 && opts.target === "none") {
        inputs = rest;
      } else {
        throw cannot(`the header has ${table.columns.length} columns (${table.columns.slice(0, 8).join(", ")}${table.columns.length > 8 ? ", …" : ""})`);
      }
    }
  }
  if (!targets) {
    const rest = all.filter((c) => !inputs!.includes(c));
    if (rest.length === target.size || rest.length === 1) targets = rest;
    else if (opts.target === "required") throw cannot(`found the input columns but ${rest.length} other columns`);
  }
  return { inputs, targets: targets ?? null };
}

function numberAt(table: Table, row: number, col: number): number {
  const cell = table.cell(row, col);
  const text = typeof cell === "number" ? String(cell) : cell.trim();
  if (text === "") throw new CliError(`${table.where(row, col)}: empty value; expected a number`);
  const value = typeof cell === "number" ? cell : Number(text);
  if (!Number.isFinite(value)) throw new CliError(`${table.where(row, col)}: '${text}' is not a ${Number.isNaN(value) ? "" : "finite "}number`);
  return value;
}

function classAt(table: Table, row: number, col: number, classes: number | undefined): number {
  const cell = table.cell(row, col);
  const text = typeof cell === "number" ? String(cell) : cell.trim();
  const value = text === "" ? NaN : Number(text);
  const range = classes === undefined ? "0, 1, 2, …" : `0..${classes - 1}`;
  if (!Number.isInteger(value) || value < 0 || (classes !== undefined && value >= classes)) {
    throw new CliError(`${table.where(row, col)}: '${text}' is not a class index (${range})`);
  }
  return value;
}

export function toDataset(table: Table, shape: DataShape, opts: MatchOptions): Dataset {
  if (table.rows === 0) throw new CliError(`${table.source}: no data rows (only a header)`);
  const { inputs, targets } = matchColumns(table, shape, opts);
  const labels = opts.labels ?? "auto";
  const tsize = shape.target.size;
  let mode: Dataset["labels"] = "values";
  if (targets && opts.target === "required") {
    const names = targets.map((c) => `'${table.columns[c]}'`).join(", ");
    if (targets.length === 1 && tsize > 1) {
      if (labels === "onehot") throw new CliError(`--labels onehot: target ${shape.target.name} needs ${tsize} columns (${spelled(shape.target.name, tsize)}), ${table.source} has one: ${names}`);
      mode = "index";
    } else if (labels === "index" || (labels === "auto" && shape.classes !== undefined)) {
      // A sparse-categorical target (one value) is always a class index: check it as one.
      if (tsize > 1) throw new CliError(`--labels index: expected one class-index column for target ${shape.target.name}, found ${targets.length}: ${names}`);
      mode = "index";
    }
  }
  const rows = table.rows;
  const isize = shape.input.size;
  const X = new Float64Array(rows * isize);
  for (let r = 0; r < rows; r++) for (let j = 0; j < isize; j++) X[r * isize + j] = numberAt(table, r, inputs[j]!);
  let Y: Float64Array | null = null;
  if (targets && opts.target === "required") {
    Y = new Float64Array(rows * tsize);
    for (let r = 0; r < rows; r++) {
      if (mode === "values") for (let j = 0; j < tsize; j++) Y[r * tsize + j] = numberAt(table, r, targets[j]!);
      else if (tsize > 1) Y[r * tsize + classAt(table, r, targets[0]!, tsize)] = 1;
      else Y[r] = classAt(table, r, targets[0]!, shape.classes);
    }
  }
  return {
    source: table.source,
    rows,
    inputSize: isize,
    targetSize: tsize,
    X,
    Y,
    inputColumns: inputs.map((c) => table.columns[c]!),
    targetColumns: (targets ?? []).map((c) => table.columns[c]!),
    labels: mode,
  };
}
