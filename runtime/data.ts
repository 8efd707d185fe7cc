// User data → flat row-major Vec, with errors that name the offending row and column, and the
// row copy that batching uses. Validation happens once, up front, so kernels never see bad data.
//
//   toMatrix([[1, 2], [3, 4]], 2, "xs");   // Vec [1, 2, 3, 4]
//   toMatrix([0, 2, 1], 1, "ys");          // flat input: rows of width 1
//   toMatrix([[1, 2], [3]], 2, "xs");      // Error: xs: row 1 has 1 value, expected 2

import { VecArray, type LabelKind, type ModelCore, type Vec } from "./core.js";

/** Data as the user may pass it: rows of numbers, or flat row-major values (a Vec, number[], Float32Array…). */
export type MatrixInput = ArrayLike<ArrayLike<number>> | ArrayLike<number>;

/** A value that is not a finite number, as shown in a message. */
function shownValue(value: unknown): string {
  if (typeof value === "number" || value === undefined || value === null) return String(value);
  if (typeof value === "string") {
    return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value)}`;
  }
  return `a value of type ${typeof value}`;
}

/**
 * Why `value`, stored into a Vec as `stored`, is refused: not a number, not finite, or finite
 * but beyond the storage precision (1e300 becomes Infinity in a Float32Array). "" when fine.
 */
export function badStoredValue(value: unknown, stored: number): string {
  if (typeof value !== "number" || !Number.isFinite(value)) return `is ${shownValue(value)}; expected a finite number`;
  if (!Number.isFinite(stored)) {
    return `is ${value}, beyond the range of float32 (±3.4028234663852886e+38) in which this module stores numbers`;
  }
  return "";
}

function badMatrixValue(what: string, row: number, col: number, value: unknown, stored: number): Error {
  return new Error(`${what}: row ${row}, column ${col} ${badStoredValue(value, stored)}`);
}

/**
 * Converts `rows` to a flat row-major Vec of rows × width and validates every value is a finite
 * number. An already-flat Vec whose length is a multiple of `width` is returned as is (after the
 * finiteness check); a flat number array is copied. `what` names the data in errors ("xs").
 */
export function toMatrix(rows: MatrixInput, width: number, what: string): Vec {
  if (!Number.isInteger(width) || width < 1) {
    throw new Error(`${what}: row width must be a positive integer, got ${width}`);
  }
  if (rows === null || typeof rows !== "object" || typeof rows.length !== "number") {
    const got = rows === null ? "null" : typeof rows;
    throw new Error(`${what}: expected an array of rows or a flat numeric array, got ${got}`);
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
      out[i] = value as number;
      // Checked as stored: a float32 module cannot hold 1e300.
      if (typeof value !== "number" || !Number.isFinite(out[i])) {
        throw badMatrixValue(what, Math.floor(i / width), i % width, value, out[i]!);
      }
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
      out[r * width + c] = value as number;
      // Read back: the stored value, which a float32 module may have turned into Infinity.
      const stored = out[r * width + c]!;
      if (typeof value !== "number" || !Number.isFinite(stored)) throw badMatrixValue(what, r, c, value, stored);
    }
  }
  return out;
}

/** The targets a loss needs (what `core.checkTargets` checks): only the built-in cross-entropies constrain them. */
export function labelKindOfLoss(loss: string): LabelKind | undefined {
  if (loss === "sparse_categorical_crossentropy") return "class-index";
  if (loss === "binary_crossentropy") return "probability";
  if (loss === "categorical_crossentropy") return "distribution";
  return undefined;
}

/**
 * The first problem of one target row (values row[start … start + width)) for `kind`: -1 when
 * the row is fine, the column of a value out of range, or `width` when a distribution's values
 * do not sum to 1 (within 1e-6). The one rule behind checkLabels and nnc's data reader.
 */
export function badLabel(
  kind: LabelKind,
  row: ArrayLike<number>,
  start: number,
  width: number,
  classes: number,
): number {
  if (kind === "class-index") {
    const k = row[start]!;
    return Number.isInteger(k) && k >= 0 && k < classes ? -1 : 0;
  }
  let sum = 0;
  for (let c = 0; c < width; c++) {
    const v = row[start + c]!;
    if (!(v >= 0 && v <= 1)) return c;
    sum += v;
  }
  return kind === "distribution" && Math.abs(sum - 1) > 1e-6 ? width : -1;
}

/** What a bad label breaks: "binary_crossentropy needs targets from 0 to 1", … (for messages). */
export function labelRule(kind: LabelKind, sum: boolean): string {
  if (kind === "class-index") return "sparse_categorical_crossentropy needs class indexes";
  if (sum) return "categorical_crossentropy needs one-hot rows or probabilities that sum to 1";
  return `${kind === "probability" ? "binary_crossentropy" : "categorical_crossentropy"} needs targets from 0 to 1`;
}

/**
 * Checks targets against what the model's loss needs (see LabelKind), naming the first bad row:
 * a sparse class index out of range silently trains on nothing, a target of 2 for a binary
 * cross-entropy silently trains towards an impossible probability.
 */
export function checkLabels(kind: LabelKind, Y: Vec, width: number, classes: number, what: string): void {
  const rows = Y.length / width;
  for (let r = 0; r < rows; r++) {
    const bad = badLabel(kind, Y, r * width, width, classes);
    if (bad < 0) continue;
    if (kind === "class-index") {
      const expected = `expected an integer from 0 to ${classes - 1}`;
      throw new Error(`${what}: row ${r} is class ${Y[r * width]}, but the model has ${classes} classes (${expected})`);
    }
    if (bad < width) {
      throw new Error(`${what}: row ${r}, column ${bad} is ${Y[r * width + bad]}; ${labelRule(kind, false)}`);
    }
    let sum = 0;
    for (let c = 0; c < width; c++) sum += Y[r * width + c]!;
    throw new Error(`${what}: row ${r} sums to ${sum}; ${labelRule(kind, true)}`);
  }
}

/**
 * Copies one sample (`what`: "x" or "y") into the model's buffer `into`, checking its length and
 * that every value is a finite number in the module's precision (predict, loss, grad).
 */
export function sampleInto(values: ArrayLike<number>, into: Vec, model: string, what: string): Vec {
  if (values === null || typeof values !== "object" || typeof values.length !== "number") {
    const got = values === null ? "null" : typeof values;
    throw new Error(`${model}: ${what} must be an array of ${into.length} numbers, got ${got}`);
  }
  if (values.length !== into.length) {
    throw new Error(`${model}: ${what} must have ${into.length} values, got ${values.length}`);
  }
  for (let i = 0; i < into.length; i++) {
    const value: unknown = values[i];
    into[i] = value as number;
    const stored = into[i]!;
    if (typeof value !== "number" || !Number.isFinite(stored)) {
      throw new Error(`${model}: ${what}[${i}] ${badStoredValue(value, stored)}`);
    }
  }
  return into;
}

/** Throws unless `params` is a parameter vector of this model (`what` names the caller). */
export function checkParams(core: ModelCore, params: Vec, what: string): void {
  if (params === null || typeof params !== "object" || params.length !== core.paramCount) {
    const got = params === null || typeof params !== "object" ? String(params) : `length ${params.length}`;
    throw new Error(`${what}: params has ${got}, model '${core.name}' has ${core.paramCount} parameters`);
  }
}

/** Copies `count` rows of `width` values from src (from row srcRow on) to dst (from row dstRow on). */
export function copyRows(src: Vec, srcRow: number, dst: Vec, count: number, width: number, dstRow = 0): void {
  const start = srcRow * width;
  const to = dstRow * width;
  const n = count * width;
  for (let i = 0; i < n; i++) dst[to + i] = src[start + i]!;
}
