// What an importer produces before it becomes text: the `.nn` model as a list of statements
// (expressions as small trees), the weights for every parameter by nnc name, and the training
// configuration. nn-text.ts prints it; import-model.ts checks it compiles and assembles the
// weights in the compiled model's layout.
//
//   { modelName: "iris", input: { name: "x", shape: [4] }, target: { name: "y", size: 3 },
//     statements: [{ name: "h", expr: dense(ref("x"), 16, "relu") }, …], output: "out",
//     weights: Map { "W_h" => { shape: [16, 4], data, from: "h/kernel, transposed" } }, … }

import type { Training } from "./training.js";

export type NnExpr =
  | { k: "ref"; name: string }
  | { k: "num"; value: number }
  /** A bare name as an argument: an activation (`relu`) or initializer (`zeros`). */
  | { k: "word"; word: string }
  | { k: "bool"; value: boolean }
  /** A list of numbers as an argument: `kernel_size = [3, 2]`, `reshape(x, [5, 5, 32])`. */
  | { k: "list"; items: number[] }
  | { k: "call"; fn: string; args: NnExpr[]; named?: [string, NnExpr][] }
  | { k: "bin"; op: "+" | "-" | "*" | "/" | "@"; a: NnExpr; b: NnExpr }
  | { k: "neg"; a: NnExpr };

export const ref = (name: string): NnExpr => ({ k: "ref", name });
export const num = (value: number): NnExpr => ({ k: "num", value });
export const word = (w: string): NnExpr => ({ k: "word", word: w });
export const call = (fn: string, args: NnExpr[], named: [string, NnExpr][] = []): NnExpr => ({ k: "call", fn, args, ...(named.length ? { named } : {}) });
export const list = (items: number[]): NnExpr => ({ k: "list", items });
export const bin = (op: "+" | "-" | "*" | "/" | "@", a: NnExpr, b: NnExpr): NnExpr => ({ k: "bin", op, a, b });

/** One assignment `name = expr`, with a comment naming where it came from. */
export interface DraftStatement {
  name: string;
  expr: NnExpr;
  comment?: string;
}

/** A `param NAME[shape] ~ init` line (raw math); dense layers declare theirs themselves. */
export interface DraftParam {
  name: string;
  shape: number[];
  init: string;
}

/** The values of one nnc parameter, row-major in nnc's layout, and what they were in the file. */
export interface DraftWeights {
  shape: number[];
  data: Float64Array;
  from: string;
}

export interface Draft {
  modelName: string;
  /** First comment lines: where the model came from. */
  header: string[];
  /** The input's shape: a vector [n] or an image [height, width, channels]. */
  input: { name: string; shape: number[] };
  target: { name: string; size: number };
  params: DraftParam[];
  statements: DraftStatement[];
  output: string;
  training: Training;
  weights: Map<string, DraftWeights>;
}
