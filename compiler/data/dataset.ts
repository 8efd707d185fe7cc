// A table read as a stream → the model's input and target matrices. Only the columns the model
// uses are parsed, straight into Float64Arrays (row-store.ts), so memory is about the numbers
// themselves; `limit` stops the reading after that many rows. Every cell is checked as it is
// read, and every target against what the model's loss needs (binary targets in [0, 1],
// one-hot rows summing to 1, class indexes in range: the same rule as the generated module's,
// runtime/data.ts badLabel), so bad data is a user error naming file, line, row and column.
//
//   const ds = readDataset(openTable("d.csv"), { input: { name: "x", size: 4 }, target: { name: "y", size: 3 } }, { target: "required" });
//   ds.X; ds.Y;   // Float64Array rows × 4, rows × 3 (class indexes expanded to one-hot)

import { badLabel, labelRule } from "../../runtime/data.js";
import { DataError, shown } from "./errors.js";
import { columnName, planColumns, type DataShape, type MatchOptions } from "./match.js";
import { parseDecimal, whyNotDecimal } from "./numbers.js";
import { machineBudget, RowStore, type MemoryBudget } from "./row-store.js";
import { placeOf, type Cell, type TableHeader, type TableReader } from "./table.js";

export type { DataShape, LabelMode, MatchOptions } from "./match.js";

export interface Dataset {
  source: string;
  rows: number;
  inputSize: number;
  targetSize: number;
  X: Float64Array;
  Y: Float64Array | null;
  /** The columns read, as shown to the user (escaped; "column 3" in a file without a header). */
  inputColumns: string[];
  targetColumns: string[];
  /** How target cells were read: as values (one-hot or numbers) or as class indexes. */
  labels: "values" | "index";
}

export interface ReadOptions extends MatchOptions {
  /** Read at most this many rows. */
  limit?: number;
  /** Memory the matrices may take (default: half of the machine's). */
  budget?: MemoryBudget;
}

/** Rows read before the storage is first sized, when the reader cannot tell how many are coming. */
const FIRST_CAPACITY = 1024;

function numberAt(header: TableHeader, cells: ArrayLike<Cell>, col: number, row: number, line: number): number {
  const cell = cells[col]!;
  if (typeof cell === "number") {
    if (Number.isFinite(cell)) return cell;
    throw new DataError(`${placeOf(header, row, line, col)}: ${cell} is not a finite number`);
  }
  const value = parseDecimal(cell);
  if (value === value) return value;
  throw new DataError(`${placeOf(header, row, line, col)}: ${whyNotDecimal(cell)}`);
}

function classAt(header: TableHeader, cells: ArrayLike<Cell>, col: number, row: number, line: number, classes: number | undefined): number {
  const cell = cells[col]!;
  const value = typeof cell === "number" ? cell : parseDecimal(cell);
  if (Number.isInteger(value) && value >= 0 && (classes === undefined || value < classes)) return value;
  const range = classes === undefined ? "0, 1, 2, …" : `0..${classes - 1}`;
  const text = typeof cell === "number" ? String(cell) : cell.trim();
  throw new DataError(`${placeOf(header, row, line, col)}: ${shown(text)} is not a class index (${range})`);
}

export function readDataset(read: TableReader, shape: DataShape, opts: ReadOptions): Dataset {
  const limit = opts.limit ?? Infinity;
  const budget = opts.budget ?? machineBudget();
  const isize = shape.input.size;
  const tsize = shape.target.size;
  const classes = shape.classes ?? shape.target.size;
  let header: TableHeader | null = null;
  let plan: ReturnType<typeof planColumns> | null = null;
  let X: RowStore | null = null;
  let Y: RowStore | null = null;
  let line = 0;
  read((h) => {
    header = h;
    const p = planColumns(h, shape, opts);
    plan = p;
    const tooLarge = (why: string) => new DataError(`${h.source}${line > 0 ? `:${line}` : ""}: the data does not fit in memory: ${why}; use --limit N to read only the first N rows`);
    const capacity = Math.min(h.rowHint ?? FIRST_CAPACITY, limit);
    const x = new RowStore(isize, capacity, budget, tooLarge);
    const y = p.targets ? new RowStore(tsize, capacity, budget, tooLarge) : null;
    X = x;
    Y = y;
    const { inputs, targets } = p;
    return (cells, at) => {
      line = at;
      const row = x.rows;
      const xi = x.addRow();
      for (let j = 0; j < isize; j++) x.data[xi + j] = numberAt(h, cells, inputs[j]!, row, at);
      if (y && targets) {
        const yi = y.addRow();
        if (p.labels === "values") for (let j = 0; j < tsize; j++) y.data[yi + j] = numberAt(h, cells, targets[j]!, row, at);
        else if (tsize > 1) y.data[yi + classAt(h, cells, targets[0]!, row, at, tsize)] = 1;
        else y.data[yi] = classAt(h, cells, targets[0]!, row, at, shape.classes);
        if (shape.labels) checkTargetRow(h, y.data, yi, shape, targets, p.labels, classes, row, at);
      }
      return row + 1 < limit;
    };
  });
  // Readers report a header or throw (an empty file), so these are set.
  const h = header as TableHeader | null;
  const p = plan as ReturnType<typeof planColumns> | null;
  const xs = X as RowStore | null;
  const ys = Y as RowStore | null;
  if (!h || !p || !xs) throw new Error(`${opts.target}: the table reader reported no header`);
  if (xs.rows === 0) throw new DataError(`${h.source}: no data rows (only a header)`);
  return {
    source: h.source,
    rows: xs.rows,
    inputSize: isize,
    targetSize: tsize,
    X: xs.values(),
    Y: ys ? ys.values() : null,
    inputColumns: p.inputs.map((c) => columnName(h, c)),
    targetColumns: (p.targets ?? []).map((c) => columnName(h, c)),
    labels: p.labels,
  };
}

/** Refuses a target row the model's loss cannot take, naming the cell (or the row, for a sum). */
function checkTargetRow(
  h: TableHeader,
  Y: Float64Array,
  at: number,
  shape: DataShape,
  targets: number[],
  labels: "values" | "index",
  classes: number,
  row: number,
  line: number,
): void {
  const kind = shape.labels!;
  const width = shape.target.size;
  const bad = badLabel(kind, Y, at, width, classes);
  if (bad < 0) return;
  // Class indexes read into one-hot rows are in range; values name their own column.
  const col = labels === "index" ? targets[0]! : targets[bad < width ? bad : 0]!;
  if (kind === "class-index") {
    throw new DataError(`${placeOf(h, row, line, col)}: ${Y[at]} is not a class index (0..${classes - 1}); ${labelRule(kind, false)}`);
  }
  if (bad < width) throw new DataError(`${placeOf(h, row, line, col)}: ${Y[at + bad]} is out of range; ${labelRule(kind, false)}`);
  let sum = 0;
  for (let j = 0; j < width; j++) sum += Y[at + j]!;
  const names = targets.map((c) => columnName(h, c));
  throw new DataError(`${placeOf(h, row, line)}: the targets ${names.length > 4 ? `${names[0]}..${names[names.length - 1]}` : names.join(", ")} sum to ${sum}; ${labelRule(kind, true)}`);
}
