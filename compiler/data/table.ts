// The common shape of every data source (CSV, JSON Lines, built-in data sets): named columns
// and rows of raw cells, plus where each row came from, so errors can name file, line, row and
// column. Turning cells into the model's input and target matrices is match.ts's job.
//
//   const t = tableFromArrays("iris", ["a", "b"], [[1, 2], [3, 4]]);
//   t.cell(1, 0);         // 3
//   t.where(1, 0);        // "iris: row 2, column 1 ('a')"

/** A raw cell: CSV gives strings, JSON Lines and built-in data sets give numbers. */
export type Cell = string | number;

export interface Table {
  /** The file name or built-in data set name, as the user wrote it. */
  source: string;
  columns: string[];
  rows: number;
  cell(row: number, col: number): Cell;
  /** "train.csv:5: row 4, column 3 ('x2')" — the place of a cell, for error messages. */
  where(row: number, col?: number): string;
}

/** Column suffix for error messages: "column 3 ('x2')". */
export function columnLabel(columns: readonly string[], col: number): string {
  return `column ${col + 1} ('${columns[col]}')`;
}

/** A table over rows of cells read from a text file, `lines[r]` being row r's 1-based line. */
export function tableFromRows(source: string, columns: string[], cells: Cell[][], lines: number[]): Table {
  return {
    source,
    columns,
    rows: cells.length,
    cell: (row, col) => cells[row]![col]!,
    where: (row, col) => `${source}:${lines[row]}: row ${row + 1}${col === undefined ? "" : `, ${columnLabel(columns, col)}`}`,
  };
}

/** A table over in-memory rows (built-in data sets): places are "iris: row 7, column 5 ('species')". */
export function tableFromArrays(source: string, columns: string[], rows: ArrayLike<ArrayLike<Cell>>): Table {
  return {
    source,
    columns,
    rows: rows.length,
    cell: (row, col) => rows[row]![col]!,
    where: (row, col) => `${source}: row ${row + 1}${col === undefined ? "" : `, ${columnLabel(columns, col)}`}`,
  };
}
