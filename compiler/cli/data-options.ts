// The data flags shared by `nnc train`, `nnc predict` and `nnc evaluate`, and how they become
// a Dataset for the loaded model:
//
//   --data SRC             a .csv / .tsv / .jsonl file, or a built-in data set (iris, mnist)
//   --labels auto|index|onehot   class-index or one-hot targets (auto: one column = indexes)
//   --inputs a,b,c  --targets label   columns by name (default: by model names, else position)
//   --limit N              use the first N rows (the rest of the file is not read)
//
//   const ds = readDataset(values, "--data", shapeOf(mod.model), "required");

import { labelKindOfLoss } from "../../runtime/data.js";
import { readDataset as readRows, type DataShape, type Dataset, type LabelMode } from "../data/dataset.js";
import { BUILTIN_DATA, openTable } from "../data/load.js";
import { UsageError } from "./io.js";
import type { GeneratedModule } from "../emit/load-module.js";
import type { NamedPath } from "./outputs.js";

export const DATA_OPTIONS = {
  data: { type: "string" },
  labels: { type: "string" },
  inputs: { type: "string" },
  targets: { type: "string" },
  limit: { type: "string" },
} as const;

type Values = { [key: string]: string | boolean | (string | boolean)[] | undefined };
export type { Values as FlagValues };

export function stringFlag(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === "string" ? v : undefined;
}

/** An integer flag ≥ min, or the default. */
export function intFlag(values: Values, name: string, min: number, fallback: number): number {
  const text = stringFlag(values, name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${text}'`);
  return n;
}

export function shapeOf(model: GeneratedModule["model"]): DataShape {
  const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
  const shape: DataShape = {
    input: { name: model.input.name, size: size(model.input.shape) },
    target: { name: model.target.name, size: size(model.target.shape) },
  };
  const labels = labelKindOfLoss(model.loss);
  if (labels) shape.labels = labels;
  // A one-value target under sparse categorical accuracy or loss is a class index into the output.
  if (model.accuracy === "sparse_categorical" || labels === "class-index") shape.classes = size(model.output.shape);
  return shape;
}

/** The files a command reads (the model file and the named flags' files), for checkOutputs; built-in data sets are not files. */
export function dataInputs(model: string, values: Values, flags: readonly ("data" | "test" | "weights")[]): NamedPath[] {
  const files = flags
    .map((flag) => ({ flag: `--${flag}`, path: stringFlag(values, flag) }))
    .filter((input) => input.flag === "--weights" || input.path === undefined || !Object.hasOwn(BUILTIN_DATA, input.path));
  return [{ flag: "the model file", path: model }, ...files];
}

function list(text: string | undefined): string[] | undefined {
  return text === undefined ? undefined : text.split(",").map((s) => s.trim());
}

/** Reads the data named by `--<flag>` (data or test) with the shared column and label flags. */
export function readDataset(values: Values, flag: "data" | "test", shape: DataShape, target: "required" | "none"): Dataset {
  const spec = stringFlag(values, flag);
  if (spec === undefined) throw new UsageError(`missing --${flag} FILE (a .csv, .tsv or .jsonl file, or iris / mnist)`);
  const labels = stringFlag(values, "labels") ?? "auto";
  if (!["auto", "index", "onehot"].includes(labels)) throw new UsageError(`--labels must be auto, index or onehot, got '${labels}'`);
  const inputs = list(stringFlag(values, "inputs"));
  const targets = list(stringFlag(values, "targets"));
  const limit = intFlag(values, "limit", 1, Number.MAX_SAFE_INTEGER);
  return readRows(openTable(spec, limit), shape, {
    labels: labels as LabelMode,
    target,
    limit,
    ...(inputs ? { inputs } : {}),
    ...(targets ? { targets } : {}),
  });
}
