// Which columns of a table are the model's input and target, decided from the header alone
// (before any row is read), and how target cells are read. Columns are found by name first,
// then by position:
//
//   names      input x[4]: columns x0..x3 (or x[0].., x_0..; just `x` when the size is 1);
//              target y[3]: y0..y2 (one-hot or any values), or one column `y` of class indexes
//   explicit   --inputs a,b,c,d --targets species (a file without a header: --inputs 1,2,3,4)
//   position   the input columns first, then the target column(s)
//
//   const plan = planColumns(header, { input: { name: "x", size: 4 }, target: { name: "y", size: 3 } }, { target: "required" });
//   plan.inputs; plan.targets; plan.labels;   // [0, 1, 2, 3], [4], "index"

import type { LabelKind } from "../../runtime/core.js";
import { DataError, escapeUnsafe, shown, SHOWN_CHARS } from "./errors.js";
import type { TableHeader } from "./table.js";

export interface DataShape {
  input: { name: string; size: number };
  target: { name: string; size: number };
  /** How many classes a class index may name when the target is one value (sparse labels). */
  classes?: number;
  /** What the model's loss needs of the targets (runtime/data.ts labelKindOfLoss); absent: any numbers. */
  labels?: LabelKind;
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

/** A column's name as shown in messages and summaries: made visible and cut ("column 3" without a header). */
export function columnName(header: TableHeader, col: number): string {
  if (!header.named) return `column ${col + 1}`;
  const name = header.columns[col]!;
  return escapeUnsafe(name.length > SHOWN_CHARS ? `${name.slice(0, SHOWN_CHARS)}…` : name);
}

/** The first `n` column names, for messages: "a, b, c, …" or "5 numbered columns (no header line)". */
function someColumns(header: TableHeader, n: number): string {
  const count = header.columns.length;
  if (!header.named) return `${count} numbered columns (no header line)`;
  return `${header.columns.slice(0, n).map((_, i) => columnName(header, i)).join(", ")}${count > n ? ", …" : ""}`;
}

function byName(header: TableHeader, names: string[], flag: string): number[] {
  return names.map((name) => {
    const col = header.columns.indexOf(name);
    if (col < 0) {
      const has = header.named ? `its columns: ${someColumns(header, 12)}` : `it has no header line: name its ${header.columns.length} columns by number, 1 to ${header.columns.length}`;
      throw new DataError(`${flag}: ${header.source} has no column ${shown(name)} (${has})`);
    }
    return col;
  });
}

/** Which columns hold the input and the target. */
export function matchColumns(table: TableHeader, shape: DataShape, opts: MatchOptions): { inputs: number[]; targets: number[] | null } {
  const { input, target } = shape;
  const widths = target.size === 1 ? "1" : `${target.size} or 1`;
  let targets = opts.targets
    ? byName(table, opts.targets, "--targets")
    : (namedColumns(table.columns, target.name, target.size) ?? (target.size > 1 ? namedColumns(table.columns, target.name, 1) : null));
  let inputs = opts.inputs ? byName(table, opts.inputs, "--inputs") : namedColumns(table.columns, input.name, input.size);
  if (opts.inputs && inputs!.length !== input.size) throw new DataError(`--inputs names ${inputs!.length} columns; input ${input.name} has ${input.size} values`);
  if (opts.targets && targets!.length !== target.size && targets!.length !== 1) {
    throw new DataError(`--targets names ${targets!.length} columns; target ${target.name} needs ${widths}`);
  }
  const all = table.columns.map((_, i) => i);
  const need = `model input ${input.name} has ${input.size} value${input.size === 1 ? "" : "s"} (columns ${spelled(input.name, input.size)}) and target ${target.name} ${target.size} (columns ${spelled(target.name, target.size)}${target.size > 1 ? `, or one class-index column '${target.name}'` : ""})`;
  const cannot = (why: string) =>
    new DataError(`${table.source}: cannot tell which columns are the input and the target: ${why}; ${need}. Name the columns so, pass --inputs and --targets, or put the input columns first and the target last`);
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
        throw cannot(table.named ? `the header has ${table.columns.length} columns (${someColumns(table, 8)})` : `the file has ${table.columns.length} columns`);
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

/** The columns of input and target, and how target cells are read: as values or as class indexes. */
export interface ColumnPlan {
  inputs: number[];
  /** Null when the targets are not read (predict). */
  targets: number[] | null;
  labels: "values" | "index";
}

/** Matches the header to the model and settles how labels are read (--labels). */
export function planColumns(header: TableHeader, shape: DataShape, opts: MatchOptions): ColumnPlan {
  const { inputs, targets } = matchColumns(header, shape, opts);
  const labels = opts.labels ?? "auto";
  const tsize = shape.target.size;
  let mode: ColumnPlan["labels"] = "values";
  if (targets && opts.target === "required") {
    const names = targets.map((c) => `'${columnName(header, c)}'`).join(", ");
    if (targets.length === 1 && tsize > 1) {
      if (labels === "onehot") throw new DataError(`--labels onehot: target ${shape.target.name} needs ${tsize} columns (${spelled(shape.target.name, tsize)}), ${header.source} has one: ${names}`);
      mode = "index";
    } else if (labels === "index" || (labels === "auto" && shape.classes !== undefined)) {
      // A sparse-categorical target (one value) is always a class index: check it as one.
      if (tsize > 1) throw new DataError(`--labels index: expected one class-index column for target ${shape.target.name}, found ${targets.length}: ${names}`);
      mode = "index";
    }
  }
  return { inputs, targets: opts.target === "required" ? targets : null, labels: mode };
}
