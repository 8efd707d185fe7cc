// A seeded hold-out split of a Dataset (`--split 0.2`; `--limit` is applied while reading).
// Unlike Keras' validation_split, which takes the last rows, the split draws rows with the seed (data files are often sorted by class, as iris is); both parts keep the
// file's order, and the same seed always gives the same split.
//
//   const { train, held } = splitDataset(ds, 0.2, 0);   // 80% / 20%

import { createRng, deriveSeed } from "../../runtime/rng.js";
import type { Dataset } from "./dataset.js";
import { DataError } from "./errors.js";

/** The dataset restricted to `rows` (indexes, in the order given). */
export function pickRows(ds: Dataset, rows: readonly number[], source = ds.source): Dataset {
  const X = new Float64Array(rows.length * ds.inputSize);
  const Y = ds.Y ? new Float64Array(rows.length * ds.targetSize) : null;
  rows.forEach((r, i) => {
    X.set(ds.X.subarray(r * ds.inputSize, (r + 1) * ds.inputSize), i * ds.inputSize);
    Y?.set(ds.Y!.subarray(r * ds.targetSize, (r + 1) * ds.targetSize), i * ds.targetSize);
  });
  return { ...ds, source, rows: rows.length, X, Y };
}

/** Holds out round(rows × fraction) rows drawn with `seed` (at least one row on each side). */
export function splitDataset(ds: Dataset, fraction: number, seed: number): { train: Dataset; held: Dataset } {
  const heldCount = Math.round(ds.rows * fraction);
  if (heldCount < 1 || heldCount >= ds.rows) {
    throw new DataError(`--split ${fraction} of ${ds.rows} rows leaves ${heldCount < 1 ? "no held-out rows" : "no training rows"}`);
  }
  const order = Array.from({ length: ds.rows }, (_, i) => i);
  const rng = createRng(deriveSeed(seed, "split"));
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const held = order.slice(0, heldCount).sort((a, b) => a - b);
  const train = order.slice(heldCount).sort((a, b) => a - b);
  return {
    train: pickRows(ds, train, `${ds.source} (training part, --split ${fraction})`),
    held: pickRows(ds, held, `${ds.source} (held out, --split ${fraction})`),
  };
}
