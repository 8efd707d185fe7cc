// The common shape of every data source (CSV, JSON Lines, built-in data sets), read as a
// stream: a reader reports the header (column names) once, then hands each data row to a
// visitor, which may stop it early (`--limit`). Nothing but the current row is held, so turning
// rows into the model's matrices (dataset.ts) decides what is kept. Places in messages name the
// file, line, row and column:
//
//   readTable((header) => (cells, line) => { … return rowsWanted > 0; });
//   placeOf(header, 3, 5, 2);   // "train.csv:5: row 4, column 3 ('x2')"

import { shown } from "./errors.js";

/** A raw cell: CSV gives strings, JSON Lines and built-in data sets give numbers (or strings). */
export type Cell = string | number;

export interface TableHeader {
  /** The file name or built-in data set name, as the user wrote it. */
  source: string;
  columns: string[];
  /** False for a CSV file without a header line: its columns are known by position only. */
  named: boolean;
  /** An upper bound on the data rows to come (within --limit), when known before reading them. */
  rowHint?: number;
}

/**
 * Called with each data row (the cells are valid during the call only) and its 1-based line in
 * the file (0 for built-in data); returning false stops the reading.
 */
export type RowVisitor = (cells: ArrayLike<Cell>, line: number) => boolean | void;

/** Reads a table: calls onHeader once, then the visitor it returns for each data row. */
export type TableReader = (onHeader: (header: TableHeader) => RowVisitor) => void;

/** "column 3 ('x2')", or "column 3" when the file has no header. */
export function columnLabel(header: TableHeader, col: number): string {
  return header.named ? `column ${col + 1} (${shown(header.columns[col]!)})` : `column ${col + 1}`;
}

/** The place of a row (0-based `row`) or one of its cells, for messages. */
export function placeOf(header: TableHeader, row: number, line: number, col?: number): string {
  const at = line > 0 ? `${header.source}:${line}` : header.source;
  return `${at}: row ${row + 1}${col === undefined ? "" : `, ${columnLabel(header, col)}`}`;
}

/** A reader over rows held in memory (built-in data sets): places are "iris: row 7, column 5 ('species')". */
export function tableFromArrays(source: string, columns: string[], rows: ArrayLike<ArrayLike<Cell>>): TableReader {
  return (onHeader) => {
    const visit = onHeader({ source, columns, named: true, rowHint: rows.length });
    for (let r = 0; r < rows.length; r++) if (visit(rows[r]!, 0) === false) return;
  };
}
