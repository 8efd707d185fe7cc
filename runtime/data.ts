// User data → flat row-major Vec, with errors that name the offending row and column, and the
// row copy that batching uses. Validation happens once, up front, so kernels never see bad data.
//
//   toMatrix([[1, 2], [3, 4]], 2, "xs");   // Vec [1, 2, 3, 4]
//   toMatrix([0, 2, 1], 1, "ys");          // flat input: rows of width 1
//   toMatrix([[1, 2], [3]], 2, "xs");      // Error: xs: row 1 has 1 value, expected 2

import { VecArray, type LabelKind, type ModelCore, type Vec } from "./core.js";

/** Data as the user may pass it: rows of numbers, or already flat (row-major: a Vec, number[], Float32Array…). */
export type MatrixInput = ArrayLike<ArrayLike<number>> | ArrayLike<number>;

function badMatrixValue(what: string, row: number, col: number, value: unknown): Error {
  const shown =
    typeof value === "number" || value === undefined || value === null
      ? String(value)
      : typeof value === "string"
        ? `the string ${JSON.stringify(value)}`
        : `a value of type ${typeof value}`;
  return new Error(`${what}: row ${row}, column ${col} is ${shown}; expected a finite number`);
}

/**
 * Converts `rows` to a flat row-major Vec of rows × width and validates every value is a finite
 * number. An already-flat Vec whose length is a multiple of `width` is returned as is (after the
 * finiteness check); a flat number array is copied. `what` names the data in errors ("xs").
 */
export function toMatrix(rows: MatrixInput, width: number, what: string): Vec {
  if (!Number.isInteger(width) || width < 1) throw new Error(`${what}: row width must be a positive integer, got ${width}`);
  if (rows === null || typeof rows !== "object" || typeof rows.length !== "number") {
    throw new Error(`${what}: expected an array of rows or a flat numeric array, got ${rows === null ? "null" : typeof rows}`);
  }
  const length = rows.length;
  const flat = rows instanceof VecArray || (length > 0 && typeof rows[0] === "number");
  if (flat) {
    if (length % width !== 0) {
      throw new Error(`${what}: flat data has ${length} values, not a multiple of the row width ${width}`);
    }
    const source = rows as ArrayLike<unknown>;
    const out = rows instanceof VecArray ? rows : new VecArray(length);
    for (let i = 0; i < length; i++) {
      const value = source[i];
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw badMatrixValue(what, Math.floor(i / width), i % width, value);
      }
      out[i] = value;
    }
    return out;
  }
  const out = new VecArray(length * width);
  for (let r = 0; r < length; r++) {
    const row = (rows as ArrayLike<unknown>)[r] as ArrayLike<unknown> | null | undefined;
    if (row === null || typeof row !== "object" || typeof row.length !== "number") {
      const shown = typeof row === "number" ? `the number ${row}` : row === null ? "null" : typeof row;
      throw new Error(`${what}: row ${r} is ${shown}, expected an array of ${width} numbers`);
    }
    if (row.length !== width) {
      throw new Error(`${what}: row ${r} has ${row.length} value${row.length === 1 ? "" : "s"}, expected ${width}`);
    }
    for (let c = 0; c < width; c++) {
      const value = row[c];
      if (typeof value !== "number" || !Number.isFinite(value)) throw badMatrixValue(what, r, c, value);
      out[r * width + c] = value;
    }
  }
  return out;
}

/**
 * Checks targets against what the model's loss needs (see LabelKind), naming the first bad row:
 * a sparse class index out of range silently trains on nothing, a target of 2 for a binary
 * cross-entropy silently trains towards an impossible probability.
 */
export function checkLabels(kind: LabelKind, Y: Vec, width: number, classes: number, what: string): void {
  const rows = Y.length / width;
  for (let r = 0; r < rows; r++) {
    if (kind === "class-index") {
      const k = Y[r * width];
      if (!Number.isInteger(k) || k < 0 || k >= classes) {
        throw new Error(`${what}: row ${r} is class ${k}, but the model has ${classes} classes (expected an integer from 0 to ${classes - 1})`);
      }
      continue;
    }
    let sum = 0;
    for (let c = 0; c < width; c++) {
      const v = Y[r * width + c];
      if (v < 0 || v > 1) {
        const loss = kind === "probability" ? "binary_crossentropy" : "categorical_crossentropy";
        throw new Error(`${what}: row ${r}, column ${c} is ${v}; ${loss} needs targets from 0 to 1`);
      }
      sum += v;
    }
    if (kind === "distribution" && Math.abs(sum - 1) > 1e-6) {
      throw new Error(`${what}: row ${r} sums to ${sum}; categorical_crossentropy needs one-hot rows or probabilities that sum to 1`);
    }
  }
}

/** Throws unless `params` is a parameter vector of this model (`what` names the caller). */
export function checkParams(core: ModelCore, params: Vec, what: string): void {
  if (params === null || typeof params !== "object" || params.length !== core.paramCount) {
    const got = params === null || typeof params !== "object" ? String(params) : `length ${params.length}`;
    throw new Error(`${what}: params has ${got}, model '${core.name}' has ${core.paramCount} parameters`);
  }
}

/** Copies `count` rows of `width` values from src (starting at row srcRow) to dst (starting at row dstRow). */
export function copyRows(src: Vec, srcRow: number, dst: Vec, count: number, width: number, dstRow = 0): void {
  const start = srcRow * width;
  const to = dstRow * width;
  const n = count * width;
  for (let i = 0; i < n; i++) dst[to + i] = src[start + i];
}
